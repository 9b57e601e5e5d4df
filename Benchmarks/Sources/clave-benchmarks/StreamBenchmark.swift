import ClaveCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// clave-stream-v1 throughput against OpenSSL's own AES-256-GCM figure, and the process's peak memory.
///
/// The plaintext is one 1 MiB buffer of pseudo-random bytes fed again and again through the incremental API
/// until 1 GiB has passed, so the process never holds more than a few MiB of data. Encryption output goes to a
/// sink that only counts it. For decryption, each 1 MiB chunk is first sealed (not timed) into a staging buffer,
/// then opened (timed), so that a real 1 GiB stream is authenticated segment by segment.
struct StreamBenchmark {
    var totalBytes: Int
    let chunkSize = 1 << 20
    let segmentSize: Int
    let referenceSeconds: Int
    let rounds: Int
    let profileOnly: Bool
    let fileBytes: Int
    let progress: Progress

    init(options: Options, progress: Progress) {
        totalBytes = options.quick ? 128 << 20 : 1 << 30
        fileBytes = options.quick ? 64 << 20 : 1 << 30
        segmentSize = options.segmentSize ?? ClaveStream.defaultSegmentSize
        referenceSeconds = options.quick ? 1 : 3
        rounds = options.rounds ?? (options.quick ? 1 : 5)
        profileOnly = options.profile
        if let megabytes = options.megabytes { totalBytes = megabytes << 20 }
        self.progress = progress
    }

    func run() throws -> [Measurement] {
        let size = totalBytes >> 20 >= 1024 ? "\(totalBytes >> 30) GiB" : "\(totalBytes >> 20) MiB"
        let key = StreamKey.generate()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { chunk.deallocate() }
        fillPseudoRandom(chunk, seed: 42)
        let plaintext = UnsafeRawBufferPointer(chunk)
        // Warm up code paths and OpenSSL's CPU dispatch.
        _ = try encrypt(plaintext, key: key, chunks: 16)
        if profileOnly {
            // Only the loops under test, for `valgrind --tool=callgrind`: no subprocess, no files.
            let encryption = try encrypt(plaintext, key: key, chunks: totalBytes / chunkSize)
            let decryption = try decrypt(plaintext, key: key, chunks: totalBytes / chunkSize)
            return [
                .information("stream encrypt \(size)", value: Double(totalBytes) / encryption.wall / 1e6, unit: "MB/s"),
                .information("stream decrypt \(size)", value: Double(totalBytes) / decryption.wall / 1e6, unit: "MB/s"),
            ]
        }

        // Rounds interleave the reference and the measurement, and each figure is the median of its rounds: this
        // machine is shared, and a best-of would favour our 0.3 s runs over openssl's 3 s averages.
        var references: [Double] = []
        var decryptReferences: [Double] = []
        var encryptions: [Timing] = []
        var decryptions: [Timing] = []
        for round in 1...rounds {
            progress.say(
                "round \(round)/\(rounds): openssl speed -evp aes-256-gcm -bytes 16384 -seconds \(referenceSeconds) "
                    + "(encrypt, then -decrypt)")
            references.append(try OpenSSLSpeed.aes256GCM(seconds: referenceSeconds))
            decryptReferences.append(try OpenSSLSpeed.aes256GCM(seconds: referenceSeconds, decrypt: true))
            progress.say(
                "round \(round)/\(rounds): clave-stream-v1 encrypt and decrypt \(size), segment size \(segmentSize)")
            encryptions.append(try encrypt(plaintext, key: key, chunks: totalBytes / chunkSize))
            decryptions.append(try decrypt(plaintext, key: key, chunks: totalBytes / chunkSize))
        }
        let peak = PeakMemory.measure()
        let bytes = Double(totalBytes)
        let reference = Rates(references)
        let decryptReference = Rates(decryptReferences)
        let encryption = Rates(encryptions.map { bytes / $0.wall })
        let decryption = Rates(decryptions.map { bytes / $0.wall })
        // openssl speed divides by user CPU time unless given -elapsed; the same view of our runs, for the notes.
        let encryptionCPU = Rates(encryptions.map { bytes / $0.cpu })
        let decryptionCPU = Rates(decryptions.map { bytes / $0.cpu })

        let rounds =
            "median of \(rounds) interleaved rounds (openssl \(reference.range), ours \(encryption.range) MB/s)"
        var results: [Measurement] = [
            .ratio(
                "stream encrypt \(size)", value: encryption.median / 1e6, unit: "MB/s",
                reference: reference.median / 1e6,
                referenceName: "openssl speed", target: 0.9,
                note: "\(rounds); segment size \(segmentSize), fed in 1 MiB chunks through StreamSealer, wall clock; "
                    + "reference: openssl speed -evp aes-256-gcm -bytes 16384 -seconds \(referenceSeconds); "
                    + "on CPU time as openssl counts it: \(Report.format(encryptionCPU.median / 1e6)) MB/s, "
                    + String(format: "%.2fx", encryptionCPU.median / reference.median)),
            .ratio(
                "stream decrypt \(size)", value: decryption.median / 1e6, unit: "MB/s",
                reference: reference.median / 1e6,
                referenceName: "openssl speed", target: 0.9,
                note: "median (ours \(decryption.range) MB/s); through StreamOpener, wall clock, against the encrypt "
                    + "reference as the target is set; "
                    + String(format: "%.2fx", decryption.median / decryptReference.median)
                    + " of `openssl speed -decrypt` (\(Report.format(decryptReference.median / 1e6)) MB/s); "
                    + "on CPU time: \(Report.format(decryptionCPU.median / 1e6)) MB/s, "
                    + String(format: "%.2fx", decryptionCPU.median / reference.median)),
            .ceiling("stream peak RSS", value: peak.mebibytes, unit: "MiB", limit: 64, note: peak.source),
        ]
        results += try files(plaintext, key: key)
        return results
    }

    /// Time to seal `chunks` copies of `plaintext` as one stream.
    private func encrypt(_ plaintext: UnsafeRawBufferPointer, key: StreamKey, chunks: Int) throws -> Timing {
        let sealer = try StreamSealer(key: key, segmentSize: segmentSize)
        var produced = 0
        let stopwatch = Stopwatch()
        for _ in 0..<chunks {
            try sealer.update(plaintext) { produced += $0.count }
        }
        try sealer.finish { produced += $0.count }
        let timing = stopwatch.read()
        let expected = ClaveStream.sealedByteCount(
            plaintextByteCount: chunks * plaintext.count, segmentSize: segmentSize)
        precondition(produced == expected, "sealed \(produced) bytes, expected \(expected)")
        return timing
    }

    /// Time spent opening a stream of `chunks` copies of `plaintext`, sealed chunk by chunk as it goes.
    private func decrypt(_ plaintext: UnsafeRawBufferPointer, key: StreamKey, chunks: Int) throws -> Timing {
        let sealer = try StreamSealer(key: key, segmentSize: segmentSize)
        let opener = StreamOpener(key: key)
        // One update can release everything held back plus the new chunk, in whole sealed segments.
        let stagingSize = ClaveStream.headerByteCount + 2 * (chunkSize + segmentSize + ClaveStream.tagByteCount)
        let staging = UnsafeMutableRawBufferPointer.allocate(byteCount: stagingSize, alignment: 64)
        defer { staging.deallocate() }
        var staged = 0
        let stage: (UnsafeRawBufferPointer) -> Void = { bytes in
            precondition(staged + bytes.count <= stagingSize, "staging buffer too small")
            (staging.baseAddress! + staged).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            staged += bytes.count
        }
        var opened = 0
        var checksum: UInt8 = 0
        var elapsed = Timing(wall: 0, cpu: 0)
        for index in 0...chunks {
            staged = 0
            if index < chunks {
                try sealer.update(plaintext, to: stage)
            } else {
                try sealer.finish(to: stage)
            }
            let stopwatch = Stopwatch()
            try opener.update(UnsafeRawBufferPointer(rebasing: staging[..<staged])) { bytes in
                opened += bytes.count
                checksum ^= bytes[bytes.count - 1]
            }
            if index == chunks {
                try opener.finish { bytes in
                    opened += bytes.count
                    if !bytes.isEmpty { checksum ^= bytes[bytes.count - 1] }
                }
            }
            elapsed = elapsed + stopwatch.read()
        }
        precondition(opened == chunks * plaintext.count, "opened \(opened) bytes")
        _ = checksum
        return elapsed
    }

    /// File-to-file timings, for information: they include writing, fsync and the page cache.
    private func files(_ plaintext: UnsafeRawBufferPointer, key: StreamKey) throws -> [Measurement] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "clave-benchmarks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("plaintext")
        let sealed = directory.appendingPathComponent("sealed")
        let opened = directory.appendingPathComponent("opened")
        let size = fileBytes >> 20 >= 1024 ? "\(fileBytes >> 30) GiB" : "\(fileBytes >> 20) MiB"
        progress.say("writing a \(size) plaintext file to \(directory.path)")
        _ = FileManager.default.createFile(atPath: source.path, contents: nil)
        let handle = try FileHandle(forWritingTo: source)
        for _ in 0..<(fileBytes / chunkSize) { try handle.write(contentsOf: Data(plaintext)) }
        try handle.synchronize()
        try handle.close()

        let clock = ContinuousClock()
        progress.say("sealFile \(size)")
        let sealSeconds = try clock.measure {
            try ClaveStream.sealFile(at: source, to: sealed, key: key, segmentSize: segmentSize)
        }.seconds
        progress.say("openFile \(size)")
        let openSeconds = try clock.measure { try ClaveStream.openFile(at: sealed, to: opened, key: key) }.seconds
        let note = "temp dir, page cache warm, includes fsync and rename"
        return [
            .information(
                "file->file encrypt \(size)", value: Double(fileBytes) / sealSeconds / 1e6, unit: "MB/s", note: note),
            .information(
                "file->file decrypt \(size)", value: Double(fileBytes) / openSeconds / 1e6, unit: "MB/s", note: note),
        ]
    }
}

/// Wall-clock (`ContinuousClock`) and this thread's CPU seconds.
struct Timing {
    var wall: Double
    var cpu: Double

    static func + (lhs: Timing, rhs: Timing) -> Timing { Timing(wall: lhs.wall + rhs.wall, cpu: lhs.cpu + rhs.cpu) }
}

/// Starts on creation; ``read()`` gives the time since.
struct Stopwatch {
    private let clock = ContinuousClock()
    private let wallStart: ContinuousClock.Instant
    private let cpuStart: Double

    init() {
        cpuStart = Stopwatch.threadCPUSeconds()
        wallStart = clock.now
    }

    func read() -> Timing {
        let wall = wallStart.duration(to: clock.now).seconds
        return Timing(wall: wall, cpu: Stopwatch.threadCPUSeconds() - cpuStart)
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Rates in bytes per second from several rounds.
struct Rates {
    let sorted: [Double]

    init(_ rates: [Double]) { sorted = rates.sorted() }

    var median: Double { clave_benchmarks.median(sorted) }

    /// "min-max" in MB/s.
    var range: String { "\(Report.format(sorted.first! / 1e6))-\(Report.format(sorted.last! / 1e6))" }
}
