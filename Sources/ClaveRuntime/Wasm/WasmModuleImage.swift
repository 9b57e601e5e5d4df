import ClaveCrypto
import WasmKit
import WasmParser

/// A parsed WebAssembly module, and whether an instance of it can be put back as new after a run and run again
/// (docs/runtime.md, "Instances kept between runs").
///
/// WasmKit translates each function of an instance the first time it is called, and that translation is most of a
/// short run (a hello world's 6 ms). An instance is as new again once its state is: its linear memory, its mutable
/// globals, its tables and its segments. The first two are copied at instantiation and written back after each run;
/// the others must never change, which the module's code decides:
///
/// - one linear memory, defined by the module, not shared, of at most ``maximumSnapshotSize`` bytes at first (a run
///   that grows it leaves an instance that cannot be put back: a memory does not shrink);
/// - no start function (it would run once, at instantiation, and not at each run) and nothing imported but functions;
/// - no instruction that changes a table or drops a segment (`table.set`, `.grow`, `.fill`, `.copy`, `.init`,
///   `elem.drop`, `data.drop`).
///
/// The mutable globals a module defines are usually not exported (`__stack_pointer`), and WasmKit reaches only
/// exported ones; the module the runtime instantiates is the app's with one more export per mutable global, named
/// ``resetExportPrefix`` and its index. A module cannot see its own exports, so it runs the same.
struct WasmModuleImage: Sendable {
    /// Bytes of initial linear memory up to which an instance keeps a copy to restore.
    static let maximumSnapshotSize = 64 << 20
    static let resetExportPrefix = "clave.reset.global."

    /// What to instantiate: the app's module, plus the exports of its mutable globals when its instances can be kept.
    let module: Module
    /// The SHA-256 of the app's module file.
    let digest: Bytes32
    /// Why instances of this module cannot be kept, or nil when they can.
    let freshReason: String?
    /// The exports through which a kept instance's mutable globals are reset (empty when none, or not reusable).
    let resetGlobals: [String]

    /// Analyses and parses `bytes`; throws what ``WasmKit/parseWasm(bytes:features:)`` throws for a module that is
    /// not valid.
    init(bytes: [UInt8], digest: Bytes32) throws {
        self.digest = digest
        switch Self.plan(bytes) {
        case .fresh(let reason):
            freshReason = reason
            resetGlobals = []
            module = try parseWasm(bytes: bytes)
        case .reusable(let globals, let rewritten):
            if let reparsed = try? parseWasm(bytes: rewritten) {
                freshReason = nil
                resetGlobals = globals
                module = reparsed
            } else {
                freshReason = "its exports could not be extended to reach its globals"
                resetGlobals = []
                module = try parseWasm(bytes: bytes)
            }
        }
    }

    private enum Plan {
        case fresh(String)
        /// The names of the exports added for the mutable globals, and the module with them.
        case reusable(resetGlobals: [String], module: [UInt8])
    }

    /// Reads the module's sections to decide whether its instances can be reset (see the type's documentation).
    private static func plan(_ bytes: [UInt8]) -> Plan {
        var parser = Parser(bytes: bytes)
        var mutableGlobals: [UInt32] = []
        var memories: [WasmParser.Memory] = []
        var exportSection: (bytes: Range<Int>, exports: [Export])?
        var scanner = StateChangeScanner()
        do {
            var sectionStart = parser.offset
            while let payload = try parser.parseNext() {
                switch payload {
                case .importSection(let imports):
                    for entry in imports {
                        guard case .function = entry.descriptor else {
                            return .fresh("it imports \(entry.module).\(entry.name), which is not a function")
                        }
                    }
                case .memorySection(let defined):
                    memories += defined
                case .globalSection(let globals):
                    // Only functions are imported (above), so the module's own globals are numbered from 0.
                    for (offset, global) in globals.enumerated() where global.type.mutability == .variable {
                        mutableGlobals.append(UInt32(offset))
                    }
                case .exportSection(let exports):
                    exportSection = (sectionStart..<parser.offset, exports)
                case .startSection:
                    return .fresh("it has a start function")
                case .codeSection(let bodies):
                    for body in bodies {
                        var expression = ExpressionParser(code: body)
                        while let instruction = try expression.parse() {
                            instruction(visitor: &scanner)
                            if let change = scanner.change { return .fresh("its code uses \(change)") }
                        }
                    }
                default:
                    break
                }
                sectionStart = parser.offset
            }
        } catch {
            return .fresh("its code could not be read ahead (\(error))")
        }
        guard memories.count == 1, let memory = memories.first else {
            return .fresh("it defines \(memories.count) linear memories, not one")
        }
        guard !memory.type.shared else { return .fresh("its memory is shared") }
        guard memory.type.min <= UInt64(maximumSnapshotSize / 65536) else {
            return .fresh("its initial memory is larger than \(maximumSnapshotSize >> 20) MiB")
        }
        guard let exportSection else { return .fresh("it has no export section") }
        let added = mutableGlobals.map { Export(name: "\(resetExportPrefix)\($0)", descriptor: .global($0)) }
        guard Set(exportSection.exports.map(\.name)).isDisjoint(with: added.map(\.name)) else {
            return .fresh("it exports names Clave uses for its globals")
        }
        var rewritten = bytes
        rewritten.replaceSubrange(
            exportSection.bytes, with: WasmExportSection.encoded(exportSection.exports + added))
        return .reusable(resetGlobals: added.map(\.name), module: rewritten)
    }
}

/// Looks for the instructions that change a table or drop a segment: state a reset could not restore.
private struct StateChangeScanner: InstructionVisitor {
    typealias VisitorError = Never
    var binaryOffset = 0
    /// The first such instruction seen.
    var change: String?

    mutating func visitTableSet(table: UInt32) { change = change ?? "table.set" }
    mutating func visitTableGrow(table: UInt32) { change = change ?? "table.grow" }
    mutating func visitTableFill(table: UInt32) { change = change ?? "table.fill" }
    mutating func visitTableCopy(dstTable: UInt32, srcTable: UInt32) { change = change ?? "table.copy" }
    mutating func visitTableInit(elemIndex: UInt32, table: UInt32) { change = change ?? "table.init" }
    mutating func visitElemDrop(elemIndex: UInt32) { change = change ?? "elem.drop" }
    mutating func visitDataDrop(dataIndex: UInt32) { change = change ?? "data.drop" }
}

/// The export section (id 7) of a module binary, written from its entries.
enum WasmExportSection {
    static func encoded(_ exports: [Export]) -> [UInt8] {
        var body = leb(UInt32(exports.count))
        for export in exports {
            let name = Array(export.name.utf8)
            body += leb(UInt32(name.count)) + name
            switch export.descriptor {
            case .function(let index): body += [0] + leb(index)
            case .table(let index): body += [1] + leb(index)
            case .memory(let index): body += [2] + leb(index)
            case .global(let index): body += [3] + leb(index)
            case .tag(let index): body += [4] + leb(index)
            }
        }
        return [7] + leb(UInt32(body.count)) + body
    }

    /// Unsigned LEB128, as the binary format writes sizes, counts and indices.
    private static func leb(_ value: UInt32) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7f)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }
}
