import ClaveCrypto
import Logging

extension Logger.Metadata {
    /// The metadata of a line about one replicate: `clave.task` and `clave.worker`, with `more`.
    ///
    /// Given with each line rather than set on a copy of the logger: on the hot path that costs more than the line,
    /// since a stream handler formats all of a logger's metadata again on each change, whether a line follows or not.
    static func replicate(task taskId: Bytes32, worker: Address, _ more: Logger.Metadata = [:]) -> Logger.Metadata {
        more.merging(["clave.task": .stringConvertible(taskId), "clave.worker": .stringConvertible(worker)]) { $1 }
    }
}
