import ClaveCore
import ClaveCrypto
import Testing

@Suite struct EventJSONTests {
    let account = try! Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")
    let id = try! Bytes32(hex: "0x" + String(repeating: "ab", count: 32))

    @Test func depositIsNamedWithDecimalStringsAndChecksummedAddresses() {
        let event = Event.deposit(account: account, amount: 1000)
        #expect(
            String(decoding: CanonicalJSON.encode(event.json), as: UTF8.self)
                == #"{"account":"0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f","amount":"1000","event":"Deposit"}"#)
        #expect(event.digest == Keccak256.hash(CanonicalJSON.encode(event.json)))
    }

    @Test func bytesAndKindsAreHexAndRawNames() {
        let event = Event.ownershipTransferred(kind: .dataset, asset: account, from: account, to: account)
        #expect(event.json["kind"] == .string("dataset"))
        let finalize = Event.taskFinalize(taskId: id, results: [0x01, 0xff])
        #expect(finalize.json["results"] == .string("0x01ff"))
        #expect(finalize.json["taskId"] == .string(id.description))
        #expect(finalize.json["event"] == .string("TaskFinalize"))
    }

    @Test func differentEventsHaveDifferentDigests() {
        #expect(Event.deposit(account: account, amount: 1).digest != Event.withdraw(account: account, amount: 1).digest)
        #expect(Event.deposit(account: account, amount: 1).digest != Event.deposit(account: account, amount: 2).digest)
    }

    @Test func subjectsNameAccountsAssetsDealsAndTasks() {
        let lock = Event.lock(account: account, amount: 5, reference: id)
        #expect(lock.subjects.accounts == [account])
        #expect(lock.subjects.references == [id])
        let initialized = Event.taskInitialized(taskId: id, dealId: .zero, index: 0, workerpool: account)
        #expect(initialized.subjects.tasks == [id])
        #expect(initialized.subjects.deals == [.zero])
        #expect(initialized.subjects.assets == [account])
    }
}
