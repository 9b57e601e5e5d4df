import ClaveCore
import ClaveCrypto
import Foundation
import Testing

@Suite struct TransactionJSONTests {
    static let alice = try! PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    static let bob = try! PrivateKey(hex: "0x1234567890123456789012345678901234567890123456789012345678901234")
    static let hash = Keccak256.hash(utf8: "x")

    static var orders:
        (SignedOrder<AppOrder>, SignedOrder<DatasetOrder>, SignedOrder<WorkerpoolOrder>, SignedOrder<RequestOrder>)
    {
        let a = alice.address
        let app = AppOrder(app: a, appprice: 5, volume: 10, tag: hash, salt: hash)
        let dataset = DatasetOrder(dataset: a, datasetprice: 1, volume: 3, requesterrestrict: bob.address, salt: hash)
        let pool = WorkerpoolOrder(workerpool: a, workerpoolprice: 7, volume: 100, category: 0, trust: 3, salt: hash)
        let request = RequestOrder(
            app: a, appmaxprice: 5, dataset: a, datasetmaxprice: 1, workerpool: .zero, workerpoolmaxprice: 9,
            requester: bob.address, volume: 2, category: 0, trust: 1, beneficiary: bob.address,
            params: #"{"iexec_args":"héllo ✓"}"#, salt: hash)
        let domain = OrderDomain(chainId: 65535, verifyingContract: a)
        return (
            SignedOrder(order: app, signature: app.sign(with: alice, in: domain)),
            SignedOrder(order: dataset, signature: nil),
            SignedOrder(order: pool, signature: pool.sign(with: alice, in: domain)),
            SignedOrder(order: request, signature: request.sign(with: bob, in: domain))
        )
    }

    /// One body of every operation.
    static var bodies: [TransactionBody] {
        let (app, dataset, pool, request) = orders
        let signature = alice.sign(digest: hash)
        return [
            .faucet(amount: 1), .deposit(amount: 18_446_744_073_709_551_615), .withdraw(amount: 0),
            .createApp(name: "hello", type: "WASM", multiaddr: "clave://blob", checksum: hash, mrenclave: "abc"),
            .createDataset(name: "d", multiaddr: "m", checksum: hash, schema: #"{"email":"string"}"#),
            .createWorkerpool(description: "pool ✓"),
            .transferAppOwnership(app: alice.address, newOwner: bob.address),
            .transferDatasetOwnership(dataset: alice.address, newOwner: bob.address),
            .transferWorkerpoolOwnership(workerpool: alice.address, newOwner: bob.address),
            .configureWorkerpool(workerpool: alice.address, workerStakeRatio: 30, schedulerRewardRatio: 1),
            .presign(.app(app.order)), .closeOrder(.request(request.order)), .presign(.dataset(dataset.order)),
            .closeOrder(.workerpool(pool.order)),
            .matchOrders(app: app, dataset: dataset, workerpool: pool, request: request),
            .sponsorMatchOrders(app: app, dataset: nil, workerpool: pool, request: request),
            .initialize(dealId: hash, index: 3), .initializeAndClaim(dealId: hash, index: 0),
            .initializeArray(dealIds: [hash, Keccak256.hash(utf8: "other")], indices: [3, 0]),
            .contribute(
                taskId: hash, resultHash: hash, resultSeal: hash, enclaveChallenge: .zero, enclaveSign: nil,
                authorizationSign: signature),
            .contribute(
                taskId: hash, resultHash: hash, resultSeal: hash, enclaveChallenge: bob.address, enclaveSign: signature,
                authorizationSign: signature),
            .reveal(taskId: hash, resultDigest: hash), .reopen(taskId: hash), .claim(taskId: hash),
            .finalize(taskId: hash, results: [1, 2, 3], resultsCallback: []),
            .contributeAndFinalize(
                taskId: hash, resultDigest: hash, results: Array("ipfs://x".utf8), resultsCallback: [0xFF],
                enclaveChallenge: .zero, enclaveSign: nil, authorizationSign: signature),
        ]
    }

    @Test func everyOperationRoundTrips() throws {
        var seen = Set<String>()
        for (nonce, body) in Self.bodies.enumerated() {
            let transaction = Transaction(chainId: 65535, from: Self.alice.address, nonce: UInt64(nonce), body: body)
            // Through bytes, as the ledger receives it.
            let bytes = CanonicalJSON.encode(transaction.json)
            let parsed = try Transaction(json: JSONValue(parsing: bytes))
            #expect(parsed == transaction, "\(body.type)")
            seen.insert(body.type)
        }
        #expect(seen == Set(TransactionBody.types))
    }

    @Test func signedTransactionsCheckTheirSender() throws {
        let transaction = Transaction(chainId: 65535, from: Self.alice.address, nonce: 7, body: .deposit(amount: 1000))
        let signed = try SignedTransaction(transaction, signedWith: Self.alice)
        let bytes = CanonicalJSON.encode(signed.json)
        let parsed = try SignedTransaction(jsonBytes: bytes)
        #expect(parsed == signed)
        #expect(parsed.hash == CanonicalJSON.digest(transaction.json))
        // Anyone can check it: the signature is personal_sign over the canonical digest.
        #expect(try signed.signature.recoverCanonicalSigner(transaction.json) == Self.alice.address)
    }

    @Test func aChangedTransactionNoLongerVerifies() throws {
        let signed = try SignedTransaction(
            Transaction(chainId: 65535, from: Self.alice.address, nonce: 7, body: .deposit(amount: 1000)),
            signedWith: Self.alice)
        var json = signed.json
        guard case .object(var outer) = json, case .object(var inner)? = outer["transaction"],
            case .object(var body)? = inner["body"]
        else { Issue.record("unexpected shape"); return }
        body["amount"] = "1000000"
        inner["body"] = .object(body)
        outer["transaction"] = .object(inner)
        json = .object(outer)
        let error = #expect(throws: TransactionFormatError.self) { try SignedTransaction(json: json) }
        #expect(error?.code == .badSignature)
        #expect(error?.message.contains("not by the sender \(Self.alice.address)") == true)
    }

    @Test func signingWithAnotherKeyIsRefused() {
        let transaction = Transaction(chainId: 1, from: Self.alice.address, nonce: 0, body: .withdraw(amount: 1))
        let error = #expect(throws: TransactionFormatError.self) {
            try SignedTransaction(transaction, signedWith: Self.bob)
        }
        #expect(error?.code == .badSignature)
        let forged = Self.bob.signPersonalMessage(CanonicalJSON.digest(transaction.json).bytes)
        let wrong = #expect(throws: TransactionFormatError.self) {
            try SignedTransaction(transaction, signature: forged)
        }
        #expect(wrong?.message.contains(Self.bob.address.checksummed) == true)
    }

    static let malformed: [(String, TransactionFormatError.Code, String)] = [
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"deposit","body":{"amount":"1","memo":"x"}}"#,
            .unknownField, "transaction.body.memo"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"deposit","body":{}}"#,
            .missingField, "transaction.body.amount"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"deposit","body":{"amount":1}}"#,
            .invalidValue, "transaction.body.amount"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"deposit","body":{"amount":"01"}}"#,
            .invalidValue, "transaction.body.amount"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"deposit","body":{"amount":"18446744073709551616"}}"#,
            .invalidValue, "transaction.body.amount"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"steal","body":{}}"#,
            .unknownType, "transaction.type"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536E3605D9C16a7a3D7b1898e529396a65C23","nonce":0,"type":"deposit","body":{"amount":"1"}}"#,
            .invalidValue, "transaction.from"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":-1,"type":"deposit","body":{"amount":"1"}}"#,
            .invalidValue, "transaction.nonce"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"deposit","body":[]}"#,
            .invalidJSON, "transaction.body"
        ),
        (
            #"{"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"deposit","body":{"amount":"1"}}"#,
            .missingField, "transaction.chainId"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"finalize","body":{"taskId":"0x00","results":"0x","resultsCallback":"0x"}}"#,
            .invalidValue, "transaction.body.taskId"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"initializeArray","body":{"dealIds":["0x00"],"indices":["1"]}}"#,
            .invalidValue, "transaction.body.dealIds[0]"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"initializeArray","body":{"dealIds":[],"indices":["0",1]}}"#,
            .invalidValue, "transaction.body.indices[1]"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"initializeArray","body":{"dealIds":"0x00","indices":[]}}"#,
            .invalidValue, "transaction.body.dealIds"
        ),
        (
            #"{"chainId":1,"from":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","nonce":0,"type":"presign","body":{"kind":"bid","order":{}}}"#,
            .invalidValue, "transaction.body.kind"
        ),
    ]

    /// Each malformed transaction is refused with the path of the fault and a code, before any state is touched.
    @Test(arguments: malformed)
    func refusesMalformed(text: String, code: TransactionFormatError.Code, path: String) throws {
        let error = #expect(throws: TransactionFormatError.self) { try Transaction(json: JSONValue(parsing: text)) }
        #expect(error?.code == code, "\(error.map(String.init(describing:)) ?? "")")
        #expect(error?.path == path, "\(error.map(String.init(describing:)) ?? "")")
    }

    @Test func duplicateKeysAreRefused() {
        let text = #"{"transaction":{"chainId":1,"chainId":2},"signature":"0x00"}"#
        let error = #expect(throws: TransactionFormatError.self) { try SignedTransaction(jsonBytes: Array(text.utf8)) }
        #expect(error?.code == .invalidJSON)
    }
}
