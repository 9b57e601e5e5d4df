package import Logging

extension Logger {
    /// A logger that drops everything, so that test output shows only the tests.
    package static let quiet = Logger(label: "clave.test") { _ in SwiftLogNoOpLogHandler() }
}
