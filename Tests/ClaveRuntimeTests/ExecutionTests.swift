import ClaveRuntime
import Testing

@Suite struct ExecutionTests {
    @Test func terminationsSayWhatHappened() {
        #expect(Termination.exited(0).succeeded)
        #expect(!Termination.exited(1).succeeded)
        #expect(Termination.timedOut.description == "ran past its time limit and was stopped")
        #expect(Termination.trapped("unreachable").description == "trapped: unreachable")
    }
}
