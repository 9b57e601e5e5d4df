extension JSONValue {
    /// The members of a JSON object: each name once, kept in RFC 8785 order (by the UTF-16 code units of the names).
    ///
    /// Names are distinct by their Unicode scalars, so `"é"` (U+00E9) and `"e\u{301}"` are two members, as they are in
    /// the canonical bytes. Iterating gives `(key, value)` pairs in canonical order.
    public struct Object: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral,
        CustomStringConvertible
    {
        public typealias Element = (key: String, value: JSONValue)

        /// Sorted by ``JSONValue/Object/precedes(_:_:)``, no name twice.
        private var members: [Element]

        /// An empty object.
        public init() { members = [] }

        /// An object from a dictionary, whose keys are distinct.
        public init(_ dictionary: [String: JSONValue]) {
            members = dictionary.map { (key: $0.key, value: $0.value) }
            members.sort { Object.precedes($0.key, $1.key) }
        }

        /// An object from name-value pairs in any order; throws ``CryptoError/Code/invalidJSON`` when a name repeats.
        public init(_ pairs: some Sequence<(String, JSONValue)>) throws(CryptoError) {
            members = pairs.map { (key: $0.0, value: $0.1) }
            members.sort { Object.precedes($0.key, $1.key) }
            if let duplicate = Object.firstRepeatedName(in: members) {
                throw CryptoError(
                    .invalidJSON,
                    "The object has the member name \(JSONWriter.quoted(duplicate)) twice; a name may appear once."
                )
            }
        }

        /// Members already known to have distinct names (the parser checks as it reads).
        init(uniqueMembers: [Element]) {
            members = uniqueMembers
            members.sort { Object.precedes($0.key, $1.key) }
            assert(Object.firstRepeatedName(in: members) == nil)
        }

        public init(dictionaryLiteral elements: (String, JSONValue)...) {
            do {
                try self.init(elements)
            } catch {
                preconditionFailure(error.message)
            }
        }

        // MARK: Collection

        public var startIndex: Int { members.startIndex }
        public var endIndex: Int { members.endIndex }
        public subscript(position: Int) -> Element { members[position] }

        /// The member names, in canonical order.
        public var keys: [String] { members.map(\.key) }

        /// The value of the member named `key`, compared exactly; setting `nil` removes the member.
        public subscript(key: String) -> JSONValue? {
            get {
                switch search(key) {
                case .found(let index): members[index].value
                case .insertAt: nil
                }
            }
            set {
                switch (search(key), newValue) {
                case (.found(let index), .some(let value)): members[index].value = value
                case (.found(let index), .none): members.remove(at: index)
                case (.insertAt(let index), .some(let value)): members.insert((key: key, value: value), at: index)
                case (.insertAt, .none): break
                }
            }
        }

        /// Removes the member named `key` and returns its value, if there was one.
        @discardableResult
        public mutating func removeValue(forKey key: String) -> JSONValue? {
            guard case .found(let index) = search(key) else { return nil }
            return members.remove(at: index).value
        }

        public var description: String { JSONValue.object(self).description }

        // MARK: Exact equality

        public static func == (lhs: Object, rhs: Object) -> Bool {
            lhs.members.count == rhs.members.count
                && zip(lhs.members, rhs.members).allSatisfy {
                    JSONValue.exactlyEqual($0.key, $1.key) && $0.value == $1.value
                }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(members.count)
            for member in members {
                JSONValue.hashExactly(member.key, into: &hasher)
                hasher.combine(member.value)
            }
        }

        // MARK: Order

        /// RFC 8785's order of member names: lexicographic by UTF-16 code units. It differs from code point order
        /// for names starting past U+FFFF against U+E000…U+FFFF: `"😀"` (D83D DE00) sorts before `"ﬁ"` (FB01).
        public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
            lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
        }

        private enum SearchResult {
            case found(Int)
            case insertAt(Int)
        }

        private func search(_ key: String) -> SearchResult {
            var low = 0
            var high = members.count
            while low < high {
                let middle = (low + high) / 2
                if Object.precedes(members[middle].key, key) {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            if low < members.count, JSONValue.exactlyEqual(members[low].key, key) { return .found(low) }
            return .insertAt(low)
        }

        private static func firstRepeatedName(in sorted: [Element]) -> String? {
            for index in sorted.indices.dropFirst()
            where JSONValue.exactlyEqual(sorted[index - 1].key, sorted[index].key) {
                return sorted[index].key
            }
            return nil
        }
    }
}
