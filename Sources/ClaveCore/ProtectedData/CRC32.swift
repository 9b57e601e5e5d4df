import CClaveCRC32

/// CRC-32 as zip, gzip and PNG use it (ISO-HDLC: reflected polynomial 0xEDB88320, initial value and final XOR
/// 0xFFFFFFFF): `CRC32.checksum("123456789".utf8) == 0xCBF43926`.
///
/// On x86-64 processors with PCLMULQDQ, runs of 64 bytes or more are folded by carry-less multiplication
/// (`CClaveCRC32`, about 10 GB/s); the rest, and everything elsewhere, is computed by slicing-by-16 (sixteen
/// 256-entry tables, 16 KiB in all; sixteen input bytes per step, about 2 GB/s), so that checksumming a streamed
/// entry costs little beside reading it: see `docs/formats/protected-data.md` for speeds.
///
/// ```swift
/// var crc = CRC32()
/// crc.update(firstChunk)
/// crc.update(secondChunk)
/// let value = crc.value
/// ```
public struct CRC32: Sendable, Hashable {
    /// The running register, before the final XOR.
    private var register: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The CRC-32 of everything given so far.
    public var value: UInt32 { register ^ 0xFFFF_FFFF }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var pointer = buffer.baseAddress, !buffer.isEmpty else { return }
        var remaining = buffer.count
        var crc = register
        let folded = clave_crc32_fold(&crc, pointer.assumingMemoryBound(to: UInt8.self), remaining)
        pointer += folded
        remaining &-= folded
        CRC32.tables.withUnsafeBufferPointer { tables in
            let t = tables.baseAddress!
            @inline(__always) func entry(_ slice: Int, _ index: UInt32) -> UInt32 {
                t[slice &* 256 &+ Int(index & 0xFF)]
            }
            while remaining >= 16 {
                let first = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self))
                let second = UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                let a = UInt32(truncatingIfNeeded: first) ^ crc
                let b = UInt32(truncatingIfNeeded: first &>> 32)
                let c = UInt32(truncatingIfNeeded: second)
                let d = UInt32(truncatingIfNeeded: second &>> 32)
                crc =
                    entry(15, a) ^ entry(14, a &>> 8) ^ entry(13, a &>> 16) ^ entry(12, a &>> 24)
                    ^ entry(11, b) ^ entry(10, b &>> 8) ^ entry(9, b &>> 16) ^ entry(8, b &>> 24)
                    ^ entry(7, c) ^ entry(6, c &>> 8) ^ entry(5, c &>> 16) ^ entry(4, c &>> 24)
                    ^ entry(3, d) ^ entry(2, d &>> 8) ^ entry(1, d &>> 16) ^ entry(0, d &>> 24)
                pointer += 16
                remaining &-= 16
            }
            while remaining > 0 {
                crc = entry(0, crc ^ UInt32(pointer.load(as: UInt8.self))) ^ (crc &>> 8)
                pointer += 1
                remaining &-= 1
            }
        }
        register = crc
    }

    /// `tables[k * 256 + b]`: the CRC register after byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 16 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            for slice in 1..<16 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()
}
