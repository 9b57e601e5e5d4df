import ClaveCLI
import Testing

@Suite struct ParsingTests {
    @Test func rootCommandParses() throws {
        _ = try ClaveCommand.parseAsRoot(["wallet", "--help"])
    }
}
