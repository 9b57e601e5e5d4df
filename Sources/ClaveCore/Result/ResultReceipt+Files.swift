import ClaveCrypto
public import Foundation

extension ResultReceipt {
    /// Checks that the file at `url` is the stored result blob the receipt describes: its sha256 and size. The file is
    /// read once, in constant memory.
    public func verifyStoredResult(at url: URL) throws(ResultError) {
        guard let result else {
            throw ResultError(
                .storedResultMismatch, at: "result",
                "This receipt is of a callback-only result: it names no stored result to check against.")
        }
        let input = try ResultEncryption.reader(url)
        defer { try? input.close() }
        var hasher = SHA256Hasher()
        var size: UInt64 = 0
        while let chunk = try ResultEncryption.read(input, url, upTo: 1 << 20) {
            hasher.update(chunk)
            size += UInt64(chunk.count)
        }
        let sha256 = hasher.finalize()
        guard size == result.size, sha256 == result.sha256 else {
            throw ResultError(
                .storedResultMismatch, at: url.path,
                "\(url.path) has \(size) bytes and sha256 \(sha256), but the receipt's result \(result.cid) has \(result.size) bytes and sha256 \(result.sha256): it is not the result this receipt vouches for. Fetch the blob \(result.cid) again."
            )
        }
    }

    /// Checks a result archive (the plain zip, decrypted when the result is sealed) against the receipt: the result
    /// digest of its deterministic output, computed from the archive's entries as ``ResultDigest`` computes it from
    /// `$IEXEC_OUT` (a file entry's sha256; for a directory, its direct entries), must be the receipt's digest.
    ///
    /// Entries are read in constant memory and their CRC-32s checked. For a callback result the digest covers the
    /// callback data (``verify()`` checks it), so only the archive's integrity is checked.
    public func verifyArchive(at zipFile: URL) throws(ResultError) {
        let input = try ResultEncryption.reader(zipFile)
        defer { try? input.close() }
        try verifyArchive(named: zipFile.path) { try ZipReader(file: input) }
    }

    /// ``verifyArchive(at:)`` of an archive in memory.
    public func verifyArchive(bytes: [UInt8]) throws(ResultError) {
        try verifyArchive(named: "the result archive") { try ZipReader(bytes: bytes) }
    }

    private func verifyArchive(named name: String, _ open: () throws -> ZipReader) throws(ResultError) {
        let zip: ZipReader
        do {
            zip = try open()
        } catch {
            throw ResultError(
                .storedResultMismatch, at: name,
                "\(name) is not a result archive Clave can read (\(error)); if the result is encrypted, open it first with its result key."
            )
        }
        func sha256(_ entry: ZipReader.Entry) throws(ResultError) -> Bytes32 {
            var hasher = SHA256Hasher()
            do {
                try zip.read(entry) { hasher.update($0) }
            } catch {
                throw ResultError(
                    .storedResultMismatch, at: entry.name, "The archive entry \(entry.name) is damaged: \(error)")
            }
            return hasher.finalize()
        }
        guard callbackData == nil else {
            for entry in zip.entries where !entry.isDirectory { _ = try sha256(entry) }
            return
        }
        guard let path = deterministicOutputPath else {
            throw ResultError(
                .malformedReceipt, at: Member.deterministicOutputPath.rawValue,
                "The receipt has neither callback data nor a deterministic output path, so no digest can be recomputed from the archive."
            )
        }
        let relative = try ComputedFile.pathInIexecOut(path)
        let digest: Bytes32
        if !relative.isEmpty, let file = zip.entry(named: relative), !file.isDirectory {
            digest = try ResultDigest.file(sha256: sha256(file), byteCount: file.size)
        } else {
            let prefix = relative.isEmpty ? "" : relative + "/"
            var entries: [String: ResultDigest.Entry] = [:]
            var found = relative.isEmpty
            for entry in zip.entries where entry.name.hasPrefix(prefix) {
                found = true
                let rest = entry.name.dropFirst(prefix.count)
                guard !rest.isEmpty else { continue }
                let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                if parts.count == 1 && !entry.isDirectory {
                    entries[name] = .file(name, sha256: try sha256(entry), byteCount: entry.size)
                } else if entries[name] == nil {
                    entries[name] = ResultDigest.Entry(name: name, content: .directory)
                }
            }
            guard found else {
                throw ResultError(
                    .storedResultMismatch, at: path,
                    "The archive has no \(relative), the deterministic output path the receipt names: it is not the result this receipt vouches for."
                )
            }
            digest = try ResultDigest.directory(Array(entries.values))
        }
        guard digest == resultDigest else {
            throw ResultError(
                .storedResultMismatch, at: path,
                "The archive's \(relative.isEmpty ? "output" : relative) has result digest \(digest), but the receipt says \(resultDigest): it is not the result this receipt vouches for."
            )
        }
    }
}
