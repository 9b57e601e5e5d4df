import ClaveCLI
import ClaveCore
import ClaveCrypto
import ClaveLedger
import ClaveServer
import Foundation
import ClaveTestSupport
import Testing

@Suite struct AccountCommandTests {
    @Test func faucetDepositWithdrawAndBalance() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 2) { node in
            let account = node.node.createdAccounts[0]
            let funds = account.funds
            let signer = node.signer(account.address)

            let faucet = try await clave(["account", "faucet", "1000"] + node.remote + signer)
            #expect(faucet.contains("included in block 1 at position 0"))
            #expect(faucet.contains("Faucet account=\(account.address) amount=1000"))

            let deposit = try await clave(["account", "deposit", "600"] + node.remote + signer)
            #expect(deposit.contains("Deposit account=\(account.address) amount=600"))
            let withdraw = try await clave(["account", "withdraw", "250"] + node.remote + signer)
            #expect(withdraw.contains("Withdraw account=\(account.address) amount=250"))

            let expected = Account(wallet: funds + 1000 - 600 + 250, balance: 350, nonce: 3)
            #expect(await node.ledger.account(account.address) == expected)

            let balance = try await clave(["account", "balance", account.address.checksummed] + node.remote)
            #expect(balance.contains("Account \(account.address)"))
            #expect(balance.contains("wallet   \(funds + 650)"))
            #expect(balance.contains("escrow   350 free, 0 locked"))
            #expect(balance.contains("nonce    3"))
            let balanceJSON = try json(
                try await clave(["account", "balance", account.address.checksummed, "--json"] + node.remote))
            #expect(try Account(json: balanceJSON) == expected)

            // The receipt's JSON is the API's, and the transaction is where it says.
            let receiptJSON = try json(try await clave(["account", "deposit", "1", "--json"] + node.remote + signer))
            let receipt = try Receipt(json: receiptJSON)
            #expect(receipt.height == 4)
            #expect(try await node.ledger.transaction(hash: receipt.transactionHash)?.height == 4)
        }
    }

    @Test func balanceOfTheKeystoresOnlyAccount() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 1) { node in
            let output = try await clave(["account", "balance", "--keystore-dir", node.keystoreDir] + node.remote)
            #expect(output.contains("Account \(node.node.createdAccounts[0].address)"))
        }
    }

    @Test func refusalsSayWhatWasWrong() async throws {
        let folder = try TemporaryDirectory()
        try await withNode(at: folder.url.appendingPathComponent("node"), accounts: 2) { node in
            let account = node.node.createdAccounts[1]
            let signer = node.signer(account.address)

            // More than the escrow holds: the ledger's own message, with the amounts.
            await expectFailure(
                ["account", "withdraw", "5"] + node.remote + signer, .refused,
                "The ledger refused the transaction", "has 0 free in escrow", "withdraw at most 0",
                "[insufficientBalance]")
            await expectFailure(
                ["account", "deposit", "\(account.funds + 1)"] + node.remote + signer, .refused,
                "less than the \(account.funds + 1) to deposit", "[insufficientWallet]")
            await expectFailure(
                ["account", "faucet", "1000000000001"] + node.remote + signer, .invalidInput, "at most 1000000000000")

            // The wrong password opens nothing and sends nothing.
            let wrong = try folder.file("wrong", contents: "not the password")
            await #expect {
                try await clave(
                    ["account", "deposit", "1"] + node.remote
                        + [
                            "--keystore-dir", node.keystoreDir, "--address", account.address.checksummed,
                            "--password-file", wrong,
                        ])
            } throws: { error in
                (error as? CryptoError)?.code == .wrongPassword
            }
            // Several accounts in the folder and no --address.
            await #expect {
                try await clave(
                    [
                        "account", "deposit", "1", "--keystore-dir", node.keystoreDir, "--password-file",
                        node.passwordFile,
                    ]
                        + node.remote)
            } throws: { error in
                String(describing: error).contains("choose one with --address")
            }
            #expect(await node.ledger.account(account.address) == Account(wallet: account.funds))
            #expect(await node.ledger.head.height == 0)
        }
    }

    @Test func badAmountsAndAddressesAreRefusedWhenParsed() {
        for arguments in [
            ["account", "deposit", "-5"], ["account", "deposit", "1.5"], ["account", "deposit", "ten"],
            ["account", "deposit", "18446744073709551616"], ["account", "balance", "0x1234"],
            ["account", "balance", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") { _ = try ClaveCommand.parseAsRoot(arguments) }
        }
    }

    @Test func aNodeThatIsNotThereIsAClearError() async throws {
        let address = TestAccountAddress.one
        // Port 1 on the loopback: nothing listens there.
        await expectFailure(
            ["account", "balance", address, "--node", "http://127.0.0.1:1"], .nodeUnreachable,
            "No Clave node answers at http://127.0.0.1:1", "clave node", "--node or $CLAVE_NODE")
        await expectFailure(
            ["account", "balance", address, "--node", "not a url"], .invalidInput, "'not a url'",
            "is not a node URL")
        await expectFailure(
            ["order", "list", "--node", "http://127.0.0.1:1"], .nodeUnreachable, "No Clave node answers")
    }
}

enum TestAccountAddress {
    /// The address of private key 1.
    static let one = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
}
