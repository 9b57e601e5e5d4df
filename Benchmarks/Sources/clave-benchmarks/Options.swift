/// Command-line options, parsed by hand to keep the benchmark package's dependencies to what it measures.
struct Options: Sendable {
    enum Benchmark: String, CaseIterable, Sendable {
        case stream, secp256k1, keccak, ledger, matchorders, protect, sms, task, runtime
    }

    static let usage = """
        USAGE: clave-benchmarks [all|stream|secp256k1|keccak|ledger|matchorders|protect|sms|task|runtime ...] [--quick] [--json]
                                [--rounds N]
                                [--segment-size BYTES] [--mib N] [--profile] [--block-size N]
                                [--duration SECONDS] [--worker-capacity N]

          all            every benchmark (the default)
          stream         clave-stream-v1 encrypt/decrypt of 1 GiB vs `openssl speed -evp aes-256-gcm`, peak RSS,
                         and file-to-file timings
          secp256k1      ClaveCrypto sign/recover vs libsecp256k1 called directly from C
          keccak         ClaveCrypto Keccak-256 vs swift-crypto SHA-256 on 64 MiB
          ledger         ClaveLedger submit->durable receipt tx/s over SQLite, and verify replay tx/s, vs
                         single-core signature recovery
          matchorders    ClaveCore State.apply of matchOrders transactions per second, vs single-core
                         recovery of order signatures (a match checks four)
          protect        DataProtector.protectData of a 1 GiB file through a node on 127.0.0.1 (encrypt, store,
                         register, push the key) vs ClaveStream.sealFile of the same file; peak RSS in process and
                         of `clave data protect` as a child process (built beside: --product clave)
          sms            SecretManagementService.openSession per second (one task, many tasks, concurrent) vs
                         single-core secp256k1 recovery
          --quick        smaller sizes and shorter reference runs (a smoke test, not a measurement)
          --json         print the results as JSON instead of a table
          --rounds N     interleaved rounds per benchmark, median reported (default 5 for stream,
                         3 for the others; 1 for stream, protect and sms with --quick)
          --mib N        stream and protect size in MiB (default 1024, 128 with --quick)
          --profile      stream: only the encrypt and decrypt loops, no reference and no files, for
                         `valgrind --tool=callgrind`; protect: only the protects, for `perf record`
          --segment-size clave-stream segment size in bytes (default: ClaveStream.defaultSegmentSize)
          --block-size   ledger: the sequencer's maximumBlockSize (default: Ledger.Configuration's)
          --duration     task: seconds of each throughput phase (default 60, 10 with --quick)
          --worker-capacity  task: the tasks each of the node's two workers runs at once (default 2, as `clave node`)
        """

    var selection: Set<Benchmark> = []
    var quick = false
    var json = false
    var help = false
    var segmentSize: Int?
    var rounds: Int?
    var profile = false
    var megabytes: Int?
    var blockSize: Int?
    var duration: Int?
    var workerCapacity: UInt64?

    init(arguments: [String]) throws(UsageError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "all": selection.formUnion(Benchmark.allCases)
            case "--quick": quick = true
            case "--json": json = true
            case "--help", "-h", "help": help = true
            case "--segment-size":
                guard let value = remaining.popFirst(), let size = Int(value), size > 0 else {
                    throw UsageError(message: "--segment-size needs a number of bytes")
                }
                segmentSize = size
            case "--profile": profile = true
            case "--mib":
                guard let value = remaining.popFirst(), let count = Int(value), count > 0 else {
                    throw UsageError(message: "--mib needs a positive number of MiB")
                }
                megabytes = count
            case "--block-size":
                guard let value = remaining.popFirst(), let size = Int(value), size > 0 else {
                    throw UsageError(message: "--block-size needs a positive number of transactions")
                }
                blockSize = size
            case "--duration":
                guard let value = remaining.popFirst(), let seconds = Int(value), seconds > 0 else {
                    throw UsageError(message: "--duration needs a positive number of seconds")
                }
                duration = seconds
            case "--worker-capacity":
                guard let value = remaining.popFirst(), let capacity = UInt64(value), capacity > 0 else {
                    throw UsageError(message: "--worker-capacity needs a positive number of tasks")
                }
                workerCapacity = capacity
            case "--rounds":
                guard let value = remaining.popFirst(), let count = Int(value), count > 0 else {
                    throw UsageError(message: "--rounds needs a positive number")
                }
                rounds = count
            default:
                guard let benchmark = Benchmark(rawValue: argument) else {
                    throw UsageError(message: "unknown argument '\(argument)'")
                }
                selection.insert(benchmark)
            }
        }
        if selection.isEmpty { selection = Set(Benchmark.allCases) }
    }

    struct UsageError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
