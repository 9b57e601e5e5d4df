import ClaveTestSupport
import Foundation

/// JSON fixtures under `Tests/ClaveStorageTests/Fixtures`, written by `Scripts/vectors/generate.py`.
enum Fixtures {
    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw TestFailure("Fixture \(name) is missing; run `python3 Scripts/vectors/generate.py` to write it.")
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `count` bytes from a seeded generator.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    var bytes = [UInt8]()
    bytes.reserveCapacity(count + 8)
    while bytes.count < count {
        withUnsafeBytes(of: generator.next().littleEndian) { bytes += $0 }
    }
    return Array(bytes.prefix(count))
}
