import ClaveCore
import ClaveCrypto
import Foundation
import Testing
import ClaveTestSupport

@Suite struct IdentifierTests {
    @Test func dealIdIsKeccakOfRequestHashAndConsumedVolume() throws {
        let requestHash = Keccak256.hash(utf8: "request order")
        for consumed: UInt64 in [0, 1, 255, 256, .max] {
            var word = [UInt8](repeating: 0, count: 24)
            withUnsafeBytes(of: consumed.bigEndian) { word += $0 }
            #expect(
                Deal.id(requestOrderHash: requestHash, consumedBefore: consumed)
                    == Keccak256.hash(requestHash.bytes + word))
        }
    }

    @Test func taskIdIsKeccakOfDealIdAndIndex() throws {
        let dealId = try Bytes32(hex: "0x" + String(repeating: "ab", count: 32))
        var bytes = dealId.bytes + [UInt8](repeating: 0, count: 32)
        bytes[63] = 3
        #expect(ComputeTask.id(dealId: dealId, index: 3) == Keccak256.hash(bytes))
        bytes[62] = 1
        #expect(ComputeTask.id(dealId: dealId, index: 259) == Keccak256.hash(bytes))
    }

    @Test func resultHashSealAndSignedMessages() throws {
        let taskId = Keccak256.hash(utf8: "task")
        let digest = Keccak256.hash(utf8: "digest")
        let worker = TestAccount(10).address
        #expect(
            ComputeTask.resultHash(taskId: taskId, resultDigest: digest) == Keccak256.hash(taskId.bytes + digest.bytes))
        #expect(
            ComputeTask.resultSeal(worker: worker, taskId: taskId, resultDigest: digest)
                == Keccak256.hash(worker.bytes + taskId.bytes + digest.bytes))
        #expect(
            ComputeTask.authorizationMessage(worker: worker, taskId: taskId, enclaveChallenge: .zero)
                == Keccak256.hash(worker.bytes + taskId.bytes + [UInt8](repeating: 0, count: 20)))
        // ClaveCore's personal-message digest is EIP-191's.
        #expect(ComputeTask.personalMessageDigest(digest) == EIP191.hash(personalMessage: digest.bytes))
    }

    @Test func weights() {
        #expect(
            [0, 2, 3, 8, 9, 11, 12, 30, 300].map { ComputeTask.weight(score: $0) } == [2, 2, 2, 2, 2, 2, 3, 9, 99])
    }

    @Test func tags() throws {
        #expect(Tag.with(Tag.tee, Tag.tdx).description == "0x" + String(repeating: "0", count: 63) + "9")
        #expect(Tag.with(Tag.gpu).description == "0x" + String(repeating: "0", count: 61) + "100")
        #expect(Tag.bits(of: Tag.with(Tag.tee, Tag.gramine, Tag.gpu)) == [0, 2, 8])
        let tag = Tag.dealTag(
            app: Tag.with(Tag.tee, Tag.scone), dataset: Tag.with(Tag.tee, Tag.gramine, Tag.tdx, Tag.gpu),
            request: .zero)
        #expect(Tag.bits(of: tag) == [0, 1, 8])
    }
}
