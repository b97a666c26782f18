import GRDB
import VetCore

/// One line of search results: a pet with its owner, or an owner without pets.
public struct PatientHit: Sendable, Hashable {
    public var petID: String?
    public var ownerID: String
    public var petName: String
    public var species: String
    public var ownerName: String
    public var phone: String
    public var alerts: [String]
    public var deceased: Bool
}

public struct PatientSearchResult: Sendable, Equatable {
    public var hits: [PatientHit]
    /// More rows matched than are ranked (`PatientSearch.rankLimit`): the user should keep typing.
    public var truncated: Bool
    /// How many rows matched, when not truncated.
    public var matched: Int
    public static let empty = PatientSearchResult(hits: [], truncated: false, matched: 0)
}

/// Search-as-you-type over pet names, owner names, document numbers, phones and microchips,
/// accent- and case-insensitive, through the `patient_search` FTS5 index.
public enum PatientSearch {
    /// Matches are ranked (bm25) when there are at most this many; beyond it the first ones found are shown.
    public static let rankLimit = 300

    /// The FTS5 query for what the user typed: every word is a prefix, all must match. `nil` when
    /// there is nothing to search for.
    public static func ftsQuery(_ text: String) -> String? {
        var t = text
        if let r = t.range(of: "+51") { t.removeSubrange(r) }
        let words = t.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    static let columnWeights = "bm25(patient_search, 10.0, 6.0, 4.0, 4.0, 4.0)"

    /// Row ids of the best matches, best first.
    static func matchIDs(_ query: String, limit: Int, _ db: Database) throws -> (ids: [Int64], truncated: Bool, matched: Int) {
        let found = try Int64.fetchAll(db, sql: "SELECT rowid FROM patient_search WHERE patient_search MATCH ? LIMIT ?",
                                       arguments: [query, rankLimit + 1])
        if found.count > rankLimit { return (Array(found.prefix(limit)), true, found.count) }
        if found.count <= 1 { return (found, false, found.count) }
        let ranked = try Int64.fetchAll(db, sql: """
            SELECT rowid FROM patient_search WHERE patient_search MATCH ? ORDER BY \(columnWeights) LIMIT ?
            """, arguments: [query, limit])
        return (ranked, false, found.count)
    }

    static func hits(for ids: [Int64], _ db: Database) throws -> [PatientHit] {
        guard !ids.isEmpty else { return [] }
        let rows = try Row.fetchAll(db, sql: """
            SELECT i.rid, p.id AS pet_id, p.name, p.species, p.alerts, p.deceased_on, o.id AS owner_id,
                   o.first_names, o.last_names, o.phone
            FROM patient_search_ids i
            LEFT JOIN pets p ON p.id = i.pet_id
            LEFT JOIN owners o ON o.id = coalesce(p.owner_id, i.owner_id)
            WHERE i.rid IN (\(ids.map { _ in "?" }.joined(separator: ",")))
            """, arguments: StatementArguments(ids))
        var byID: [Int64: PatientHit] = [:]
        for row in rows {
            let alerts: String = row["alerts"] ?? ""
            let first: String = row["first_names"] ?? ""
            let last: String = row["last_names"] ?? ""
            byID[row["rid"]] = PatientHit(
                petID: row["pet_id"], ownerID: row["owner_id"] ?? "", petName: row["name"] ?? "",
                species: row["species"] ?? "", ownerName: (first + " " + last).trimmingCharacters(in: .whitespaces),
                phone: (row["phone"] as String?).map(PhoneRules.display) ?? "",
                alerts: alerts.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                deceased: (row["deceased_on"] as String?) != nil)
        }
        return ids.compactMap { byID[$0] }
    }
}

extension SedeStore {
    /// The best matches for what the user has typed so far.
    public func searchPatients(_ text: String, limit: Int = 50) throws -> PatientSearchResult {
        guard let query = PatientSearch.ftsQuery(text) else { return .empty }
        return try read { db in
            let (ids, truncated, matched) = try PatientSearch.matchIDs(query, limit: limit, db)
            return PatientSearchResult(hits: try PatientSearch.hits(for: ids, db), truncated: truncated, matched: matched)
        }
    }
}
