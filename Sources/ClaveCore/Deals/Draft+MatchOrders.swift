import ClaveCrypto

extension Draft {
    /// PoCo's `matchOrders`: checks that the four orders agree, that each is signed, that volume is left and that the
    /// payer and the scheduler can lock what the deal needs; then records the deal.
    ///
    /// - Parameter sponsor: who pays; `nil` for the requester.
    mutating func matchOrders(
        app: SignedOrder<AppOrder>, dataset: SignedOrder<DatasetOrder>?, workerpool: SignedOrder<WorkerpoolOrder>,
        request: SignedOrder<RequestOrder>, sponsor: Address?
    ) throws(Rejection) {
        let appOrder = app.order
        let datasetOrder = dataset?.order
        let poolOrder = workerpool.order
        let requestOrder = request.order
        let datasetAddress = datasetOrder?.dataset ?? .zero
        let datasetPrice = datasetOrder?.datasetprice ?? 0

        // Category and trust.
        guard configuration.category(requestOrder.category) != nil else {
            let names = configuration.categories.enumerated().map { "\($0.offset) \($0.element.name)" }
            throw Rejection(
                .unknownCategory,
                "The request order's category \(requestOrder.category) does not exist on this chain; use one of \(names.joined(separator: ", "))."
            )
        }
        guard requestOrder.category == poolOrder.category else {
            throw Rejection(
                .categoryMismatch,
                "The request order asks for category \(requestOrder.category) but the workerpool order offers category \(poolOrder.category); match orders of the same category."
            )
        }
        guard requestOrder.trust <= poolOrder.trust else {
            throw Rejection(
                .trustMismatch,
                "The request order asks for trust \(requestOrder.trust) but the workerpool order offers at most trust \(poolOrder.trust); lower the request's trust or find a workerpool order with more."
            )
        }

        // Prices.
        guard requestOrder.appmaxprice >= appOrder.appprice else {
            throw Rejection(
                .appPriceTooHigh,
                "The app order's price \(appOrder.appprice) is above the request order's appmaxprice \(requestOrder.appmaxprice); raise appmaxprice or find a cheaper app order."
            )
        }
        guard requestOrder.datasetmaxprice >= datasetPrice else {
            throw Rejection(
                .datasetPriceTooHigh,
                "The dataset order's price \(datasetPrice) is above the request order's datasetmaxprice \(requestOrder.datasetmaxprice); raise datasetmaxprice or find a cheaper dataset order."
            )
        }
        guard requestOrder.workerpoolmaxprice >= poolOrder.workerpoolprice else {
            throw Rejection(
                .workerpoolPriceTooHigh,
                "The workerpool order's price \(poolOrder.workerpoolprice) is above the request order's workerpoolmaxprice \(requestOrder.workerpoolmaxprice); raise workerpoolmaxprice or find a cheaper workerpool order."
            )
        }

        // Tag.
        let tag = Tag.dealTag(app: appOrder.tag, dataset: datasetOrder?.tag ?? .zero, request: requestOrder.tag)
        let missing = Hashing.combine(tag, poolOrder.tag) { $0 & ~$1 }
        guard missing == .zero else {
            throw Rejection(
                .tagNotSupported,
                "The deal's tag \(tag) (app | dataset | request) needs tag bits \(Tag.bits(of: missing)) that the workerpool order's tag \(poolOrder.tag) does not offer; find a workerpool order that offers them."
            )
        }
        guard Tag.isSet(Tag.tee, in: tag) == Tag.isSet(Tag.tee, in: appOrder.tag) else {
            throw Rejection(
                .teeMismatch,
                "The deal's tag \(tag) asks for a TEE (bit 0) but the app order's tag \(appOrder.tag) is not a TEE app's; use a TEE app or drop bit 0 from the dataset and request tags."
            )
        }

        // The orders name each other.
        guard requestOrder.app == appOrder.app else {
            throw Rejection(
                .appMismatch,
                "The request order asks for app \(requestOrder.app) but the app order is for \(appOrder.app); match the app order of the app the request names."
            )
        }
        guard requestOrder.dataset == datasetAddress else {
            let offered = datasetOrder.map { "the dataset order is for \($0.dataset)" } ?? "no dataset order was given"
            throw Rejection(
                .datasetMismatch,
                "The request order asks for dataset \(requestOrder.dataset) but \(offered); match the dataset order of the dataset the request names (none when it names 0x0)."
            )
        }
        guard requestOrder.workerpool == .zero || requestOrder.workerpool == poolOrder.workerpool else {
            throw Rejection(
                .workerpoolMismatch,
                "The request order asks for workerpool \(requestOrder.workerpool) but the workerpool order is for \(poolOrder.workerpool); match that workerpool's order."
            )
        }

        // Restrictions.
        let requester = requestOrder.requester
        try Draft.check(appOrder.datasetrestrict, allows: datasetAddress, .appOrderRestrictsDataset, "app", "dataset")
        try Draft.check(
            appOrder.workerpoolrestrict, allows: poolOrder.workerpool, .appOrderRestrictsWorkerpool, "app",
            "workerpool")
        try Draft.check(
            appOrder.requesterrestrict, allows: requester, .appOrderRestrictsRequester, "app", "requester")
        if let datasetOrder {
            try Draft.check(datasetOrder.apprestrict, allows: appOrder.app, .datasetOrderRestrictsApp, "dataset", "app")
            try Draft.check(
                datasetOrder.workerpoolrestrict, allows: poolOrder.workerpool, .datasetOrderRestrictsWorkerpool,
                "dataset", "workerpool")
            try Draft.check(
                datasetOrder.requesterrestrict, allows: requester, .datasetOrderRestrictsRequester, "dataset",
                "requester")
        }
        try Draft.check(poolOrder.apprestrict, allows: appOrder.app, .workerpoolOrderRestrictsApp, "workerpool", "app")
        try Draft.check(
            poolOrder.datasetrestrict, allows: datasetAddress, .workerpoolOrderRestrictsDataset, "workerpool", "dataset"
        )
        try Draft.check(
            poolOrder.requesterrestrict, allows: requester, .workerpoolOrderRestrictsRequester, "workerpool",
            "requester")

        // Registered assets, and their owners' signatures.
        let appOwner = try owner(of: .app, appOrder.app)
        let datasetOwner = try datasetOrder.map { (order) throws(Rejection) in try owner(of: .dataset, order.dataset) }
        guard let pool = self.workerpool(poolOrder.workerpool) else {
            throw Draft.unknown(.workerpool, poolOrder.workerpool)
        }
        let domain = state.orderDomain
        let appHash = appOrder.hash(in: domain)
        let datasetHash = datasetOrder?.hash(in: domain)
        let poolHash = poolOrder.hash(in: domain)
        let requestHash = requestOrder.hash(in: domain)
        try checkSignature(app.signature, of: appHash, by: appOwner, .invalidAppOrderSignature, "app")
        if let dataset, let datasetHash, let datasetOwner {
            try checkSignature(
                dataset.signature, of: datasetHash, by: datasetOwner, .invalidDatasetOrderSignature, "dataset")
        }
        try checkSignature(
            workerpool.signature, of: poolHash, by: pool.owner, .invalidWorkerpoolOrderSignature, "workerpool")
        try checkSignature(request.signature, of: requestHash, by: requester, .invalidRequestOrderSignature, "request")

        // Volume. A closed order is refused by name: its signer revoked it, and no later order revives it.
        let signed: [(String, Bytes32?)] = [
            ("app", appHash), ("dataset", datasetHash), ("workerpool", poolHash), ("request", requestHash),
        ]
        for case let (kind, hash?) in signed where isClosed(hash) {
            throw Rejection(
                .orderClosed,
                "The \(kind) order \(hash) was closed (revoked) by its signer and can never be matched again; ask its signer for a new order."
            )
        }
        let appLeft = remaining(appOrder.volume, appHash)
        let datasetLeft = datasetOrder.map { remaining($0.volume, datasetHash ?? .zero) }
        let poolLeft = remaining(poolOrder.volume, poolHash)
        let requestLeft = remaining(requestOrder.volume, requestHash)
        let volume = min(appLeft, datasetLeft ?? .max, poolLeft, requestLeft)
        guard volume > 0 else {
            let dataset = datasetLeft.map { ", dataset order \($0)" } ?? ""
            throw Rejection(
                .orderConsumed,
                "No volume is left to match (app order \(appLeft)\(dataset), workerpool order \(poolLeft), request order \(requestLeft) left); an order with 0 left is fully consumed or closed, so match a fresh one."
            )
        }

        // The deal.
        let consumedBefore = consumed(requestHash)
        let dealId = Deal.id(requestOrderHash: requestHash, consumedBefore: consumedBefore)
        guard deal(dealId) == nil else {
            throw Rejection(.dealExists, "A deal with id \(dealId) already exists; these orders were matched already.")
        }
        let taskPrice = try Checked.add(
            try Checked.add(appOrder.appprice, datasetPrice, "the price of one task"), poolOrder.workerpoolprice,
            "the price of one task")
        let dealPrice = try Checked.multiply(taskPrice, volume, "the price of the deal (task price × volume)")
        let schedulerStake = try configuration.schedulerStake(perTaskAt: poolOrder.workerpoolprice)
        let dealSchedulerStake = try Checked.multiply(
            schedulerStake, volume, "the scheduler stake of the deal (stake per task × volume)")
        let payer = sponsor ?? requester
        try lock(
            payer, dealPrice, reference: dealId,
            purpose:
                "the deal (\(taskPrice) per task × volume \(volume)), paid by \(sponsor == nil ? "the requester" : "the sponsor")"
        )
        try lock(
            pool.owner, dealSchedulerStake, reference: dealId, code: .insufficientSchedulerStake,
            purpose: "the scheduler stake (\(schedulerStake) per task × volume \(volume))")

        try consume(volume, of: appHash)
        if let datasetHash { try consume(volume, of: datasetHash) }
        try consume(volume, of: poolHash)
        try consume(volume, of: requestHash)

        let workerStake = try Checked.percentage(
            poolOrder.workerpoolprice, pool.workerStakeRatio, "the worker stake")
        set(
            deal: Deal(
                id: dealId,
                app: Deal.Resource(address: appOrder.app, owner: appOwner, price: appOrder.appprice),
                dataset: Deal.Resource(address: datasetAddress, owner: datasetOwner ?? .zero, price: datasetPrice),
                workerpool: Deal.Resource(
                    address: poolOrder.workerpool, owner: pool.owner, price: poolOrder.workerpoolprice),
                trust: max(requestOrder.trust, 1),
                category: requestOrder.category,
                tag: tag,
                requester: requester,
                beneficiary: requestOrder.beneficiary,
                callback: requestOrder.callback,
                params: requestOrder.params,
                startTime: time,
                botFirst: consumedBefore,
                botSize: volume,
                workerStake: workerStake,
                schedulerStake: schedulerStake,
                schedulerRewardRatio: pool.schedulerRewardRatio,
                sponsor: payer))
        emit(.schedulerNotice(workerpool: poolOrder.workerpool, dealId: dealId))
        emit(
            .ordersMatched(
                dealId: dealId, appOrderHash: appHash, datasetOrderHash: datasetHash ?? .zero,
                workerpoolOrderHash: poolHash, requestOrderHash: requestHash, volume: volume))
    }

    /// A restriction allows `actual` when it is zero (anyone) or exactly `actual`.
    private static func check(
        _ restriction: Address, allows actual: Address, _ code: Rejection.Code, _ order: String, _ field: String
    ) throws(Rejection) {
        guard restriction == .zero || restriction == actual else {
            let present = actual == .zero ? "no \(field)" : "\(field) \(actual)"
            throw Rejection(
                code,
                "The \(order) order's \(field)restrict allows only \(restriction), but this match has \(present); match orders that \(restriction) is part of, or ask the \(order) order's signer for one without this restriction."
            )
        }
    }

    /// Checks that `signer` presigned the order with hash `hash` or that `signature` over it is theirs.
    private func checkSignature(
        _ signature: Signature?, of hash: Bytes32, by signer: Address, _ code: Rejection.Code, _ order: String
    ) throws(Rejection) {
        if presigner(hash) == signer { return }
        guard let signature else {
            throw Rejection(
                code,
                "The \(order) order \(hash) has no signature and \(signer) has not presigned it; have \(signer) sign it (EIP-712) or presign it."
            )
        }
        let recovered = try? signature.recoverAddress(digest: hash)
        guard recovered == signer else {
            let actual = recovered.map { "signed by \($0)" } ?? "not a valid signature of it"
            throw Rejection(
                code,
                "The \(order) order \(hash) must be signed by \(signer), but its signature is \(actual); have \(signer) sign exactly this order for chain \(state.orderDomain.chainId) and hub \(state.orderDomain.verifyingContract)."
            )
        }
    }

    private func remaining(_ volume: UInt64, _ hash: Bytes32) -> UInt64 {
        let consumed = consumed(hash)
        return volume > consumed ? volume - consumed : 0
    }

    private mutating func consume(_ volume: UInt64, of hash: Bytes32) throws(Rejection) {
        set(consumed: try Checked.add(consumed(hash), volume, "the consumed volume of order \(hash)"), of: hash)
    }
}
