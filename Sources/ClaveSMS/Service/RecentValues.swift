/// Values worked out lately, at most ``capacity``, by key; the oldest is forgotten first, and a forgotten value is
/// worked out again. For what costs to work out and is asked for again soon: a task's challenge key (for its
/// challenge, then for its session, a derivation costing a secp256k1 public key each), a deal's dataset order (read
/// from the ledger's log, asked by each of its tasks).
struct RecentValues<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private var values: [Key: Value] = [:]
    /// The keys in the order they came, as a ring once full: `next` is the oldest.
    private var order: [Key] = []
    private var next = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    subscript(key: Key) -> Value? { values[key] }

    var count: Int { values.count }

    mutating func remember(_ value: Value, for key: Key) {
        guard values.updateValue(value, forKey: key) == nil else { return }
        guard order.count == capacity else {
            order.append(key)
            return
        }
        values.removeValue(forKey: order[next])
        order[next] = key
        next = (next + 1) % capacity
    }
}
