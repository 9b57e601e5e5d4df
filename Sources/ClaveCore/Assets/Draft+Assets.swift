import ClaveCrypto

extension Draft {
    mutating func createApp(name: String, type: String, multiaddr: String, checksum: Bytes32, mrenclave: String)
        throws(Rejection)
    {
        guard App.types.contains(type) else {
            throw Rejection(
                .invalidAppType,
                "The app type '\(type)' is not one Clave runs; use one of \(App.types.sorted().joined(separator: ", "))."
            )
        }
        let address = try newAssetAddress(.app)
        set(
            app: App(
                address: address, owner: sender, name: name, type: type, multiaddr: multiaddr, checksum: checksum,
                mrenclave: mrenclave))
        emit(.appCreated(app: address, owner: sender))
    }

    mutating func createDataset(name: String, multiaddr: String, checksum: Bytes32, schema: String) throws(Rejection) {
        let address = try newAssetAddress(.dataset)
        set(
            dataset: Dataset(
                address: address, owner: sender, name: name, multiaddr: multiaddr, checksum: checksum, schema: schema))
        emit(.datasetCreated(dataset: address, owner: sender))
    }

    mutating func createWorkerpool(description: String) throws(Rejection) {
        let address = try newAssetAddress(.workerpool)
        set(
            workerpool: Workerpool(
                address: address, owner: sender, description: description,
                workerStakeRatio: configuration.workerStakeRatio,
                schedulerRewardRatio: configuration.schedulerRewardRatio))
        emit(.workerpoolCreated(workerpool: address, owner: sender))
    }

    mutating func transferOwnership(_ kind: AssetKind, _ asset: Address, to newOwner: Address) throws(Rejection) {
        guard newOwner != .zero else {
            throw Rejection(
                .invalidOwner,
                "The \(kind.rawValue) \(asset) cannot be given to the zero address, which nobody controls; name the new owner's address."
            )
        }
        let owner = try self.owner(of: kind, asset)
        guard owner == sender else {
            throw Rejection(
                .notOwner,
                "Only the owner of the \(kind.rawValue) \(asset), \(owner), may transfer it, not \(sender); send the transaction from \(owner)."
            )
        }
        switch kind {
        case .app:
            if var app = app(asset) {
                app.owner = newOwner
                set(app: app)
            }
        case .dataset:
            if var dataset = dataset(asset) {
                dataset.owner = newOwner
                set(dataset: dataset)
            }
        case .workerpool:
            if var workerpool = workerpool(asset) {
                workerpool.owner = newOwner
                set(workerpool: workerpool)
            }
        }
        emit(.ownershipTransferred(kind: kind, asset: asset, from: owner, to: newOwner))
    }

    mutating func configureWorkerpool(_ address: Address, workerStakeRatio: UInt64, schedulerRewardRatio: UInt64)
        throws(Rejection)
    {
        guard var workerpool = workerpool(address) else { throw Draft.unknown(.workerpool, address) }
        guard workerpool.owner == sender else {
            throw Rejection(
                .notOwner,
                "Only the owner of the workerpool \(address), \(workerpool.owner), may configure it, not \(sender); send the transaction from \(workerpool.owner)."
            )
        }
        guard workerStakeRatio <= 100, schedulerRewardRatio <= 100 else {
            throw Rejection(
                .invalidRatio,
                "The worker stake ratio (\(workerStakeRatio)) and the scheduler reward ratio (\(schedulerRewardRatio)) are percentages; give each a value from 0 to 100."
            )
        }
        workerpool.workerStakeRatio = workerStakeRatio
        workerpool.schedulerRewardRatio = schedulerRewardRatio
        set(workerpool: workerpool)
        emit(
            .workerpoolConfigured(
                workerpool: address, workerStakeRatio: workerStakeRatio, schedulerRewardRatio: schedulerRewardRatio))
    }

    /// The owner of a registered asset.
    func owner(of kind: AssetKind, _ asset: Address) throws(Rejection) -> Address {
        let owner: Address? =
            switch kind {
            case .app: app(asset)?.owner
            case .dataset: dataset(asset)?.owner
            case .workerpool: workerpool(asset)?.owner
            }
        guard let owner else { throw Draft.unknown(kind, asset) }
        return owner
    }

    /// The rejection for an address where no asset of `kind` is registered.
    static func unknown(_ kind: AssetKind, _ asset: Address) -> Rejection {
        let code: Rejection.Code =
            switch kind {
            case .app: .unknownApp
            case .dataset: .unknownDataset
            case .workerpool: .unknownWorkerpool
            }
        return Rejection(
            code,
            "No \(kind.rawValue) is registered at \(asset); check the address, or register the \(kind.rawValue) first."
        )
    }

    /// The address of the asset of `kind` this transaction creates.
    private func newAssetAddress(_ kind: AssetKind) throws(Rejection) -> Address {
        let address = kind.address(owner: sender, nonce: nonce)
        let exists =
            switch kind {
            case .app: app(address) != nil
            case .dataset: dataset(address) != nil
            case .workerpool: workerpool(address) != nil
            }
        guard !exists else {
            throw Rejection(
                .assetExists,
                "A \(kind.rawValue) is already registered at \(address), the address this transaction derives; send it again with the next nonce."
            )
        }
        return address
    }
}
