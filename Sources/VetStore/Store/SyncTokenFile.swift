import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Where a sede keeps the token it authenticates to the central with: a file only its owner (the
/// user that runs `vetdesk sync`) may read, next to the database (`sede.db.sync-token`) or where
/// `$VETDESK_SYNC_TOKEN_FILE` says. Never inside the database, which every terminal reads.
public enum SyncTokenFile {
    /// The sede migration that moves a token stored by older versions out of `sync_config`.
    static let migrationNumber = 8

    public static func path(forDatabase databasePath: String) -> String {
        if let env = ProcessInfo.processInfo.environment["VETDESK_SYNC_TOKEN_FILE"], !env.isEmpty { return env }
        return databasePath + ".sync-token"
    }

    /// Saves `token`, readable and writable by this user only (`rw-------`).
    public static func save(_ token: String, databasePath: String) throws {
        let path = path(forDatabase: databasePath)
        do {
            try SedeFiles.write(Data((token + "\n").utf8), to: path, mode: SedeFiles.secretFileMode)
        } catch let error as SystemError {
            if error.errno == ENOSPC || error.errno == EDQUOT { throw StoreError.diskFull(path: path) }
            throw StoreError.cannotCreate(path: path, reason: String(cString: strerror(error.errno)))
        }
    }

    /// The saved token, or `nil` when there is none.
    public static func load(databasePath: String) throws -> String? {
        let path = path(forDatabase: databasePath)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard access(path, R_OK) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.refused(.noFilePermission, "El token de sincronización \(path) solo lo puede leer el usuario del servicio de sincronización: ejecute vetdesk sync con ese usuario (README: «Instalación en una sede»).")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    /// Writes the token an older version kept in `sync_config` to its file, before migration
    /// 0008 drops the column.
    static func moveOut(_ db: Database, databasePath: String?) throws {
        guard try db.tableExists("sync_config"), try db.columns(in: "sync_config").contains(where: { $0.name == "token" }),
              let token = try String.fetchOne(db, sql: "SELECT token FROM sync_config WHERE id = 1"), !token.isEmpty else { return }
        guard let databasePath else {
            throw StoreError.invalid("No se puede sacar el token de sincronización de la base sin saber dónde guardarlo")
        }
        try save(token, databasePath: databasePath)
    }
}
