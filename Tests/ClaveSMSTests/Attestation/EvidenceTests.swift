import ClaveAttestation
import ClaveCrypto
import Foundation
import Testing

/// Evidence, its JSON form, the report data binding and the simulated kind, against vectors made with Python's
/// `cryptography`, `hashlib` and `eth-account` (docs/attestation.md).
@Suite struct EvidenceTests {
    // RFC 7748's first X25519 key pair (Alice), a fixed task id, and a fixed simulation key.
    static let sessionKey = try! X25519PrivateKey(
        hex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    static let taskId = try! Bytes32(hex: "0x" + String(repeating: "22", count: 32))
    static let simulationKey = try! PrivateKey(
        hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    static let measurement = try! Bytes32(hex: "0x347ba0a155323d168d2739dc7feabcdf4065a827d4275e6ee0caa2230195173f")

    @Test func theVectorOfDocsAttestation() throws {
        #expect(
            Self.sessionKey.publicKey.hex == "0x8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        let reportData = ReportData.binding(sessionPublicKey: Self.sessionKey.publicKey, taskId: Self.taskId)
        #expect(reportData.description == "0x884fd361944c502e134b259da07f8147f2285abe4ffcf2c35a6bd76ff1bb9cf2")
        // The measurement is sha-256 of the bundle "hello.wasm".
        #expect(
            SimulatedEvidence.message(measurement: Self.measurement, reportData: reportData).description
                == "0xfeca8b11e2db8d4036a026e7b61cb2cca86ce842bf0a991c70596ada1b5d1228")
        #expect(Self.simulationKey.address.checksummed == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        let evidence = SimulatedEvidence.make(
            measurement: Self.measurement, reportData: reportData, simulationKey: Self.simulationKey)
        #expect(
            Hex.encode(evidence.payload)
                == "0xbb79e685aa6caebd2cd50c26897181f2b97d04dedc9a1170c82b17736565571d4ffc052ad2f3fac78a254caa40629df3384e25373e35e3b4f19d68789b876ebb1b"
        )
        let verified = try SimulatedEvidenceVerifier(trusting: Self.simulationKey.address).verify(evidence)
        #expect(verified.isSimulated)
        #expect(verified.label == "simulated")
        #expect(verified.measurement == Self.measurement)
        #expect(verified.reportData == reportData)
    }

    @Test func aSimulatedEnclaveBindsItsSessionKeyAndTask() throws {
        let enclave = SimulatedEnclave(simulationKey: Self.simulationKey)
        let session = try enclave.startSession(taskId: Self.taskId, measurement: Self.measurement)
        #expect(session.evidence.kind == .simulated)
        #expect(session.evidence.measurement == Self.measurement)
        #expect(
            session.evidence.reportData == ReportData.binding(sessionPublicKey: session.publicKey, taskId: Self.taskId))
        _ = try SimulatedEvidenceVerifier(trusting: enclave.attester).verify(session.evidence)
        // Each session has its own key.
        #expect(
            try enclave.startSession(taskId: Self.taskId, measurement: Self.measurement).publicKey != session.publicKey)
    }

    @Test func alteredOrForeignEvidenceIsRefused() throws {
        let verifier = SimulatedEvidenceVerifier(trusting: Self.simulationKey.address)
        let evidence = SimulatedEvidence.make(
            measurement: Self.measurement, reportData: Self.taskId, simulationKey: Self.simulationKey)

        var otherMeasurement = evidence
        otherMeasurement.measurement = Self.taskId
        var otherReportData = evidence
        otherReportData.reportData = Self.measurement
        let foreign = SimulatedEvidence.make(
            measurement: Self.measurement, reportData: Self.taskId, simulationKey: PrivateKey.generate())
        for (altered, code) in [
            (otherMeasurement, AttestationError.Code.untrustedAttester), (otherReportData, .untrustedAttester),
            (foreign, .untrustedAttester),
            (
                Evidence(kind: .simulated, measurement: Self.measurement, reportData: Self.taskId, payload: [1, 2]),
                .invalidSignature
            ),
            (
                Evidence(kind: .tdx, measurement: Self.measurement, reportData: Self.taskId, payload: evidence.payload),
                .unsupportedKind
            ),
        ] {
            #expect(throws: AttestationError.self) { try verifier.verify(altered) }
            do {
                _ = try verifier.verify(altered)
            } catch {
                #expect(error.code == code)
            }
        }
    }

    @Test func theJSONFormRoundTripsAndIsReadStrictly() throws {
        let evidence = SimulatedEvidence.make(
            measurement: Self.measurement, reportData: Self.taskId, simulationKey: Self.simulationKey)
        #expect(try Evidence(json: evidence.json) == evidence)
        #expect(evidence.json["kind"] == "simulated")
        let text = String(decoding: evidence.json.serialized(), as: UTF8.self)
        #expect(try Evidence(json: JSONValue(parsing: text)) == evidence)

        var object = try #require(evidence.json.objectValue)
        object["extra"] = 1
        #expect(throws: AttestationError.self) { try Evidence(json: .object(object)) }
        for member in ["kind", "measurement", "reportData", "payload"] {
            var missing = try #require(evidence.json.objectValue)
            _ = missing.removeValue(forKey: member)
            #expect(throws: AttestationError.self, "\(member)") { try Evidence(json: .object(missing)) }
        }
        var short = try #require(evidence.json.objectValue)
        short["measurement"] = "0x1234"
        #expect(throws: AttestationError.self) { try Evidence(json: .object(short)) }
        var unprefixed = try #require(evidence.json.objectValue)
        unprefixed["payload"] = .string(String(Hex.encode(evidence.payload).dropFirst(2)))
        #expect(throws: AttestationError.self) { try Evidence(json: .object(unprefixed)) }
        #expect(throws: AttestationError.self) { try Evidence(json: "simulated") }
    }

    @Test func onlyTheSimulatedKindIsNotHardware() {
        #expect(!EvidenceKind.simulated.isHardware)
        #expect(EvidenceKind.sgxDCAP.isHardware)
        #expect(EvidenceKind.tdx.isHardware)
        #expect(EvidenceKind.sgxDCAP.rawValue == "sgx-dcap")
    }
}
