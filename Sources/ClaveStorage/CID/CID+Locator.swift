/// Blob locators: how the ledger and deal params name a blob of the network's store — `clave://<CID>`, optionally
/// followed by `/<name>` (the file name an input file is given), or a bare CID as older registrations wrote it.
extension CID {
    /// The scheme of a blob locator.
    public static let locatorScheme = "clave://"

    /// `clave://<CID>`: what an app's or a dataset's `multiaddr` holds.
    public var locator: String { Self.locatorScheme + description }

    /// The CID a locator names: `clave://<CID>`, `clave://<CID>/<name>` (the name is not part of it), or a bare CID.
    ///
    /// - Throws: ``StorageError/Code/invalidCID``, as ``init(_:)`` does for the CID part.
    public init(locator: some StringProtocol) throws(StorageError) {
        var text = Substring(locator)
        if text.hasPrefix(Self.locatorScheme) {
            text = text.dropFirst(Self.locatorScheme.count)
            if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        }
        try self.init(text)
    }
}
