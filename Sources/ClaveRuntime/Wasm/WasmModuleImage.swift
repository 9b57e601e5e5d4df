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

    /// What to instantiate: the app's module, plus the exports of its mutable globals when ``reuse`` allows it.
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
            let reparsed = try? parseWasm(bytes: rewritten)
            if let reparsed {
                freshReason = nil
                resetGlobals = globals.map { "\(Self.resetExportPrefix)\($0)" }
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
        case reusable(mutableGlobals: [UInt32], module: [UInt8])
    }

    /// Reads the module's sections to decide whether its instances can be reset (see the type's documentation).
    private static func plan(_ bytes: [UInt8]) -> Plan {
        var parser = Parser(bytes: bytes)
        var mutableGlobals: [UInt32] = []
        var memories: [WasmParser.Memory] = []
        var exportNames: Set<String> = []
        var scanner = StateChangeScanner()
        do {
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
                    exportNames = Set(exports.map(\.name))
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
        let names = mutableGlobals.map { "\(resetExportPrefix)\($0)" }
        guard exportNames.isDisjoint(with: names) else { return .fresh("it exports names Clave uses for its globals") }
        guard let rewritten = WasmExportSection.adding(globals: mutableGlobals, named: names, to: bytes) else {
            return .fresh("it has no export section")
        }
        return .reusable(mutableGlobals: mutableGlobals, module: rewritten)
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

/// Rewrites the export section (id 7) of a module binary.
enum WasmExportSection {
    private static let exportSectionID: UInt8 = 7
    private static let globalKind: UInt8 = 3

    /// `module` with one more export per global index, each under its name; nil when the module has no export section
    /// or its sections cannot be walked.
    static func adding(globals: [UInt32], named names: [String], to module: [UInt8]) -> [UInt8]? {
        guard module.count >= 8 else { return nil }
        var position = 8
        while position < module.count {
            let id = module[position]
            guard let (size, sizeLength) = readLEB(module, at: position + 1) else { return nil }
            let start = position + 1 + sizeLength
            let end = start + Int(size)
            guard end <= module.count else { return nil }
            if id == exportSectionID {
                guard let (count, countLength) = readLEB(module, at: start) else { return nil }
                var body = leb(count + UInt32(globals.count))
                body += module[(start + countLength)..<end]
                for (index, name) in zip(globals, names) {
                    let utf8 = Array(name.utf8)
                    body += leb(UInt32(utf8.count)) + utf8 + [globalKind] + leb(index)
                }
                return Array(module[..<position]) + [exportSectionID] + leb(UInt32(body.count)) + body
                    + Array(module[end...])
            }
            position = end
        }
        return nil
    }

    private static func readLEB(_ bytes: [UInt8], at offset: Int) -> (UInt32, Int)? {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        var index = offset
        while index < bytes.count, shift < 35 {
            let byte = bytes[index]
            value |= UInt32(byte & 0x7f) << shift
            index += 1
            if byte & 0x80 == 0 { return (value, index - offset) }
            shift += 7
        }
        return nil
    }

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
