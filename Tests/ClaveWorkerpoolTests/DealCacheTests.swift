import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveTestSupport
import Testing

@testable import ClaveWorkerpool

/// What a worker reads of a deal before running one of its tasks, and how it refuses a deal it cannot run.
@Suite struct DealCacheTests {
    @Test func aDealIsReadWithItsAppAndParams() async throws {
        let f = try await WorkerpoolFixture()
        let dealId = try await f.match(volume: 2, trust: 1, salt: 1, params: #"{"iexec_args":"--name Alice"}"#)
        let cache = DealCache()
        let entry = try await cache.entry(of: dealId, ledger: f.ledger)
        #expect(entry.deal == (await f.ledger.deal(dealId)))
        #expect(entry.app.address == f.app)
        #expect(entry.params.args == "--name Alice")
        #expect(entry.chainId == (await f.ledger.chainInfo()).configuration.chainId)
        let again = try await cache.entry(of: dealId, ledger: f.ledger)
        #expect(again.deal == entry.deal && again.params == entry.params)
    }

    @Test func paramsTheWorkerCannotReadFailTheTaskForGood() async throws {
        let f = try await WorkerpoolFixture()
        let dealId = try await f.match(volume: 1, trust: 1, salt: 1, params: #"{"iexec_args": 3}"#)
        let failure = await #expect(throws: ReplicateFailure.self) {
            try await DealCache().entry(of: dealId, ledger: f.ledger)
        }
        #expect(failure?.cause == .inputUnavailable)
        #expect(failure?.isDeterministic == true)
        #expect(failure?.message.contains("The deal's params cannot be read") == true)
    }

    @Test func anUnknownDealIsAWrongAssignment() async throws {
        let f = try await WorkerpoolFixture()
        let failure = await #expect(throws: ReplicateFailure.self) {
            try await DealCache().entry(of: Keccak256.hash(utf8: "no deal"), ledger: f.ledger)
        }
        #expect(failure?.cause == .workerError)
        #expect(failure?.isDeterministic == true)
        #expect(failure?.message.contains("the assignment is wrong") == true)
    }
}
