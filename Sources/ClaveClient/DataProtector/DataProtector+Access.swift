import ClaveCore
public import ClaveCrypto
public import ClaveLedger
public import ClaveMarket

/// What a data owner grants: one app, run for one requester (or anyone), on one workerpool (or any), a number of
/// times, at a price per run. It becomes a signed DatasetOrder in the orderbook.
public struct AccessGrant: Sendable, Hashable {
    public var protectedData: Address
    /// The app that may process the data. Required: protected data is only ever granted to a named app.
    public var authorizedApp: Address
    /// The requester who may ask for the runs; `.zero` for anyone.
    public var authorizedUser: Address
    /// The workerpool the runs must use; `.zero` for any.
    public var workerpool: Address
    /// What each run pays the owner, in nano-units.
    public var pricePerAccess: UInt64
    /// How many runs the grant allows.
    public var numberOfAccess: UInt64
    /// Tag bits the runs must have; bit 0 (`tee`) requires a hardware enclave (docs/sms.md).
    public var tag: Bytes32

    public init(
        protectedData: Address, authorizedApp: Address, authorizedUser: Address = .zero, workerpool: Address = .zero,
        pricePerAccess: UInt64 = 0, numberOfAccess: UInt64 = 1, tag: Bytes32 = .zero
    ) {
        self.protectedData = protectedData
        self.authorizedApp = authorizedApp
        self.authorizedUser = authorizedUser
        self.workerpool = workerpool
        self.pricePerAccess = pricePerAccess
        self.numberOfAccess = numberOfAccess
        self.tag = tag
    }
}

/// A grant as the orderbook holds it: the signed dataset order, and how many runs are left.
public struct GrantedAccess: Sendable, Hashable {
    public var entry: OrderbookEntry

    /// The dataset order; every grant is one.
    public var order: DatasetOrder {
        guard case .dataset(let order) = entry.order else {
            preconditionFailure("GrantedAccess holds dataset orders only")
        }
        return order
    }
    public var orderHash: Bytes32 { entry.orderHash }
    /// Runs left: the order's volume minus what deals consumed; 0 once revoked.
    public var remainingAccess: UInt64 { entry.remainingVolume }

    init?(_ entry: OrderbookEntry) {
        guard case .dataset = entry.order else { return nil }
        self.entry = entry
    }
}

/// Which grants to list (iExec's getGrantedAccess filters).
public struct GrantedAccessQuery: Sendable, Hashable {
    public var protectedData: Address?
    /// Only grants this app may use (granted to it, or to any app).
    public var authorizedApp: Address?
    /// Only grants this requester may use (granted to them, or to anyone).
    public var authorizedUser: Address?
    /// With ``authorizedUser``: only grants naming exactly that requester, not those open to anyone.
    public var isUserStrict: Bool
    /// The most grants in a page (1 to 100).
    public var pageSize: Int
    /// The page after this cursor (``GrantedAccessPage/nextCursor``); `nil` for the first.
    public var cursor: OrderCursor?

    public init(
        protectedData: Address? = nil, authorizedApp: Address? = nil, authorizedUser: Address? = nil,
        isUserStrict: Bool = false, pageSize: Int = 20, cursor: OrderCursor? = nil
    ) {
        self.protectedData = protectedData
        self.authorizedApp = authorizedApp
        self.authorizedUser = authorizedUser
        self.isUserStrict = isUserStrict
        self.pageSize = pageSize
        self.cursor = cursor
    }
}

/// One page of grants.
public struct GrantedAccessPage: Sendable, Hashable {
    public var grants: [GrantedAccess]
    public var nextCursor: OrderCursor?
}

extension DataProtector {
    /// Grants access to protected data: signs a DatasetOrder for it and publishes it in the orderbook.
    ///
    /// Checks first that ``owner`` owns the data and that the app is registered, so a mistake is named before
    /// anything is signed.
    public func grantAccess(_ grant: AccessGrant) async throws -> GrantedAccess {
        _ = try await ownedDataset(grant.protectedData)
        guard grant.authorizedApp != .zero else {
            throw DataProtectorError(
                .invalidArgument, "A grant names the app that may use the data; give the app's address.")
        }
        guard try await ledger.app(grant.authorizedApp) != nil else {
            throw DataProtectorError(
                .unknownApp, "No app is registered at \(grant.authorizedApp); check the address (`clave app show`).")
        }
        guard grant.numberOfAccess > 0 else {
            throw DataProtectorError(.invalidArgument, "The number of accesses must be at least 1.")
        }
        let order = DatasetOrder(
            dataset: grant.protectedData, datasetprice: grant.pricePerAccess, volume: grant.numberOfAccess,
            tag: grant.tag, apprestrict: grant.authorizedApp, workerpoolrestrict: grant.workerpool,
            requesterrestrict: grant.authorizedUser, salt: .random())
        let domain = try await ledger.chainInfo().configuration.orderDomain
        let entry = try await orderbook.publish(.signed(order, with: owner, in: domain))
        return GrantedAccess(entry)!
    }

    /// The open grants `query` selects, one page at a time.
    public func grantedAccess(_ query: GrantedAccessQuery) async throws -> GrantedAccessPage {
        guard (1...100).contains(query.pageSize) else {
            throw DataProtectorError(.invalidArgument, "The page size must be 1 to 100, not \(query.pageSize).")
        }
        let page = try await orderbook.query(
            OrderQuery(
                kind: .dataset, dataset: query.protectedData, usableWithApp: query.authorizedApp,
                usableByRequester: query.authorizedUser, limit: query.pageSize, cursor: query.cursor))
        var grants = page.entries.compactMap(GrantedAccess.init)
        if query.isUserStrict, let user = query.authorizedUser {
            grants.removeAll { $0.order.requesterrestrict != user }
        }
        return GrantedAccessPage(grants: grants, nextCursor: page.nextCursor)
    }

    /// Revokes one grant: closes its dataset order on the ledger, so it can never be matched again, and the SMS
    /// refuses the data's key to the tasks of deals already made with it.
    @discardableResult
    public func revokeOneAccess(_ orderHash: Bytes32) async throws -> Receipt {
        guard let entry = try await orderbook.order(orderHash), let grant = GrantedAccess(entry) else {
            throw DataProtectorError(
                .invalidArgument,
                "The orderbook holds no grant with the hash \(orderHash); `clave data access` lists the grants.")
        }
        _ = try await ownedDataset(grant.order.dataset)
        return try await submit(.closeOrder(.dataset(grant.order)))
    }

    /// Revokes every open grant of `protectedData` (only those this app or requester may use, when given) and
    /// returns the hashes of the orders closed.
    public func revokeAllAccess(
        protectedData: Address, authorizedApp: Address? = nil, authorizedUser: Address? = nil
    ) async throws -> [Bytes32] {
        _ = try await ownedDataset(protectedData)
        var revoked: [Bytes32] = []
        var seen: Set<Bytes32> = []
        // Each pass closes a page of open grants; closed ones leave the query, so the first page is always the next.
        while true {
            let page = try await grantedAccess(
                GrantedAccessQuery(
                    protectedData: protectedData, authorizedApp: authorizedApp, authorizedUser: authorizedUser,
                    pageSize: 100))
            let open = page.grants.filter { !seen.contains($0.orderHash) }
            if open.isEmpty { return revoked }
            for grant in open {
                try await submit(.closeOrder(.dataset(grant.order)))
                revoked.append(grant.orderHash)
                seen.insert(grant.orderHash)
            }
        }
    }

    /// Hands protected data over to `newOwner`, who then alone may grant it; grants signed before stop being
    /// matchable (the ledger checks the signer is the current owner).
    @discardableResult
    public func transferOwnership(_ protectedData: Address, to newOwner: Address) async throws -> Receipt {
        _ = try await ownedDataset(protectedData)
        guard newOwner != .zero else {
            throw DataProtectorError(.invalidArgument, "The new owner cannot be the zero address; give an account.")
        }
        return try await submit(.transferDatasetOwnership(dataset: protectedData, newOwner: newOwner))
    }
}
