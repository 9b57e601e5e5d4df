package import Testing

/// Why ``eventually(_:timeout:sourceLocation:_:)`` gave up.
package struct TimedOut: Error, CustomStringConvertible {
    package let description: String
}

/// Waits (polling every 20 ms, for at most `timeout`) until `condition` holds; records an issue at the caller and
/// throws when it never does.
package func eventually(
    _ what: String, timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
    throw TimedOut(description: "timed out waiting until \(what)")
}
