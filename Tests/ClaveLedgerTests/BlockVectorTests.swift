import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import Testing

/// The example of docs/ledger.md: a genesis and one block, with every hash.
@Suite struct BlockVectorTests {
    typealias F = LedgerFixture

    @Test func genesisAndOneBlockHashAsDocumented() async throws {
        let genesis = Genesis(
            configuration: F.configuration, allocations: [F.key(1).address: 1_000_000], timestamp: 1_700_000_000)
        let deposit = F.signed(F.key(1), nonce: 0, .deposit(amount: 250))
        var state = genesis.state
        let events = try state.apply(deposit.transaction, at: 1_700_000_060)
        var digest = EventsDigest()
        for event in events { digest.append(event) }
        let block = Block(
            height: 1, parent: genesis.block.hash, timestamp: 1_700_000_060, transactions: [deposit],
            eventsDigest: digest.value)
        #expect(genesis.hash.description == "0xa7d183949071d7a76e3154fa852fb043a9cc5b463ab209ff89df629b2df9809b")
        #expect(
            String(decoding: CanonicalJSON.encode(genesis.block.header.json), as: UTF8.self)
                == #"{"eventsDigest":"0x0000000000000000000000000000000000000000000000000000000000000000","height":"0","parent":"0xa7d183949071d7a76e3154fa852fb043a9cc5b463ab209ff89df629b2df9809b","timestamp":"1700000000","transactionsRoot":"0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"}"#
        )
        #expect(genesis.block.hash.description == "0x006a8db573314192dd40a6e4e6b267b13e3fdd281bc0dd0fc2d6ca0a8d50beb9")
        #expect(deposit.hash.description == "0xe72b856afe520ea9dc01881b426a048074ff05479be636f921cf24100fa26857")
        #expect(events[0].digest.description == "0x6c728ef7e687a4b420f81f40129905acd3fcf7e558a8ff69437839799f29459e")
        #expect(digest.value.description == "0x32ece374938088bdbf1634592f91a66618c5c38046e84ba53fc90c57d53a9f06")
        #expect(
            block.transactionsRoot.description == "0xc584d3833754001f38d64f47f90326a82dc17192a5b4fafeeb33a1ae5e57e6e5")
        #expect(block.hash.description == "0x33e522833645651ee1e304a92008f6ee79efff3a7655b87f2899bbd03786b0ce")

        // The ledger produces the same block.
        let directory = try TemporaryDirectory()
        let clock = ManualClock(1_700_000_060)
        let ledger = try await F.ledger(
            store: try SQLiteLedgerStore(path: directory.path("ledger.sqlite")), genesis: genesis, clock: clock)
        let receipt = try await ledger.submit(deposit)
        #expect(receipt.blockHash == block.hash)
    }
}
