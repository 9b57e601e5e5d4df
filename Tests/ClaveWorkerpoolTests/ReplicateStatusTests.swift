import ClaveWorkerpool
import Testing

@Suite struct ReplicateStatusTests {
    /// The names are iExec's, so that a reader of iExec's worker logs finds the same words.
    @Test func statusesAreWrittenAsIExecWritesThem() {
        #expect(ReplicateStatus.contributeAndFinalizeDone.rawValue == "CONTRIBUTE_AND_FINALIZE_DONE")
        #expect(ReplicateStatus(rawValue: "WORKER_LOST") == .workerLost)
        #expect(ReplicateStatus.allCases.allSatisfy { $0.rawValue == $0.rawValue.uppercased() })
    }

    @Test func onlyEndsAreFinal() {
        #expect(!ReplicateStatus.computing.isFinal)
        #expect(!ReplicateStatus.contributed.isFinal)
        #expect(ReplicateStatus.computeFailed.isFinal)
        #expect(ReplicateStatus.workerLost.isFinal)
        #expect(ReplicateStatus.completed.isFinal)
    }
}
