import GRDB
import VetCore

/// Local settings of one sede store (never synced).
public enum SettingKey: String, Sendable {
    case sedeID = "sede_id"
    case demo = "demo"
    /// Comma-separated usernames the login screen lists in a demo sede (written by `vetdesk demo`).
    case demoLogins = "demo_logins"
    case idleMinutes = "idle_minutes"
    /// The ubigeo code of the sede's district (owners' districts are looked for in its province first).
    case sedeUbigeo = "sede_ubigeo"
    /// Days before a lot's expiry at which the pharmacy is alerted, comma-separated (default 90,60,30).
    case expiryAlertDays = "expiry_alert_days"
    /// The business the receipts are issued by: trade name, legal name (razón social) and RUC.
    case businessTradeName = "business_trade_name"
    case businessLegalName = "business_legal_name"
    case businessRUC = "business_ruc"
    /// The cash close's deviation levels in céntimos: accepted up to `cash_accept_centimos`
    /// (default 100), with a note up to `cash_note_centimos` (default 2000), beyond that a supervisor.
    case cashAcceptCentimos = "cash_accept_centimos"
    case cashNoteCentimos = "cash_note_centimos"
    /// The company's SUNAT data and this sede's series (JSON of `FiscalConfiguration`).
    case fiscalConfig = "fiscal_config"
}

extension SedeStore {
    public func setting(_ key: SettingKey) throws -> String? {
        try read { db in try Self.setting(key, db) }
    }

    static func setting(_ key: SettingKey, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key.rawValue])
    }

    package static func setSetting(_ key: SettingKey, _ value: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [key.rawValue, value])
    }

    /// Whether this store was made by `vetdesk demo` (demo logins are shown only then).
    public func isDemo() throws -> Bool { try setting(.demo) == "1" }

    /// The logins the login screen lists: those the demo wrote, only in a demo sede.
    public func demoLogins() throws -> [String] {
        guard try isDemo() else { return [] }
        return try setting(.demoLogins)?.split(separator: ",").map(String.init) ?? []
    }

    /// The sede's own district: the configured ubigeo code, else the sede's district name when it
    /// names only one district of Peru.
    public func homeDistrict() throws -> District? {
        if let code = try setting(.sedeUbigeo), let district = Ubigeo.district(code: code) { return district }
        guard let name = try localSede().district else { return nil }
        let matches = Ubigeo.matches(name)
        return matches.count == 1 ? matches[0] : nil
    }

    public func setSedeUbigeo(_ code: String) throws {
        guard Ubigeo.district(code: code) != nil else { throw StoreError.invalid("Código de ubigeo desconocido: \(code)") }
        try pool.write { db in try Self.setSetting(.sedeUbigeo, code, db) }
    }

    /// Minutes without a key press before the terminal locks; 5 unless configured.
    public func idleMinutes() throws -> Int { Int(try setting(.idleMinutes) ?? "") ?? 5 }

    public func setIdleMinutes(_ minutes: Int) throws {
        guard (1...240).contains(minutes) else { throw StoreError.invalid("Los minutos de bloqueo van de 1 a 240") }
        try pool.write { db in try Self.setSetting(.idleMinutes, String(minutes), db) }
    }
}
