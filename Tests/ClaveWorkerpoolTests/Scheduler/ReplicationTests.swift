import ClaveCore
import ClaveCrypto
import ClaveWorkerpool
import Testing

/// The consensus arithmetic the scheduler replicates by, checked against Draft+Tasks.swift's rule:
/// group × trust > (total + 1) × (trust − 1), a group's weight the product of its members'.
@Suite struct ReplicationTests {
    @Test(arguments: [
        // trust, weight, replicates needed
        (UInt64(1), UInt64(2), 1), (2, 2, 1), (3, 2, 2), (3, 3, 1), (5, 2, 3), (5, 3, 2),
    ])
    func theFewestAgreeingReplicatesThatReachConsensus(trust: UInt64, weight: UInt64, needed: Int) {
        #expect(Replication.initialReplicates(trust: trust, weight: weight) == needed)
    }

    @Test func twoHonestFreshWorkersCannotOutvoteAFreshLiarAtTrustThree() {
        let honest = Keccak256.hash(Array("honest".utf8))
        let lie = Keccak256.hash(Array("lie".utf8))
        // Honest group 2 × 2 = 4, liar 2, total 6: 4 × 3 > 7 × 2 is false, and nobody is left to run.
        #expect(
            !Replication.couldReachConsensus(
                trust: 3, groupWeights: [honest: 4, lie: 2], totalWeight: 6, pending: []))
        // With weight 3 each: 9 × 3 > 12 × 2.
        #expect(
            Replication.couldReachConsensus(trust: 3, groupWeights: [honest: 9, lie: 2], totalWeight: 11, pending: []))
        // After the liar (2) and one honest worker (3) disagree, one more honest worker of weight 3 could settle it.
        #expect(
            !Replication.couldReachConsensus(trust: 3, groupWeights: [honest: 3, lie: 2], totalWeight: 5, pending: []))
        #expect(
            Replication.couldReachConsensus(trust: 3, groupWeights: [honest: 3, lie: 2], totalWeight: 5, pending: [3]))
    }
}
