import Foundation

/// JSON fixtures under `Tests/ClaveCryptoTests/Fixtures`, written by `Scripts/vectors/generate.py`.
enum Fixtures {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw FixtureMissing(name: name)
        }
        return url
    }

    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }

    struct FixtureMissing: Error, CustomStringConvertible {
        let name: String
        var description: String {
            "Fixture \(name) is missing; run `python3 Scripts/vectors/generate.py` to write it."
        }
    }
}
