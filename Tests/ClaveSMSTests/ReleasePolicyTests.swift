import ClaveAttestation
import ClaveCore
import ClaveCrypto
import ClaveSMS
import Testing

/// The pure rules of a release: evidence kinds per tag, fingerprints, iexec_secrets.
@Suite struct ReleasePolicyTests {
    @Test func simulatedEvidenceServesOnlyDealsWithoutTheTEEBit() throws {
        for tag in [Bytes32.zero, Tag.with(Tag.gpu), Tag.with(Tag.tdx)] {
            try ReleasePolicy.checkKind(.simulated, tag: tag)
            try ReleasePolicy.checkKind(.tdx, tag: tag)
        }
        for tag in [Tag.with(Tag.tee), Tag.with(Tag.tee, Tag.tdx), Tag.with(Tag.tee, Tag.scone)] {
            #expect(throws: SMSError.self) { try ReleasePolicy.checkKind(.simulated, tag: tag) }
        }
    }

    @Test func aTEEDealNeedsTheKindItsFrameworkBitNames() throws {
        try ReleasePolicy.checkKind(.tdx, tag: Tag.with(Tag.tee, Tag.tdx))
        try ReleasePolicy.checkKind(.sgxDCAP, tag: Tag.with(Tag.tee, Tag.scone))
        try ReleasePolicy.checkKind(.sgxDCAP, tag: Tag.with(Tag.tee, Tag.gramine))
        try ReleasePolicy.checkKind(.sgxDCAP, tag: Tag.with(Tag.tee))
        try ReleasePolicy.checkKind(.tdx, tag: Tag.with(Tag.tee))
        #expect(throws: SMSError.self) { try ReleasePolicy.checkKind(.sgxDCAP, tag: Tag.with(Tag.tee, Tag.tdx)) }
        #expect(throws: SMSError.self) { try ReleasePolicy.checkKind(.tdx, tag: Tag.with(Tag.tee, Tag.gramine)) }
    }

    func app(_ mrenclave: String) -> App {
        App(address: .zero, owner: .zero, name: "a", type: "WASM", multiaddr: "", checksum: .zero, mrenclave: mrenclave)
    }

    @Test func theFingerprintIsHexOrIExecsJSON() throws {
        let hex = String(repeating: "ab", count: 32)
        let expected = try Bytes32(hex: hex)
        #expect(ReleasePolicy.fingerprint(of: app(hex)) == expected)
        #expect(ReleasePolicy.fingerprint(of: app("0x" + hex)) == expected)
        #expect(ReleasePolicy.fingerprint(of: app(" 0x\(hex)\n")) == expected)
        #expect(ReleasePolicy.fingerprint(of: app(#"{"framework":"SCONE","fingerprint":"\#(hex)"}"#)) == expected)
        for unusable in ["", "{}", #"{"framework":"TDX"}"#, #"{"fingerprint":"abc"}"#, "0x" + hex.dropLast(2), "hello"]
        {
            #expect(ReleasePolicy.fingerprint(of: app(unusable)) == nil, "\(unusable)")
        }
    }

    @Test func iexecSecretsMapIndexesToNames() throws {
        #expect(try ReleasePolicy.requesterSecretNames(params: "") == [:])
        #expect(try ReleasePolicy.requesterSecretNames(params: "not json") == [:])
        #expect(try ReleasePolicy.requesterSecretNames(params: #"{"iexec_args":"x"}"#) == [:])
        #expect(try ReleasePolicy.requesterSecretNames(params: #"{"iexec_secrets":{}}"#) == [:])
        #expect(
            try ReleasePolicy.requesterSecretNames(params: #"{"iexec_secrets":{"1":"a","10":"b-c_d"}}"#)
                == [1: "a", 10: "b-c_d"])
        for bad in [
            #"{"iexec_secrets":["a"]}"#, #"{"iexec_secrets":{"0":"a"}}"#, #"{"iexec_secrets":{"01":"a"}}"#,
            #"{"iexec_secrets":{"x":"a"}}"#, #"{"iexec_secrets":{"1":"a b"}}"#, #"{"iexec_secrets":{"1":1}}"#,
        ] {
            #expect(throws: SMSError.self, "\(bad)") { try ReleasePolicy.requesterSecretNames(params: bad) }
        }
    }
}
