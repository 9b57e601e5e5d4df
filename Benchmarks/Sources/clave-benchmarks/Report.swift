import Foundation

/// One figure, with the reference it is compared to.
struct Measurement: Codable, Sendable {
    var name: String
    var value: Double
    var unit: String
    var reference: Double?
    var referenceName: String?
    /// `value / reference`; higher is better, unless ``targetIsMaximum``.
    var ratio: Double?
    /// The minimum ratio for figures with a reference (the maximum when ``targetIsMaximum``); the (exclusive)
    /// maximum value for ceilings like memory.
    var target: Double?
    /// Whether `target` is the largest ratio allowed, for figures where lower is better (times).
    var targetIsMaximum: Bool?
    var targetMet: Bool?
    var note: String?

    static func ratio(
        _ name: String,
        value: Double,
        unit: String,
        reference: Double,
        referenceName: String,
        target: Double? = nil,
        note: String? = nil
    ) -> Measurement {
        let ratio = value / reference
        return Measurement(
            name: name, value: value, unit: unit, reference: reference, referenceName: referenceName,
            ratio: ratio, target: target, targetMet: target.map { ratio >= $0 }, note: note)
    }

    /// A time against a reference time: `value / reference`, lower is better, at most `target`.
    static func timeRatio(
        _ name: String,
        value: Double,
        unit: String,
        reference: Double,
        referenceName: String,
        maximum target: Double,
        note: String? = nil
    ) -> Measurement {
        let ratio = value / reference
        return Measurement(
            name: name, value: value, unit: unit, reference: reference, referenceName: referenceName,
            ratio: ratio, target: target, targetIsMaximum: true, targetMet: ratio <= target, note: note)
    }

    static func ceiling(_ name: String, value: Double, unit: String, limit: Double, note: String? = nil) -> Measurement
    {
        Measurement(
            name: name, value: value, unit: unit, reference: nil, referenceName: nil, ratio: nil,
            target: limit, targetMet: value < limit, note: note)
    }

    static func information(_ name: String, value: Double, unit: String, note: String? = nil) -> Measurement {
        Measurement(name: name, value: value, unit: unit, note: note)
    }
}

struct Report: Codable, Sendable {
    var quick: Bool
    var machine = Machine()
    var measurements: [Measurement] = []

    init(quick: Bool) { self.quick = quick }

    struct Machine: Codable, Sendable {
        var cores = ProcessInfo.processInfo.activeProcessorCount
        var system = ProcessInfo.processInfo.operatingSystemVersionString
        var memoryMiB = Int(ProcessInfo.processInfo.physicalMemory >> 20)
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    func table() -> String {
        var rows: [[String]] = [["benchmark", "value", "reference", "ratio", "target", ""]]
        for m in measurements {
            let value = "\(Self.format(m.value)) \(m.unit)"
            let reference = m.reference.map { "\(Self.format($0)) \(m.unit) (\(m.referenceName ?? ""))" } ?? ""
            let ratio = m.ratio.map { String(format: "%.2fx", $0) } ?? ""
            let target: String
            switch (m.target, m.ratio) {
            case (let limit?, nil): target = "< \(Self.format(limit)) \(m.unit)"
            case (let maximum?, _?) where m.targetIsMaximum == true: target = String(format: "<= %.2fx", maximum)
            case (let minimum?, _?): target = String(format: ">= %.2fx", minimum)
            default: target = ""
            }
            let verdict = m.targetMet.map { $0 ? "met" : "MISSED" } ?? ""
            rows.append([m.name, value, reference, ratio, target, verdict])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        let notes = measurements.compactMap { m in m.note.map { "  \(m.name): \($0)" } }
        var header = "clave-benchmarks (\(machine.cores) cores, \(machine.memoryMiB) MiB, \(machine.system))"
        if quick { header += " -- QUICK MODE: smoke test only, sizes reduced" }
        return ([header, ""] + lines + (notes.isEmpty ? [] : ["", "notes:"] + notes)).joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Deterministic filler bytes (SplitMix64), fast enough not to matter.
func fillPseudoRandom(_ buffer: UnsafeMutableRawBufferPointer, seed: UInt64) {
    var state = seed
    let words = buffer.count / 8
    let base = buffer.baseAddress!
    for index in 0..<words {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        base.storeBytes(of: z ^ (z >> 31), toByteOffset: index * 8, as: UInt64.self)
    }
    for index in (words * 8)..<buffer.count {
        base.storeBytes(of: UInt8(truncatingIfNeeded: index), toByteOffset: index, as: UInt8.self)
    }
}

/// The middle value (the mean of the two middle ones for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
