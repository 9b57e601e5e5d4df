import ClaveCore
import ClaveCrypto
import Foundation
import Testing

/// Values computed by the independent Python implementations in Scripts/vectors (eth-abi, eth-account, rfc8785).
@Suite struct IndependentVectorsTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ClaveCryptoTests/Fixtures")

    static func load(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// PoCo's deal and task ids, against eth-abi's encoding. Clave counts volume in UInt64, so the cases whose
    /// counters exceed it do not apply.
    @Test func dealAndTaskIds() throws {
        var checked = 0
        for case let vector in try Self.load("deal_ids.json").arrayValue ?? [] {
            guard let consumed = UInt64(vector["consumedBefore"]?.stringValue ?? "") else { continue }
            let requestHash = try Bytes32(hex: vector["requestOrderHash"]?.stringValue ?? "")
            let dealId = Deal.id(requestOrderHash: requestHash, consumedBefore: consumed)
            #expect(dealId.description == vector["dealId"]?.stringValue)
            for task in vector["tasks"]?.arrayValue ?? [] {
                guard let index = UInt64(task["index"]?.stringValue ?? "") else { continue }
                #expect(ComputeTask.id(dealId: dealId, index: index).description == task["taskId"]?.stringValue)
                checked += 1
            }
        }
        #expect(checked >= 30)
    }

    /// Transactions in Clave's format signed by eth-account are accepted, byte for byte the same canonical JSON, and
    /// the orders inside them were signed (EIP-712) by the keys that own them.
    @Test func ethAccountSignedTransactions() throws {
        let fixture = try Self.load("ledger_transactions.json")
        let chainId = try #require(fixture["chainId"]?.numberValue?.uint64)
        let domain = OrderDomain(chainId: chainId, verifyingContract: try Address(fixture["hub"]?.stringValue ?? ""))
        let cases = try #require(fixture["transactions"]?.arrayValue)
        #expect(cases.count >= 6)
        var matched = false
        for vector in cases {
            let json = try #require(vector["transaction"])
            let signature = try Signature(hex: vector["signature"]?.stringValue ?? "")
            let signed = try SignedTransaction(try Transaction(json: json), signature: signature)
            #expect(Hex.encode(CanonicalJSON.encode(signed.transaction.json)) == vector["canonical"]?.stringValue)
            #expect(signed.hash.description == vector["digest"]?.stringValue)
            // Clave signs the same transaction to the same bytes.
            let key = try PrivateKey(hex: vector["privateKey"]?.stringValue ?? "")
            #expect(try SignedTransaction(signed.transaction, signedWith: key).signature == signature)
            if case .matchOrders(let app, let dataset, let pool, let request) = signed.transaction.body {
                matched = true
                #expect(dataset?.signature == nil, "the dataset order is presigned")
                try request.order.verify(try #require(request.signature), signer: request.order.requester, in: domain)
                let appSigner = try #require(app.signature).recoverAddress(digest: app.order.hash(in: domain))
                let poolSigner = try #require(pool.signature).recoverAddress(digest: pool.order.hash(in: domain))
                #expect(appSigner == poolSigner, "one owner signed both")
                #expect(key.address == request.order.requester, "the requester sends matchOrders")
            }
        }
        #expect(matched)
    }
}
