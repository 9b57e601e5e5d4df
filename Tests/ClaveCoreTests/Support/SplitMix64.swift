/// SplitMix64 (Steele, Lea and Flood, 2014): a small seeded generator, so that random tests repeat.
///
/// The same generator as ClaveCryptoTests' (test targets cannot share sources without a support target).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One element of `array`, which must not be empty.
    mutating func pick<Element>(_ array: [Element]) -> Element {
        array[Int.random(in: 0..<array.count, using: &self)]
    }

    /// True with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &self) < percent
    }
}
