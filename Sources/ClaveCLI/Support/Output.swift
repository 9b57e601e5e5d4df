import Foundation

/// Where commands write what they print: standard output, or, in tests, whatever the task binds.
package struct Output: Sendable {
    package let write: @Sendable (String) -> Void

    package init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Standard output, unbuffered, so that a line is out before the command goes on (`clave node` prints its URL,
    /// then serves).
    package static let standard = Output { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The output of the commands running in this task.
    @TaskLocal package static var current = Output.standard
}

/// Prints one line to the command's output.
func say(_ line: String = "") {
    Output.current.write(line + "\n")
}
