/// Checked arithmetic for amounts, weights and counters: an overflow or underflow is a ``Rejection``, never a trap.
enum Checked {
    static func add(_ lhs: UInt64, _ rhs: UInt64, _ what: @autoclosure () -> String) throws(Rejection) -> UInt64 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        guard !overflow else {
            throw Rejection(
                .arithmeticOverflow, "\(what()): \(lhs) + \(rhs) does not fit in 64 bits; use smaller amounts.")
        }
        return sum
    }

    static func subtract(_ lhs: UInt64, _ rhs: UInt64, _ what: @autoclosure () -> String) throws(Rejection) -> UInt64 {
        let (difference, overflow) = lhs.subtractingReportingOverflow(rhs)
        guard !overflow else {
            throw Rejection(.arithmeticOverflow, "\(what()): \(lhs) - \(rhs) is below zero.")
        }
        return difference
    }

    static func multiply(_ lhs: UInt64, _ rhs: UInt64, _ what: @autoclosure () -> String) throws(Rejection) -> UInt64 {
        let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        guard !overflow else {
            throw Rejection(
                .arithmeticOverflow, "\(what()): \(lhs) × \(rhs) does not fit in 64 bits; use smaller amounts.")
        }
        return product
    }

    /// `value × numerator / denominator` computed on 128 bits, rounded down; a rejection only when the quotient does
    /// not fit in 64 bits or `denominator` is zero.
    static func multiplyDivide(
        _ value: UInt64, _ numerator: UInt64, _ denominator: UInt64, _ what: @autoclosure () -> String
    ) throws(Rejection) -> UInt64 {
        guard denominator > 0 else {
            throw Rejection(.arithmeticOverflow, "\(what()): division of \(value) × \(numerator) by zero.")
        }
        let product = value.multipliedFullWidth(by: numerator)
        guard product.high < denominator else {
            throw Rejection(
                .arithmeticOverflow, "\(what()): \(value) × \(numerator) / \(denominator) does not fit in 64 bits.")
        }
        return denominator.dividingFullWidth(product).quotient
    }

    /// `value × percent / 100` rounded down, as PoCo's `percentage`; never overflows for `percent` ≤ 100.
    static func percentage(_ value: UInt64, _ percent: UInt64, _ what: @autoclosure () -> String) throws(Rejection)
        -> UInt64
    {
        try multiplyDivide(value, percent, 100, what())
    }
}
