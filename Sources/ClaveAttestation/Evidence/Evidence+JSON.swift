public import ClaveCrypto

// The JSON form of evidence, as the SMS's API takes it (docs/attestation.md):
// `{"kind": "simulated", "measurement": "0x…", "reportData": "0x…", "payload": "0x…"}`, bytes as 0x-hex. Reading is
// strict: every member present, none unknown, each of the right type and length.

extension Evidence {
    /// `{"kind", "measurement", "reportData", "payload"}`.
    public var json: JSONValue {
        [
            "kind": .string(kind.rawValue), "measurement": .string(measurement.description),
            "reportData": .string(reportData.description), "payload": .string(Hex.encode(payload)),
        ]
    }

    /// Reads evidence written by ``json``; `path` names it in messages.
    ///
    /// - Throws: ``AttestationError/Code/invalidFormat`` naming the member at fault.
    public init(json: JSONValue, path: String = "evidence") throws(AttestationError) {
        guard case .object(let object) = json else {
            throw AttestationError(.invalidFormat, "\(path): expected a JSON object, found \(json.kind).")
        }
        let known = ["kind", "measurement", "reportData", "payload"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw AttestationError(
                .invalidFormat,
                "\(path).\(unknown) is not a member of evidence (expected: \(known.joined(separator: ", "))); check its spelling."
            )
        }
        func text(_ name: String) throws(AttestationError) -> String {
            guard let value = object[name] else {
                throw AttestationError(.invalidFormat, "\(path).\(name) is required but missing.")
            }
            guard case .string(let text) = value else {
                throw AttestationError(.invalidFormat, "\(path).\(name): expected a string, found \(value.kind).")
            }
            return text
        }
        func bytes(_ name: String, count: Int? = nil) throws(AttestationError) -> [UInt8] {
            let text = try text(name)
            guard text.hasPrefix("0x") else {
                throw AttestationError(.invalidFormat, "\(path).\(name): expected 0x-prefixed hex bytes.")
            }
            do {
                return try Hex.decode(text, expectedCount: count, what: "\(path).\(name)")
            } catch {
                throw AttestationError(.invalidFormat, error.message)
            }
        }
        let kind = try text("kind")
        guard !kind.isEmpty else {
            throw AttestationError(
                .invalidFormat, "\(path).kind is empty; name the evidence's kind (`simulated`, ...).")
        }
        let measurement = try bytes("measurement", count: 32)
        let reportData = try bytes("reportData", count: 32)
        let payload = try bytes("payload")
        // Both are 32 bytes: they were decoded with an expected count of 32.
        self.init(
            kind: EvidenceKind(rawValue: kind), measurement: try! Bytes32(measurement),
            reportData: try! Bytes32(reportData),
            payload: payload)
    }
}
