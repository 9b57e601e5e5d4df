public import Foundation

/// The folder where Clave keeps a user's things (keystores, the node's data, journals of interrupted protects):
/// `$CLAVE_HOME`, else `$HOME/.clave`, else the account's home folder's `.clave`.
///
/// `$HOME` is read first, as every Unix tool does, so that a test or a script that sets it gets a home of its own.
public enum ClaveHome {
    public static func url(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["CLAVE_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        if let home = environment["HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home).appendingPathComponent(".clave")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".clave")
    }
}
