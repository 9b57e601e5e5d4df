import ArgumentParser
import ClaveServer
import Foundation

/// Where a node's data directory is.
struct DataDirectoryOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The node's data directory (default: $CLAVE_HOME/node, else ~/.clave/node).", valueName: "path"))
    var dataDir: String?

    var url: URL {
        dataDir.map { URL(fileURLWithPath: $0) } ?? DataDirectoryOptions.defaultURL()
    }

    /// `$CLAVE_HOME/node`, else `~/.clave/node`.
    static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        ClaveHome.url(environment: environment).appendingPathComponent("node")
    }
}
