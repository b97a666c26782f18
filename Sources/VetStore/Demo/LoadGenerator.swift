import Foundation
import GRDB
import VetCore

/// Concurrent write load: each transaction inserts an owner, and every third one also changes the
/// phone of an owner this writer made earlier. Counts only what was committed.
public enum LoadGenerator {
    public struct Report: Codable, Sendable {
        public var writer: String
        public var transactions: Int
        public var inserted: Int
        public var updated: Int
    }

    public static func run(store: SedeStore, seconds: Double, writer: String) throws -> Report {
        var report = Report(writer: writer, transactions: 0, inserted: 0, updated: 0)
        var mine: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        var n = 0
        while Date() < deadline {
            n += 1
            let id = store.newID()
            let now = store.nowText
            let target = n % 3 == 0 && !mine.isEmpty ? mine[n % mine.count] : nil
            try store.write(user: "load-\(writer)") { db in
                try db.execute(sql: """
                    INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, phone, created_at, updated_at)
                    VALUES (?, 'pasaporte', ?, 'Carga', ?, ?, ?, ?)
                    """, arguments: [id, "\(writer)X\(n)".uppercased().filter { $0.isLetter || $0.isNumber }, writer,
                                     "9" + String(format: "%08d", n), now, now])
                if let target {
                    try db.execute(sql: "UPDATE owners SET phone = ?, updated_at = ? WHERE id = ?",
                                   arguments: ["9" + String(format: "%08d", 50_000_000 + n), now, target])
                }
            }
            mine.append(id)
            report.transactions += 1
            report.inserted += 1
            if target != nil { report.updated += 1 }
        }
        return report
    }
}
