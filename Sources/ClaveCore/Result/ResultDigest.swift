public import ClaveCrypto

/// The 32-byte result digest the workers of a task agree on, computed as iExec computes it (docs/formats/result.md).
///
/// - Without a callback (web2), from the deterministic output: a file's digest is the sha256 of its bytes; a
///   directory's is keccak256 over the sha256 of each direct entry, concatenated in the order of the entries' names.
/// - With a callback (web3), keccak256 of the callback bytes, which PoCo checks on-chain:
///   `keccak256(results callback) == resultDigest` (IexecPoco2Facet.sol, `contributeAndFinalize` / `finalize`).
///
/// Sources: iexec-common `FileHashUtils.getFileTreeSha256` and `ResultUtils.computeWeb2ResultDigest` /
/// `computeWeb3ResultDigest`; tee-worker-post-compute-rust `compute/post/src/compute/result_utils.rs`
/// (`get_file_tree_sha256`, `sha256_file`, `compute_web3_result_digest`) and `shared/src/utils/hash_utils.rs`
/// (`concatenate_and_hash`).
///
/// These functions take sha256 digests the caller computed while reading the files (ClaveCore does no I/O), so a file
/// of any size is hashed once, streaming.
public enum ResultDigest {
    /// One direct entry of the deterministic output directory.
    public struct Entry: Sendable, Hashable {
        public enum Content: Sendable, Hashable {
            /// A regular file: the sha256 of its bytes and how many bytes it has.
            case file(sha256: Bytes32, byteCount: UInt64)
            /// A directory (or anything that is not a regular file). It contributes nothing: iExec hashes only the
            /// direct entries, and reading a directory as a file fails, which both implementations turn into an empty
            /// hash that the concatenation skips.
            case directory
        }

        /// The entry's file name: no `/`, not empty, `.` or `..`.
        public let name: String
        public let content: Content

        public init(name: String, content: Content) {
            self.name = name
            self.content = content
        }

        /// A regular file.
        public static func file(_ name: String, sha256: Bytes32, byteCount: UInt64) -> Entry {
            Entry(name: name, content: .file(sha256: sha256, byteCount: byteCount))
        }
    }

    /// The digest of a deterministic output that is one file: the sha256 of its bytes.
    ///
    /// An empty file is refused, as tee-worker-post-compute-rust's `sha256_file` refuses it ("Null file content").
    public static func file(sha256: Bytes32, byteCount: UInt64) throws(ResultError) -> Bytes32 {
        guard byteCount > 0 else {
            throw ResultError(
                .emptyOutput, at: "deterministic-output-path",
                "The deterministic output file is empty, and iExec refuses to digest an empty file; have the app write its result into it."
            )
        }
        return sha256
    }

    /// The digest of a deterministic output that is a directory: keccak256 of the concatenated sha256 digests of its
    /// direct entries, in the order of their names' UTF-8 bytes.
    ///
    /// - The order: tee-worker-post-compute-rust sorts the entries by path (`entries.sort_by_key(|entry|
    ///   entry.path())`); in one directory that compares the names as bytes, their UTF-8. iexec-common's Java
    ///   `Arrays.sort(File[])` compares path strings by UTF-16 code units, which agrees except between names holding
    ///   characters above U+FFFF and names holding U+E000...U+FFFF; Clave follows the Rust post-compute, which signs
    ///   TEE results.
    /// - An empty directory is refused (the Rust `get_file_tree_sha256` returns no digest for it; iExec's docs ask for
    ///   "a file or a non-empty folder").
    /// - An empty file or a subdirectory contributes nothing: the Rust `sha256_file` gives the empty string for
    ///   both, and `concatenate_and_hash` decodes it to no bytes. (The Java worker hashes an empty file as sha256 of
    ///   nothing; Clave follows the Rust post-compute.)
    public static func directory(_ entries: [Entry]) throws(ResultError) -> Bytes32 {
        guard !entries.isEmpty else {
            throw ResultError(
                .emptyOutput, at: "deterministic-output-path",
                "The deterministic output directory has no entries, and iExec refuses to digest an empty directory; have the app write its result files into it."
            )
        }
        for entry in entries {
            guard !entry.name.isEmpty, entry.name != ".", entry.name != "..", !entry.name.contains("/") else {
                throw ResultError(
                    .invalidEntryName, at: entry.name,
                    "\"\(entry.name)\" is not the name of a direct entry of the output directory; list each entry by its file name alone."
                )
            }
        }
        let sorted = entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        var hasher = Keccak256()
        for entry in sorted {
            if case .file(let sha256, let byteCount) = entry.content, byteCount > 0 {
                sha256.bytes.withUnsafeBytes { hasher.update($0) }
            }
        }
        return hasher.finalize()
    }

    /// The digest of a callback result (web3 mode): keccak256 of the callback bytes, decoded from `callback-data`'s
    /// hex.
    ///
    /// This is what PoCo checks (`keccak256(resultsCallback) == resultDigest`) and what iexec-common's Java computes
    /// (web3j `Hash.sha3(String)` decodes the hex before hashing). tee-worker-post-compute-rust's
    /// `compute_web3_result_digest` instead hashes the UTF-8 text of the hex string (its test expects
    /// `0xcb371be2…76f3` for `0x00…01`); a digest made that way fails the contract's check, so Clave does not follow
    /// it. Empty callback data is refused, as both implementations refuse it.
    public static func callback(_ data: [UInt8]) throws(ResultError) -> Bytes32 {
        guard !data.isEmpty else {
            throw ResultError(
                .emptyOutput, at: "callback-data",
                "The callback data is empty, and iExec refuses to digest empty callback data; have the app write the 0x hex bytes for the callback."
            )
        }
        return Hashing.keccak(data)
    }
}
