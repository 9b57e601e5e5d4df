/// Parsing of integers into 32-byte big-endian two's-complement words, as EIP-712 and the ABI encode `uintN`/`intN`.
enum Word256 {
    /// The word for `text` (decimal with optional `-`, or `0x` hex), checked to fit `bits` bits, signed or not.
    static func parse(_ text: String, bits: Int, signed: Bool) -> Result<[UInt8], Failure> {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if digits.hasPrefix("-") {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return .failure(.notANumber) }
        var magnitude = [UInt8](repeating: 0, count: 32)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            let hexDigits = digits.dropFirst(2)
            guard !hexDigits.isEmpty,
                let bytes = try? Hex.decode(hexDigits.count % 2 == 0 ? hexDigits : "0" + hexDigits)
            else {
                return .failure(.notANumber)
            }
            let significant = Array(bytes.drop { $0 == 0 })
            guard significant.count <= 32 else { return .failure(.outOfRange) }
            magnitude.replaceSubrange((32 - significant.count)..<32, with: significant)
        } else {
            for char in digits.utf8 {
                guard (0x30...0x39).contains(char) else { return .failure(.notANumber) }
                // magnitude = magnitude * 10 + digit
                var carry = UInt16(char - 0x30)
                for index in stride(from: 31, through: 0, by: -1) {
                    let product = UInt16(magnitude[index]) * 10 + carry
                    magnitude[index] = UInt8(truncatingIfNeeded: product)
                    carry = product >> 8
                }
                if carry != 0 { return .failure(.outOfRange) }
            }
        }
        let isZero = !magnitude.contains { $0 != 0 }
        if negative && !signed && !isZero { return .failure(.negativeUnsigned) }

        // Range: unsigned < 2^bits; signed positive < 2^(bits-1); signed negative magnitude <= 2^(bits-1).
        let limitBits = signed ? bits - 1 : bits
        let limit = powerOfTwo(limitBits)
        if let limit {
            let below = magnitude.lexicographicallyPrecedes(limit)
            let fits = negative ? (below || magnitude == limit) : below
            guard fits else { return .failure(.outOfRange) }
        }
        guard negative, !isZero else { return .success(magnitude) }
        // Two's complement over 256 bits.
        var word = magnitude.map { ~$0 }
        for index in stride(from: 31, through: 0, by: -1) {
            word[index] &+= 1
            if word[index] != 0 { break }
        }
        return .success(word)
    }

    /// 2^bits as a 32-byte word, or nil when it is 2^256 (every word fits).
    private static func powerOfTwo(_ bits: Int) -> [UInt8]? {
        guard bits < 256 else { return nil }
        var word = [UInt8](repeating: 0, count: 32)
        word[31 - bits / 8] = 1 << UInt8(bits % 8)
        return word
    }

    enum Failure: Error {
        case notANumber, outOfRange, negativeUnsigned
    }
}

import Foundation
