public import ClaveCore
public import ClaveCrypto
public import ClaveMarket

/// The orderbook of a node, over HTTP: the same ``ClaveMarket/Orderbook`` as the node's own.
///
/// Every failure is a ``ClaveMarket/MarketError``, as the protocol says: the node's refusals keep their code and
/// message, and a node that cannot be reached is ``ClaveMarket/MarketError/Code/unavailable``.
public struct OrderbookClient: Orderbook {
    public let connection: NodeConnection

    public init(connection: NodeConnection) {
        self.connection = connection
    }

    public func publish(_ order: AnyOrder, signature: Signature?) async throws(MarketError) -> OrderbookEntry {
        let body = PublishRequest(order: order, signature: signature).json
        let json = try await call { try await connection.post("/v1/market/orders", body: body) }
        return try entry(json)
    }

    public func cancel(_ orderHash: Bytes32, signature: Signature) async throws(MarketError) -> OrderbookEntry {
        let body = CancelBody(signature: signature).json
        let json = try await call { try await connection.post("/v1/market/orders/\(orderHash)/cancel", body: body) }
        return try entry(json)
    }

    public func order(_ orderHash: Bytes32) async throws(MarketError) -> OrderbookEntry? {
        guard let json = try await call({ try await connection.get("/v1/market/orders/\(orderHash)") }) else {
            return nil
        }
        return try entry(json)
    }

    public func query(_ query: OrderQuery) async throws(MarketError) -> OrderPage {
        let json = try await call { try await connection.get("/v1/market/orders", query: query.parameters) }
        guard let json else {
            throw MarketError(.unavailable, "\(connection.baseURL) has no /v1/market/orders route; is it a Clave node?")
        }
        do {
            return try OrderPage(json: json)
        } catch {
            throw invalid(error)
        }
    }

    private func entry(_ json: JSONValue?) throws(MarketError) -> OrderbookEntry {
        guard let json else { throw MarketError(.unavailable, "The node answered without an order.") }
        do {
            return try OrderbookEntry(json: json)
        } catch {
            throw invalid(error)
        }
    }

    private func invalid(_ error: TransactionFormatError) -> MarketError {
        MarketError(
            .unavailable,
            "The node's answer does not read as this client's API: \(error). Is the node another version?")
    }

    private func call<Value>(_ request: () async throws -> Value) async throws(MarketError) -> Value {
        do {
            return try await request()
        } catch let error as RemoteError {
            switch error.kind {
            case "market": throw MarketError(MarketError.Code(error.code), error.message)
            default: throw MarketError(MarketError.Code(error.code), "\(error.message) (HTTP \(error.status))")
            }
        } catch let error as ClientError {
            throw MarketError(.unavailable, error.message)
        } catch {
            throw MarketError(.unavailable, "\(connection.baseURL) could not be asked: \(error).")
        }
    }
}
