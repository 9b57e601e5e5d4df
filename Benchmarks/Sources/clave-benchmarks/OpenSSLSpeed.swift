import Foundation

/// `openssl speed -evp aes-256-gcm -bytes 16384 -seconds N`, run as a subprocess: OpenSSL's own AES-256-GCM
/// throughput on this machine, on 16 KiB buffers, single-threaded.
enum OpenSSLSpeed {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Bytes per second, encrypting (or decrypting with `decrypt`).
    static func aes256GCM(seconds: Int, decrypt: Bool = false) throws -> Double {
        var arguments = ["openssl", "speed"]
        if decrypt { arguments.append("-decrypt") }
        arguments += ["-evp", "aes-256-gcm", "-bytes", "16384", "-seconds", "\(seconds)"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let rate = parse(text) else {
            throw Failure(description: "`\(arguments.joined(separator: " "))` gave no AES-256-GCM figure:\n\(text)")
        }
        return rate
    }

    /// Reads the result line, `AES-256-GCM    2604478.30k`: thousands of bytes per second.
    static func parse(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.uppercased().hasPrefix("AES-256-GCM") {
            guard var figure = line.split(separator: " ").last else { continue }
            if figure.hasSuffix("k") { figure = figure.dropLast() }
            if let thousands = Double(figure) { return thousands * 1000 }
        }
        return nil
    }
}
