/// Room for one segment's output, placed anew for each segment half a page (2 KiB, modulo 4 KiB) away from that
/// segment's input.
///
/// OpenSSL's AES-GCM loop loads input and stores output at the same running offset. When the two buffers start at
/// the same address modulo 4096, which is what `malloc` gives any two large (`mmap`ed) buffers, the CPU takes
/// the loads for dependent on the earlier stores ("4K aliasing") and throughput drops by a quarter (measured at
/// 256 KiB segments on this project's x86-64 build machines). A fixed offset cannot help, because the input is the
/// caller's memory; so the output moves, within 4 KiB of slack, to wherever the input is not.
struct SegmentOutputBuffer {
    private static let page = 4096
    private let storage: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity + SegmentOutputBuffer.page, alignment: 64)
    }

    /// Where to write the output of a segment whose input starts at `input`; `capacity` bytes are available.
    func start(against input: UnsafeRawPointer?) -> UnsafeMutableRawPointer {
        let base = UInt(bitPattern: storage.baseAddress!)
        let offset =
            (UInt(bitPattern: input) &+ UInt(SegmentOutputBuffer.page / 2) &- base) % UInt(SegmentOutputBuffer.page)
        return storage.baseAddress! + Int(offset)
    }

    /// Wipes and frees the buffer.
    func deallocate() {
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        storage.deallocate()
    }
}
