extension JSONValue {
    /// A JSON number: the text it was written with, and the IEEE-754 double that text denotes.
    ///
    /// The text follows RFC 8259's grammar (`-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`) and its double is
    /// finite: `1e400` is refused, as are `NaN` and `Infinity`, because RFC 8785 has no form for them. Text too small
    /// for a double (`1e-400`) denotes zero, as in every JSON reader that uses doubles.
    ///
    /// Equality and hashing use the text. ``canonicalText`` is what RFC 8785 prints: the double as ECMAScript's
    /// `Number.prototype.toString` writes it.
    public struct Number: Sendable, Hashable, CustomStringConvertible {
        /// The number exactly as written.
        public let text: String
        /// The nearest double (correctly rounded); never NaN or infinite.
        public let double: Double

        /// Parses a number written in JSON's grammar.
        public init(_ text: some StringProtocol) throws(CryptoError) {
            let bytes = Array(text.utf8)
            let end = try JSONParser.scanNumber(bytes, from: 0)
            guard end == bytes.count else {
                throw JSONParser.error(
                    at: end, "expected the end of the number, found \(JSONParser.describe(bytes, at: end))")
            }
            try self.init(validatedText: String(text), at: 0)
        }

        /// Text already checked against the grammar; refuses it when it is outside the range of a double.
        init(validatedText text: String, at offset: Int) throws(CryptoError) {
            guard let double = Double(text), double.isFinite else {
                throw JSONParser.error(
                    at: offset,
                    "the number \(text.prefix(40))\(text.count > 40 ? "…" : "") is too large for an IEEE-754 double, "
                        + "which is every JSON number in RFC 8785; write it as a decimal string"
                )
            }
            self.text = text
            self.double = double
        }

        /// The number for a double, written in its canonical form; `nil` for NaN and the infinities.
        public init?(_ value: Double) {
            guard value.isFinite else { return nil }
            text = Number.canonicalText(of: value)
            double = value
        }

        /// The number for an integer, written exactly. Note that the canonical form is the nearest double, so an
        /// integer of magnitude above 2^53 loses digits there: write amounts as decimal strings.
        public init(_ value: some BinaryInteger) {
            text = String(value)
            double = Double(value)
        }

        /// The RFC 8785 form: ECMAScript's `Number.prototype.toString` of ``double``.
        public var canonicalText: String {
            Number.canonicalText(of: double)
        }

        /// The value as an `Int64` when it is an integer that fits, whether written `7`, `7.0` or `7e0`.
        public var int64: Int64? {
            if let exact = Int64(text) { return exact }
            guard double.rounded() == double, abs(double) <= 9_007_199_254_740_992 else { return nil }
            return Int64(double)
        }

        /// The value as a `UInt64` when it is a non-negative integer that fits, whether written `7`, `7.0` or `7e0`.
        public var uint64: UInt64? {
            if let exact = UInt64(text) { return exact }
            guard double.rounded() == double, double >= 0, double <= 9_007_199_254_740_992 else { return nil }
            return UInt64(double)
        }

        public var description: String { text }

        public static func == (lhs: Number, rhs: Number) -> Bool { lhs.text == rhs.text }
        public func hash(into hasher: inout Hasher) { hasher.combine(text) }
    }
}

// MARK: - ECMAScript number formatting (RFC 8785 section 3.2.2.3)

extension JSONValue.Number {
    static func canonicalText(of value: Double) -> String {
        var out: [UInt8] = []
        appendCanonical(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ECMA-262 `Number::toString(value)` (radix 10). Precondition: `value` is finite.
    ///
    /// With `s` the shortest digit string that round-trips (k digits, no trailing zero) and n the position of the
    /// decimal point, so that value = 0.s × 10^n:
    /// - k ≤ n ≤ 21: the digits, then n − k zeros (`100`, `123456789012345680000`);
    /// - 0 < n ≤ 21: the digits with a point after the first n (`4.5`);
    /// - −6 < n ≤ 0: `0.`, −n zeros, the digits (`0.000001`);
    /// - otherwise: the first digit, `.` and the others when k > 1, `e`, the sign of n − 1, |n − 1| (`1e+21`, `1e-7`).
    /// Both zeros print as `0`.
    static func appendCanonical(_ value: Double, to out: inout [UInt8]) {
        precondition(value.isFinite, "JSON has no number \(value)")
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let (digits, n) = shortestDigits(of: value.magnitude)
        let k = digits.count
        let zero = UInt8(ascii: "0")
        if k <= n && n <= 21 {
            out += digits
            out += repeatElement(zero, count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits[..<n]
            out.append(UInt8(ascii: "."))
            out += digits[n...]
        } else if -6 < n && n <= 0 {
            out += [zero, UInt8(ascii: ".")]
            out += repeatElement(zero, count: -n)
            out += digits
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out += digits[1...]
            }
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: n - 1 >= 0 ? "+" : "-"))
            out += String((n - 1).magnitude).utf8
        }
    }

    /// The shortest decimal digits that round-trip to `value` (positive, finite) and the decimal exponent n such that
    /// value ≈ 0.d₁d₂…d_k × 10^n, with d₁ ≠ 0 and d_k ≠ 0.
    ///
    /// Swift's `description` prints exactly these digits (the shortest string that reads back as the same double,
    /// the closest such when there are several), in one of the forms `123.45`, `1e-05` or `1.2345e+20`; this takes
    /// the digits and the exponent back out of that text, whatever the form.
    static func shortestDigits(of value: Double) -> (digits: [UInt8], exponent: Int) {
        precondition(value > 0 && value.isFinite)
        var digits: [UInt8] = []
        var point: Int? = nil
        var exponent = 0
        let text = Array(value.description.utf8)
        var index = 0
        scan: while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: "."): point = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard let parsed = Int(String(decoding: text[(index + 1)...], as: UTF8.self)) else {
                    preconditionFailure("unexpected exponent in \(value.description)")
                }
                exponent = parsed
                break scan
            default:
                preconditionFailure("unexpected character in \(value.description)")
            }
            index += 1
        }
        var n = (point ?? digits.count) + exponent
        let leadingZeros = digits.prefix(while: { $0 == UInt8(ascii: "0") }).count
        n -= leadingZeros
        let trailingZeros = digits.reversed().prefix(while: { $0 == UInt8(ascii: "0") }).count
        return (Array(digits[leadingZeros..<(digits.count - trailingZeros)]), n)
    }
}
