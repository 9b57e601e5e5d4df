import ClaveCore
import ClaveCrypto

/// Strict reading of the SMS's JSON documents with ClaveCore's ``JSONFields``: its errors become
/// ``SMSError/Code/invalidRequest`` (or `code`), naming the member at fault.
enum SMSJSON {
    static func read<T>(
        _ json: JSONValue, _ path: String, code: SMSError.Code = .invalidRequest,
        _ body: (inout JSONFields) throws(TransactionFormatError) -> T
    ) throws(SMSError) -> T {
        do {
            return try JSONFields.read(json, at: path, body)
        } catch {
            throw SMSError(code, "\(error.path): \(error.message)")
        }
    }
}
