import ClaveCrypto
import ClaveLedger
import Foundation
import ClaveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct DurabilityTests {
    /// The stress child sits beside the test bundle in the build folder.
    static var stressExecutable: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("clave-ledger-stress")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("clave-ledger-stress")
    }

    @Test func everyAcknowledgedTransactionSurvivesSIGKILL() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ledger.sqlite")
        let process = Process()
        process.executableURL = Self.stressExecutable
        process.arguments = [path, "1000000"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()

        // Read acknowledgements until a few hundred arrived, then kill the child mid-stream.
        var output: [UInt8] = []
        let reader = pipe.fileHandleForReading
        while output.count(where: { $0 == UInt8(ascii: "\n") }) < 300 {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            output += chunk
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        output += reader.readDataToEndOfFile()

        let text = String(decoding: output, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if !text.hasSuffix("\n") { lines.removeLast() }  // a hash cut by the kill was not fully acknowledged
        let acknowledged = lines.filter { !$0.isEmpty }.map { try! Bytes32(hex: $0) }
        #expect(acknowledged.count >= 300)

        let store = try SQLiteLedgerStore(path: path)
        let report = try await LedgerVerifier.verify(store: store)
        #expect(report.isValid, "\(report)")
        #expect(report.transactions >= acknowledged.count)
        for hash in acknowledged {
            #expect(try await store.transaction(hash: hash) != nil, "acknowledged \(hash) is missing")
        }
    }
}
