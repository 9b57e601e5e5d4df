/// What produced a piece of evidence: a development simulation, or a hardware trusted execution environment.
///
/// An open set of names, written in evidence documents as they are here: `simulated` today; `sgx-dcap` (an Intel SGX
/// DCAP quote) and `tdx` (an Intel TDX quote) are reserved for the hardware kinds.
public struct EvidenceKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Signed by the node's simulation key. For development only: it proves nothing against the host that holds the
    /// key (docs/attestation.md).
    public static let simulated = EvidenceKind(rawValue: "simulated")
    /// An Intel SGX DCAP quote (the Scone and Gramine frameworks, tag bits 1 and 2). Not built yet.
    public static let sgxDCAP = EvidenceKind(rawValue: "sgx-dcap")
    /// An Intel TDX quote (tag bit 3). Not built yet.
    public static let tdx = EvidenceKind(rawValue: "tdx")

    /// Whether evidence of this kind comes from a hardware TEE, so that a deal asking for one (tag bit 0) may accept
    /// it. Every kind but ``simulated`` is.
    public var isHardware: Bool { self != .simulated }

    public var description: String { rawValue }
}
