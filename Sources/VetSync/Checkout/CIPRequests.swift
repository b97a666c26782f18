import Foundation
import VetCore
import VetStore

/// Asks PagoEfectivo for the CIPs this sede's payments are waiting for (`pendingCIPRequests`) and
/// records each one answered (`recordCIP`), which sync then takes to the central and every sede.
///
/// A payment whose request fails stays waiting and is asked for again in the next round; when
/// PagoEfectivo cannot be reached, the round stops at the first payment (the others would fare
/// the same). The configuration is read again every round, so editing it needs no restart.
public final class CIPRequester: @unchecked Sendable {
    public let store: SedeStore
    let environment: [String: String]
    let now: @Sendable () -> Date
    private var client: PagoEfectivoClient?
    private let lock = NSLock()

    /// What one round did.
    public struct Round: Sendable, Equatable {
        /// False when PagoEfectivo is not configured at this sede (nothing was asked).
        public var configured = true
        public var generated = 0
        /// Payments still waiting after the round.
        public var waiting = 0
        /// The payments asked for without a CIP in return, and why.
        public var failures: [Failure] = []
    }

    /// A payment PagoEfectivo gave no CIP for in a round.
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        public var paymentID: String
        /// Stable: `PagoEfectivoError.code`, or `store` when the answer could not be recorded.
        public var code: String
        /// One Spanish line: the payment, its amount and why.
        public var message: String
        public var description: String { message }
    }

    public init(store: SedeStore, environment: [String: String] = ProcessInfo.processInfo.environment,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store; self.environment = environment; self.now = now
    }

    /// One round: every waiting payment, oldest first, until PagoEfectivo cannot be reached.
    /// Throws only for a configuration PagoEfectivo cannot be asked with, or a store that cannot be read.
    @discardableResult
    public func requestPending() throws -> Round {
        lock.lock()
        defer { lock.unlock() }
        var round = Round()
        guard let config = try PagoEfectivoConfig.load(databasePath: store.path, environment: environment) else {
            round.configured = false
            return round
        }
        let pending = try store.pendingCIPRequests()
        round.waiting = pending.count
        guard !pending.isEmpty else { return round }
        if client?.config != config { client = try PagoEfectivoClient(config: config, now: now) }
        guard let client else { return round }
        for payment in pending {
            let request = CIPRequest(transactionCode: payment.paymentID, amount: payment.amount,
                                     expiresAt: now().addingTimeInterval(Double(config.expiryHours) * 3600), concept: config.concept,
                                     detail: payment.saleNumber.map { "Venta N.º \($0)" }, customer: payment.customer)
            do {
                let cip = try client.generateCIP(request)
                try store.recordCIP(paymentID: payment.paymentID, cip: cip.cip, amount: cip.amount, expiresAt: cip.expiresAt, url: cip.url)
                round.generated += 1
                round.waiting -= 1
            } catch let error as PagoEfectivoError {
                round.failures.append(Failure(paymentID: payment.paymentID, code: error.code,
                                              message: "Pago \(payment.paymentID) (\(payment.amount.formatted)): \(error.message)"))
                if error.isLinkDown { break }
            } catch {
                round.failures.append(Failure(paymentID: payment.paymentID, code: "store",
                                              message: "Pago \(payment.paymentID) (\(payment.amount.formatted)): \(error)"))
            }
        }
        return round
    }
}
