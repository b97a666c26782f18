import GRDB

/// The sede schema: numbered SQL files from `schema/sede/`, embedded at build time and applied in
/// order. The journal triggers are dropped before each one (so a migration may rebuild any table,
/// the journal included) and generated again from `synced_tables` after it, so a new column or
/// table is journaled by the same migration that adds it.
enum SedeMigrations {
    struct Migration {
        let number: Int
        let identifier: String
        let sql: String
    }

    static let all: [Migration] = EmbeddedSedeSchema.files.compactMap { file in
        guard let number = Int(file.name.prefix(while: \.isNumber)) else { return nil }
        return Migration(number: number, identifier: String(file.name.dropLast(4)), sql: file.text)
    }.sorted { $0.number < $1.number }

    /// The highest schema number this binary knows.
    static var latest: Int { all.last?.number ?? 0 }

    /// The migrator for the store at `databasePath` (`nil`: a store whose sync token, if any, may
    /// not be moved out, which makes migration 0008 fail rather than lose it).
    static func migrator(databasePath: String?) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(migration.identifier) { db in
                if migration.number == SyncTokenFile.migrationNumber {
                    try SyncTokenFile.moveOut(db, databasePath: databasePath)
                }
                try JournalTriggers.dropAll(db)
                try db.execute(sql: migration.sql)
                try JournalTriggers.regenerate(db)
                try db.execute(sql: "PRAGMA user_version = \(migration.number)")
            }
        }
        return migrator
    }

    static var migrator: DatabaseMigrator { migrator(databasePath: nil) }
}
