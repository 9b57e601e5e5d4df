// Plumbing shared by StreamSealer and StreamOpener.

/// Where a sealer or opener is in its life.
enum StreamState {
    case active
    case finished
    case failed(CryptoError)

    /// Throws the earlier failure again; traps on use after `finish`, which is a programming error.
    func checkUsable(what: String) throws(CryptoError) {
        switch self {
        case .active: return
        case .failed(let error): throw error
        case .finished: preconditionFailure("\(what) used after finish(); create a new one for each stream.")
        }
    }
}

/// Runs `body` with an emitter that forwards to `sink`, and rethrows the sink's own error if it threw one.
func forwardingSinkErrors(
    _ sink: (UnsafeRawBufferPointer) throws -> Void,
    _ body: ((UnsafeRawBufferPointer) throws(CryptoError) -> Void) throws(CryptoError) -> Void
) throws {
    var sinkError: (any Error)?
    // `body` cannot be handed a closure that captures the non-escaping `sink` directly (the compiler cannot rule
    // out re-entrance); neither function keeps it, so this does not actually escape.
    try withoutActuallyEscaping(sink) { sink in
        do throws(CryptoError) {
            try body { chunk throws(CryptoError) in
                do {
                    try sink(chunk)
                } catch {
                    sinkError = error
                    throw CryptoError(
                        .io, "Writing the stream's output failed: \(error). The output is incomplete; discard it.")
                }
            }
        } catch {
            if let sinkError { throw sinkError }
            throw error
        }
    }
}

/// `Array.withUnsafeBytes`, keeping the error type (the standard library's version only rethrows `any Error`).
func withBytes<Result>(
    of array: [UInt8],
    _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> Result
) throws(CryptoError) -> Result {
    var result: Result?
    var failure: CryptoError?
    array.withUnsafeBytes { raw in
        do throws(CryptoError) { result = try body(raw) } catch { failure = error }
    }
    if let failure { throw failure }
    return result!
}

/// `Array.withUnsafeMutableBytes`, keeping the error type.
func withMutableBytes<Result>(
    of array: inout [UInt8],
    _ body: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> Result
) throws(CryptoError) -> Result {
    var result: Result?
    var failure: CryptoError?
    array.withUnsafeMutableBytes { raw in
        do throws(CryptoError) { result = try body(raw) } catch { failure = error }
    }
    if let failure { throw failure }
    return result!
}
