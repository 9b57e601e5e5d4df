import ArgumentParser
import ClaveCrypto

/// `--json`: print a command's answer as one JSON document, for scripts, instead of text for people.
struct JSONOutput: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// Prints `json` when `--json` was given, else the text lines `text` makes.
    func emit(_ json: @autoclosure () -> JSONValue, text: () -> [String]) {
        if self.json {
            say(String(decoding: json().serialized(), as: UTF8.self))
        } else {
            for line in text() { say(line) }
        }
    }
}
