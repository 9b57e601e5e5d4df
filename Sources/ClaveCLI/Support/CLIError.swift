import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command's failure, told to the user as one message that says what went wrong and what to do.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// A failed system call, with the system's reason.
    static func systemFailure(_ action: String) -> CLIError {
        CLIError("Could not \(action): \(String(cString: strerror(errno))).")
    }
}
