import Foundation
import GRDB
import VetCore
import VetStore

/// Where a sede's central is and how to reach it: the address in `sync_config` (never synced),
/// the token in its own file (`SyncTokenFile`).
public struct SyncConfig: Sendable, Equatable {
    public var centralURL: String
    public var token: String
    public var caCertPath: String?

    public init(centralURL: String, token: String, caCertPath: String? = nil) {
        self.centralURL = centralURL; self.token = token; self.caCertPath = caCertPath
    }
}

/// Why a sync step failed; `message` is Spanish, for the user, as is.
public enum SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    case notConfigured
    case transport(TransportError)
    case central(status: Int, code: String, message: String)
    case protocolViolation(String)

    public var message: String {
        switch self {
        case .notConfigured: "La sincronización no está configurada. Use: vetdesk sync configure --central URL --token TOKEN"
        case .transport(let e): e.message
        case .central(let status, let code, let message): "La central respondió \(status) (\(code)): \(message)"
        case .protocolViolation(let m): "Respuesta inesperada de la central: \(m)"
        }
    }
    public var description: String { message }

    /// Whether the central could not be reached at all (the link is down).
    public var isLinkDown: Bool {
        switch self {
        case .transport: true
        case .central(let status, _, _): status >= 500
        default: false
        }
    }
}

extension SyncConfig {
    /// The central's address from `sync_config` and the token from its file (`SyncTokenFile`),
    /// which only the sync daemon's user can read.
    public static func load(_ store: SedeStore) throws -> SyncConfig? {
        guard let row = try store.read({ db in try Row.fetchOne(db, sql: "SELECT central_url, cacert FROM sync_config WHERE id = 1") }) else {
            return nil
        }
        guard let token = try SyncTokenFile.load(databasePath: store.path) else {
            throw StoreError.notFound("Falta el token de sincronización (\(SyncTokenFile.path(forDatabase: store.path))). Enlace la sede otra vez con: vetdesk sync configure --central URL --token TOKEN, como el usuario del servicio de sincronización.")
        }
        return SyncConfig(centralURL: row["central_url"], token: token, caCertPath: row["cacert"])
    }
}

/// The link as seen by the sync engine: what `vetdesk sync status` prints and the TUI shows.
public struct SyncStatus: Codable, Sendable, Equatable {
    /// `not_configured`, `up`, `down` or `unknown` (configured, never tried).
    public var link: String
    public var pending: Int
    public var lastOK: String?
    public var rejects: Int
    public var conflicts: Int
    public var linkError: String?
    /// How far this sede's clock ran ahead of central's at the last sync (ms); nil when right.
    /// Meanwhile its writes wait, pending: they go once the clock is right.
    public var clockAheadMs: Int64?

    enum CodingKeys: String, CodingKey {
        case link, pending, rejects, conflicts
        case lastOK = "last_ok", linkError = "link_error", clockAheadMs = "clock_ahead_ms"
    }

    /// «El reloj de este equipo está adelantado 60 min respecto de la central…», or nil.
    public var clockWarning: String? {
        clockAheadMs.map { "El reloj de este equipo está adelantado \(SyncStatus.duration(ms: $0)) respecto de la central: corrija la hora; lo escrito se enviará entonces" }
    }

    /// `45 s`, `60 min`, `3 h`.
    public static func duration(ms: Int64) -> String {
        let seconds = max(0, ms / 1000)
        return seconds < 60 ? "\(seconds) s" : seconds < 3 * 3600 ? "\((seconds + 30) / 60) min" : "\((seconds + 1800) / 3600) h"
    }

    public static func read(_ store: SedeStore) throws -> SyncStatus {
        try store.read { db in
            let config = try Row.fetchOne(db, sql: "SELECT link, link_error FROM sync_config WHERE id = 1")
            let state = try Row.fetchOne(db, sql: """
                SELECT coalesce((SELECT max(seq) FROM journal), 0) - pushed_seq AS pending, last_ok_at, clock_ahead_ms FROM sync_state WHERE id = 1
                """)
            let link: String = config == nil ? "not_configured" : ((config?["link"] as String?) ?? "unknown")
            return SyncStatus(
                link: link,
                pending: max(0, state?["pending"] ?? 0),
                lastOK: state?["last_ok_at"],
                rejects: try Int.fetchOne(db, sql: "SELECT count(*) FROM sync_rejects") ?? 0,
                conflicts: try Int.fetchOne(db, sql: "SELECT count(*) FROM conflict_log") ?? 0,
                linkError: config?["link_error"],
                clockAheadMs: state?["clock_ahead_ms"])
        }
    }
}
