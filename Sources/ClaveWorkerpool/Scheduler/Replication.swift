public import ClaveCrypto

/// PoCo's consensus arithmetic seen from the scheduler: whether a task has enough replicates running that it could
/// reach consensus if they all agree.
///
/// A contribution of weight w to a group of weight g makes the group max(g, 1) × w; the total grows by the same
/// amount; consensus holds when group × trust > (total + 1) × (trust − 1) (see ``ComputeTask/weight(score:)`` and
/// docs/protocol.md). The scheduler starts with the fewest replicates that could reach it, and adds one whenever the
/// replicates still running could not — after a disagreement, a failure or a lost worker.
public enum Replication {
    /// Whether the replicates still to contribute, of weights `pending`, could bring the task to consensus if they
    /// all agreed — with the heaviest group already contributed, or among themselves.
    ///
    /// - Parameters:
    ///   - groupWeights: the weight of each group of contributions on the ledger.
    ///   - totalWeight: their sum (the ledger's).
    public static func couldReachConsensus(
        trust: UInt64, groupWeights: [Bytes32: UInt64], totalWeight: UInt64, pending: [UInt64]
    ) -> Bool {
        let trust = UInt128(max(trust, 1))
        let total = UInt128(totalWeight)
        var product: UInt128 = 1
        for weight in pending { product = min(product * UInt128(max(weight, 1)), UInt128(UInt64.max)) }
        func consensus(group: UInt128, total: UInt128) -> Bool { group * trust > (total + 1) * (trust - 1) }
        if !pending.isEmpty && consensus(group: product, total: total + product) { return true }
        for group in groupWeights.values where group > 0 {
            let grown = UInt128(group) * (pending.isEmpty ? 1 : product)
            if consensus(group: grown, total: total - UInt128(group) + grown) { return true }
        }
        return false
    }

    /// How many workers of weight `weight` a fresh task of trust `trust` needs at least, if they agree.
    public static func initialReplicates(trust: UInt64, weight: UInt64, limit: Int = 64) -> Int {
        for count in 1...max(limit, 1)
        where couldReachConsensus(
            trust: trust, groupWeights: [:], totalWeight: 0, pending: Array(repeating: weight, count: count))
        {
            return count
        }
        return limit
    }
}
