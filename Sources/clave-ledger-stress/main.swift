// clave-ledger-stress DATABASE COUNT: opens a ledger on DATABASE and submits COUNT deposits from 20 accounts at once,
// printing the hash of each transaction as soon as its receipt arrives (so after its block is durable).
// ClaveLedgerTests kills it with SIGKILL mid-stream and checks that every printed hash is in the database.
import ClaveCore
import ClaveCrypto
import ClaveLedger
import Foundation
import Logging

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: clave-ledger-stress DATABASE COUNT\n".utf8))
    exit(2)
}
let senders = 20
let keys = (1...senders).map { index in
    try! PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [UInt8(index)])
}
let configuration = ChainConfiguration(
    chainId: 65535, hub: try! Address("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"), isDevelopment: true)
let genesis = Genesis(
    configuration: configuration, allocations: Dictionary(uniqueKeysWithValues: keys.map { ($0.address, 1_000_000) }),
    timestamp: 1_700_000_000)
let store = try SQLiteLedgerStore(path: arguments[1])
let ledger = try await Ledger(
    configuration: .init(genesis: genesis), store: store, now: { UInt64(Date().timeIntervalSince1970) },
    logger: { () -> Logger in
        var logger = Logger(label: "clave-ledger-stress")
        logger.logLevel = .warning
        return logger
    }())
let output = FileHandle.standardOutput
try await withThrowingTaskGroup(of: Void.self) { group in
    for (senderIndex, key) in keys.enumerated() {
        group.addTask {
            var nonce = await ledger.account(key.address).nonce
            var sent = senderIndex
            while sent < count {
                let transaction = Transaction(
                    chainId: 65535, from: key.address, nonce: nonce, body: .deposit(amount: 1))
                let signed = try SignedTransaction(transaction, signedWith: key)
                let receipt = try await ledger.submit(signed)
                output.write(Data("\(receipt.transactionHash)\n".utf8))
                nonce += 1
                sent += senders
            }
        }
    }
    try await group.waitForAll()
}
