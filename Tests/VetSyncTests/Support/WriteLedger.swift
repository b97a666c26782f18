import Foundation
import GRDB
@testable import VetSync
import VetProtocol

/// The test's own record of every edit and of what each sede could have seen when it made it, to
/// check the end state: each edit is in the final row, or was overwritten by an edit (or delete)
/// made by a sede that had seen it (just the next edit), or is in some sede's `conflict_log`.
///
/// Knowledge only travels through central: a sync pushes the sede's own edits, then pulls what
/// central has. A sync that failed may have done either, so it counts as having done both: that
/// can only excuse more edits, never fail a correct run.
final class WriteLedger {
    struct Write {
        var sede: String
        var row: String
        var column: String
        var value: String
        /// Writes (by index) its sede had seen when it made this one.
        var saw: Set<Int>
    }
    struct Delete {
        var sede: String
        var row: String
        var saw: Set<Int>
    }

    private(set) var writes: [Write] = []
    private(set) var deletes: [Delete] = []
    private var known: [String: Set<Int>] = [:]
    private var atCentral: Set<Int> = []

    func edit(_ sede: String, row: String, column: String, value: String) {
        let index = writes.count
        writes.append(Write(sede: sede, row: row, column: column, value: value, saw: known[sede] ?? []))
        known[sede, default: []].insert(index)
    }

    func delete(_ sede: String, row: String) {
        deletes.append(Delete(sede: sede, row: row, saw: known[sede] ?? []))
    }

    /// A sync of `sede` was attempted (it may have pushed and pulled everything).
    func synced(_ sede: String) {
        for (i, w) in writes.enumerated() where w.sede == sede { atCentral.insert(i) }
        known[sede, default: []].formUnion(atCentral)
    }

    /// Edits neither present, nor overwritten by a sede that had seen them, nor logged anywhere.
    /// `final(row, column)` reads the converged value (nil for a deleted row); `logged(row, column,
    /// value)` says whether any sede logged that value as a loser of that row.
    func unaccounted(final: (String, String) throws -> String??, logged: (String, String, String) throws -> Bool) throws -> [String] {
        var out: [String] = []
        for (i, w) in writes.enumerated() {
            let current = try final(w.row, w.column)
            if case .some(.some(let value)) = current, value == w.value { continue }
            if writes.contains(where: { $0.row == w.row && $0.column == w.column && $0.saw.contains(i) }) { continue }
            if current == .none, deletes.contains(where: { $0.row == w.row && $0.saw.contains(i) }) { continue }
            if try logged(w.row, w.column, w.value) { continue }
            out.append("\(w.sede) \(w.row).\(w.column) = \(w.value)")
        }
        return out
    }
}

extension TestSede {
    /// Whether this sede's `conflict_log` holds `value` as a loser of `row`: for the column, or
    /// inside a deleted row's last values.
    func loggedLoser(row: String, column: String, value: String) throws -> Bool {
        try count("""
            SELECT count(*) FROM conflict_log WHERE row_id = ? AND ((col = ? AND lost_value = ?)
                OR (col = '*' AND json_valid(lost_value) AND json_extract(lost_value, '$.' || ?) = ?))
            """, [row, column, SQLValue.text(value).jsonText, column, value]) > 0
    }
}
