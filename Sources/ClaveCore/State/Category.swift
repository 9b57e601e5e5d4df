/// A category of work: how long a task of this category may take. Deadlines are multiples of its time reference.
///
/// Categories are numbered by their position in ``ChainConfiguration/categories``, as PoCo numbers them.
public struct Category: Sendable, Hashable {
    /// The category's name, e.g. `XS`.
    public var name: String
    /// The time reference in seconds (PoCo's `workClockTimeRef`).
    public var timeref: UInt64

    public init(name: String, timeref: UInt64) {
        self.name = name
        self.timeref = timeref
    }

    /// iExec's categories: XS 300 s, S 1200 s, M 3600 s, L 10800 s, XL 36000 s (ids 0 to 4).
    public static let standard: [Category] = [
        Category(name: "XS", timeref: 300),
        Category(name: "S", timeref: 1200),
        Category(name: "M", timeref: 3600),
        Category(name: "L", timeref: 10800),
        Category(name: "XL", timeref: 36000),
    ]

    /// Development chains add `DEV` (id 5), with a time reference of 20 s, so that whole task lifecycles, deadlines
    /// included, fit in a demo.
    public static let development = Category(name: "DEV", timeref: 20)
}
