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
/// accent- and case-insensitive. Words go through the `patient_search` FTS5 index (prefix
/// matches, all words required); a number alone (4 digits or more) is looked up by prefix in the
/// document, phone and microchip indexes. Matches are ranked: a word found whole beats a prefix,
/// and the pet's name weighs more than the owner's, which weighs more than numbers.
public enum PatientSearch {
    /// At most this many matches are read and ranked per keystroke; beyond it the user should keep typing.
    public static let rankLimit = 300

    /// The words of what the user typed (`+51` dropped), or empty when there is nothing to search.
    public static func words(_ text: String) -> [String] {
        var t = text
        if let r = t.range(of: "+51") { t.removeSubrange(r) }
        return t.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// The FTS5 query for what the user typed: every word is a prefix, all must match.
    public static func ftsQuery(_ text: String) -> String? {
        let w = words(text)
        guard !w.isEmpty else { return nil }
        return w.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    /// The digits typed when the search is a number of 4 digits or more (spaces allowed), else `nil`.
    static func number(_ text: String) -> String? {
        let w = words(text)
        guard !w.isEmpty, w.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let digits = w.joined()
        return digits.count >= 4 ? digits : nil
    }

    static let weights: [Int] = [10, 6, 4, 4, 4]

    static let accents: [UInt32: Unicode.Scalar] = {
        var map: [UInt32: Unicode.Scalar] = [:]
        for (accented, plain) in zip("áàäâãåéèëêíìïîóòöôõúùüûñçýÿÁÀÄÂÃÅÉÈËÊÍÌÏÎÓÒÖÔÕÚÙÜÛÑÇÝ".unicodeScalars,
                                     "aaaaaaeeeeiiiiooooouuuuncyyaaaaaaeeeeiiiiooooouuuuncy".unicodeScalars) {
            map[accented.value] = plain
        }
        return map
    }()

    /// Lower case without accents, as the FTS5 tokenizer sees it (`Núñez` → `nunez`); fast enough
    /// to run over every candidate row on every keystroke.
    static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if u.isASCII {
                out.append(u.value >= 65 && u.value <= 90 ? Unicode.Scalar(UInt8(u.value + 32)) : u)
            } else if let plain = accents[u.value] {
                out.append(plain)
            } else if u.properties.generalCategory != .nonspacingMark {
                out.append(contentsOf: u.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    /// Score of one row's columns (pet, owner, doc, phone, chip) for the folded query words.
    static func score(_ columns: [String], words: [String]) -> Int {
        let columnWords = columns.map { fold($0).split(whereSeparator: { !($0.isLetter || $0.isNumber) }) }
        var total = 0
        for w in words {
            var best = 0
            for (i, list) in columnWords.enumerated() {
                for word in list where word.hasPrefix(w) {
                    best = max(best, weights[i] * (word.count == w.count ? 3 : 2))
                }
            }
            total += best
        }
        return total
    }

    static func matchIDs(_ text: String, limit: Int, _ db: Database) throws -> (ids: [Int64], truncated: Bool, matched: Int) {
        if let digits = number(text) { return try numberIDs(digits, limit: limit, db) }
        guard let query = ftsQuery(text) else { return ([], false, 0) }
        let rows = try Row.fetchAll(db, sql: """
            SELECT rowid, pet, owner, doc, phone, chip FROM patient_search WHERE patient_search MATCH ? LIMIT ?
            """, arguments: [query, rankLimit + 1])
        let folded = words(text).map(fold)
        let scored = rows.map { row -> (id: Int64, score: Int, name: String) in
            let columns: [String] = (1...5).map { (row[$0] as String?) ?? "" }
            return (row[0], score(columns, words: folded), columns[0] + " " + columns[1])
        }.sorted { ($0.score, $1.name) > ($1.score, $0.name) }
        return (scored.prefix(limit).map(\.id), rows.count > rankLimit, rows.count)
    }

    /// A number: microchips first, then documents, then phones, each by prefix through its index.
    static func numberIDs(_ digits: String, limit: Int, _ db: Database) throws -> (ids: [Int64], truncated: Bool, matched: Int) {
        let upper = digits + ":"   // ':' sorts right after '9': every string starting with `digits` is below it.
        var ids: [Int64] = []
        var seen = Set<Int64>()
        func add(_ found: [Int64]) { for id in found where seen.insert(id).inserted { ids.append(id) } }
        add(try Int64.fetchAll(db, sql: """
            SELECT i.rid FROM pets p JOIN patient_search_ids i ON i.pet_id = p.id
            WHERE p.microchip >= ? AND p.microchip < ? ORDER BY p.microchip LIMIT ?
            """, arguments: [digits, upper, rankLimit + 1]))
        for column in ["doc_number", "phone", "phone2"] where ids.count <= rankLimit {
            let owners = "SELECT id FROM owners WHERE \(column) >= ? AND \(column) < ? AND merged_into IS NULL LIMIT \(rankLimit + 1)"
            add(try Int64.fetchAll(db, sql: """
                SELECT i.rid FROM (\(owners)) o JOIN pets p ON p.owner_id = o.id JOIN patient_search_ids i ON i.pet_id = p.id
                """, arguments: [digits, upper]))
            add(try Int64.fetchAll(db, sql: """
                SELECT i.rid FROM (\(owners)) o JOIN patient_search_ids i ON i.owner_id = o.id
                """, arguments: [digits, upper]))
        }
        return (Array(ids.prefix(limit)), ids.count > rankLimit, ids.count)
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
        guard !PatientSearch.words(text).isEmpty else { return .empty }
        return try read { db in
            let (ids, truncated, matched) = try PatientSearch.matchIDs(text, limit: limit, db)
            return PatientSearchResult(hits: try PatientSearch.hits(for: ids, db), truncated: truncated, matched: matched)
        }
    }
}
