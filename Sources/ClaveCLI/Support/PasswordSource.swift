import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a keystore password comes from, in order: `--password-file`, the environment variable
/// `CLAVE_WALLET_PASSWORD`, or a prompt on the terminal that does not echo what is typed.
struct PasswordSource {
    static let environmentVariable = "CLAVE_WALLET_PASSWORD"

    var file: String?
    var environment: [String: String] = ProcessInfo.processInfo.environment

    /// Reads the password. With `confirm`, a prompt asks twice and refuses a mismatch.
    func password(prompt: String, confirm: Bool = false) throws -> String {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("Could not read the password file \(file); check the path and its permissions.")
            }
            var text = String(decoding: data, as: UTF8.self)
            // A trailing newline from `echo secret > file` is not part of the password.
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        if let value = environment[PasswordSource.environmentVariable] {
            return value
        }
        let first = try PasswordSource.promptWithoutEcho(prompt)
        if confirm {
            let second = try PasswordSource.promptWithoutEcho("Repeat the password: ")
            guard first == second else { throw CLIError("The two passwords differ; nothing was written. Try again.") }
        }
        return first
    }

    /// Prompts on the controlling terminal with echo turned off.
    static func promptWithoutEcho(_ prompt: String) throws -> String {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else {
            throw CLIError(
                "No terminal to ask for the password. Set \(environmentVariable) or pass --password-file FILE."
            )
        }
        defer { close(tty) }
        // Echo goes off before the prompt shows, so nothing typed in answer is ever echoed or flushed away.
        var original = termios()
        let isTerminal = tcgetattr(tty, &original) == 0
        if isTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSANOW, &silent)
        }
        defer {
            if isTerminal { tcsetattr(tty, TCSANOW, &original) }
            _ = "\n".withCString { write(tty, $0, 1) }
        }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(tty, &byte, 1) == 1, byte != 0x0A {
            bytes.append(byte)
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
