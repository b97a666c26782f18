import Foundation
import GRDB
import VetCore
import VetStore

/// What the status bar says about the link to central.
public struct LinkStatus: Equatable, Sendable {
    public enum State: Equatable, Sendable { case notConfigured, up, down }
    public var state: State
    public var pending: Int
    public var lastOK: Date?
    /// How far this sede's clock ran ahead of central's at the last sync (ms); nil when right.
    public var clockAheadMs: Int64? = nil
    /// SUNAT documents needing attention (nil where SUNAT is not configured).
    public var fiscal: FiscalAlerts? = nil

    public static let unknown = LinkStatus(state: .notConfigured, pending: 0, lastOK: nil)

    /// `Enlace: arriba · 3 por enviar · hace 2 min`; compact: `Arriba · 3 pend. · 2 min`. Without a
    /// central (a demo sede, a sede not set up yet) nothing is waiting to be sent anywhere, so no
    /// count is shown: only `Central: sin configurar`.
    public func text(now: Date, compact: Bool = false) -> String {
        var parts: [String]
        switch state {
        case .notConfigured: return compact ? "Sin central" : "Central: sin configurar"
        case .up: parts = [compact ? "Arriba" : "Enlace: arriba"]
        case .down: parts = [compact ? "Caído" : "Enlace: caído"]
        }
        if let clockAheadMs {
            let seconds = max(0, clockAheadMs / 1000)
            let ahead = seconds < 60 ? "\(seconds) s" : seconds < 3 * 3600 ? "\((seconds + 30) / 60) min" : "\((seconds + 1800) / 3600) h"
            parts.append(compact ? "Reloj +\(ahead)" : "Reloj adelantado \(ahead)")
        }
        parts.append(compact ? "\(pending) pend." : (pending == 1 ? "1 por enviar" : "\(pending) por enviar"))
        if let lastOK {
            let seconds = max(0, Int(now.timeIntervalSince(lastOK)))
            let age = seconds < 60 ? "\(seconds) s" : seconds < 3600 ? "\(seconds / 60) min" : "\(seconds / 3600) h"
            parts.append(compact ? age : "hace " + age)
        }
        return parts.joined(separator: " · ")
    }
}

extension SedeStore {
    /// The link as this store sees it: the last sync attempt's outcome (written by `vetdesk sync`),
    /// journal entries not yet acknowledged by central, and the last good sync.
    public func linkStatus() throws -> LinkStatus {
        var status = try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT coalesce((SELECT max(seq) FROM journal), 0) - pushed_seq AS pending, last_ok_at, clock_ahead_ms,
                       EXISTS (SELECT 1 FROM sync_config) AS configured, (SELECT link FROM sync_config WHERE id = 1) AS link
                FROM sync_state WHERE id = 1
                """)
            let pending: Int = row?["pending"] ?? 0
            let last: String? = row?["last_ok_at"]
            let configured: Bool = row?["configured"] ?? false
            let link: String? = row?["link"]
            let state: LinkStatus.State = !configured ? .notConfigured : (link == "up" ? .up : .down)
            return LinkStatus(state: state, pending: max(0, pending), lastOK: last.flatMap(LimaTime.parseISO8601),
                              clockAheadMs: row?["clock_ahead_ms"])
        }
        // An unreadable SUNAT state must not hide the link's.
        status.fiscal = try? fiscalAlerts()
        return status
    }
}
