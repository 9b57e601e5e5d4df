import ClaveCore
import ClaveCrypto
import Foundation

/// The fields of an order that the `orders` table indexes, whatever its kind; a field the kind does not have is zero
/// (an address), `nil` (a category) or all zero bits (a tag).
struct OrderColumns {
    var app = Address.zero
    var dataset = Address.zero
    var workerpool = Address.zero
    var requester = Address.zero
    var apprestrict = Address.zero
    var datasetrestrict = Address.zero
    var workerpoolrestrict = Address.zero
    var requesterrestrict = Address.zero
    var category: UInt64?
    var tag = Bytes32.zero

    init(_ order: AnyOrder) {
        switch order {
        case .app(let order):
            app = order.app
            tag = order.tag
            datasetrestrict = order.datasetrestrict
            workerpoolrestrict = order.workerpoolrestrict
            requesterrestrict = order.requesterrestrict
        case .dataset(let order):
            dataset = order.dataset
            tag = order.tag
            apprestrict = order.apprestrict
            workerpoolrestrict = order.workerpoolrestrict
            requesterrestrict = order.requesterrestrict
        case .workerpool(let order):
            workerpool = order.workerpool
            tag = order.tag
            category = order.category
            apprestrict = order.apprestrict
            datasetrestrict = order.datasetrestrict
            requesterrestrict = order.requesterrestrict
        case .request(let order):
            app = order.app
            dataset = order.dataset
            workerpool = order.workerpool
            requester = order.requester
            tag = order.tag
            category = order.category
        }
    }

    /// The tag as four 64-bit words, least significant first, each as SQLite's signed integer with the same bits,
    /// so that SQL's `&` tests tag bits.
    static func words(_ tag: Bytes32) -> [Int64] {
        (0..<4).map { index in
            let end = 32 - 8 * index
            let word = tag.bytes[(end - 8)..<end].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return Int64(bitPattern: word)
        }
    }
}

extension Address {
    var blob: Data { Data(bytes) }
}

extension Bytes32 {
    var blob: Data { Data(bytes) }
}
