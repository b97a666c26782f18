import Foundation
import GRDB
import VetCore
import VetStore

/// Concurrent write load: each transaction inserts an owner, and every third one also changes the
/// phone of an owner this writer made earlier. Counts only what was committed, and how long each
/// write waited for the database before its transaction began.
public enum LoadGenerator {
    public struct Report: Codable, Sendable {
        public var writer: String
        public var transactions: Int
        public var inserted: Int
        public var updated: Int
        /// Milliseconds each transaction waited for the write lock, in order.
        public var waitsMs: [Double]

        enum CodingKeys: String, CodingKey {
            case writer, transactions, inserted, updated
            case waitsMs = "waits_ms"
        }
    }

    public static func run(store: SedeStore, seconds: Double, writer: String) throws -> Report {
        var report = Report(writer: writer, transactions: 0, inserted: 0, updated: 0, waitsMs: [])
        var mine: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        var n = 0
        while Date() < deadline {
            n += 1
            let id = store.newID()
            let now = store.nowText
            let target = n % 3 == 0 && !mine.isEmpty ? mine[n % mine.count] : nil
            let asked = DispatchTime.now().uptimeNanoseconds
            var waited = 0.0
            try store.write(user: "load-\(writer)") { db in
                waited = Double(DispatchTime.now().uptimeNanoseconds - asked) / 1_000_000
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
            report.waitsMs.append((waited * 100).rounded() / 100)
            report.transactions += 1
            report.inserted += 1
            if target != nil { report.updated += 1 }
        }
        return report
    }
}
