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
    /// The owner's document number (DNI, RUC, CE or passport).
    public var document: String = ""
    /// `Apellidos, Nombres`: the surnames a desk searches by come first, so they are the last to be cut.
    public var ownerSurnameFirst: String = ""
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
    public static let rankLimit = 150

    /// The words of what the user typed (`+51` dropped), or empty when there is nothing to search.
    public static func words(_ text: String) -> [String] {
        var t = text
        if let r = t.range(of: "+51") { t.removeSubrange(r) }
        return t.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// The FTS5 query for what the user typed: all words must match; the last one (still being
    /// typed) as a prefix, the others as whole words (`pena r` → `"pena" "r"*`), which FTS5 can
    /// intersect without reading every row of a common surname.
    public static func ftsQuery(_ text: String) -> String? {
        let w = words(text)
        guard !w.isEmpty else { return nil }
        return w.enumerated().map { i, word in i == w.count - 1 ? "\"\(word)\"*" : "\"\(word)\"" }.joined(separator: " ")
    }

    /// The digits typed when the search is a number of 4 digits or more (spaces allowed), else `nil`.
    static func number(_ text: String) -> String? {
        let w = words(text)
        guard !w.isEmpty, w.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let digits = w.joined()
        return digits.count >= 4 ? digits : nil
    }

    static let weights: [Int] = [10, 6, 4, 4, 4]

    /// Letters U+00C0…U+00FF (UTF-8 `C3 80`…`C3 BF`) without their accents; `_` separates words.
    static let latin1: [UInt8] = Array("aaaaaaaceeeeiiiidnooooo_ouuuuytsaaaaaaaceeeeiiiidnooooo_ouuuuyty".utf8)

    /// The UTF-8 bytes of `text` in lower case without accents, as the FTS5 tokenizer sees it
    /// (`Núñez` → `nunez`); `0` separates words. Runs over every candidate row on every keystroke,
    /// so it works on bytes and allocates nothing but `out`.
    static func foldBytes(_ text: String, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var lead: UInt8 = 0
        for b in text.utf8 {
            if lead == 0xC3 {
                let m = latin1[Int(b & 0x3F)]
                out.append(m == UInt8(ascii: "_") ? 0 : m)
                lead = 0
            } else if lead == 0xCC || lead == 0xCD {
                lead = 0   // a combining accent: dropped
            } else if b >= 0x80 {
                if b == 0xC3 || b == 0xCC || b == 0xCD { lead = b } else { out.append(b) }
            } else if (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) {
                out.append(b)
            } else if b >= 0x41 && b <= 0x5A {
                out.append(b + 32)
            } else {
                out.append(0)
            }
        }
    }

    /// `text` folded as the search compares it, words separated by single spaces.
    static func fold(_ text: String) -> String {
        var bytes: [UInt8] = []
        foldBytes(text, into: &bytes)
        return String(decoding: Array(bytes.split(separator: 0).joined(separator: [UInt8(ascii: " ")])), as: UTF8.self)
    }

    /// Score of one row's columns (pet, owner, doc, phone, chip) for the folded query words: per
    /// word, the best column where a word of it starts with the query word (whole word scores more).
    static func score(_ columns: [String], words: [[UInt8]], buffer: inout [UInt8]) -> Int {
        var best = [Int](repeating: 0, count: words.count)
        for (c, column) in columns.enumerated() {
            foldBytes(column, into: &buffer)
            var start = 0
            let n = buffer.count
            while start < n {
                var end = start
                while end < n && buffer[end] != 0 { end += 1 }
                let length = end - start
                if length > 0 {
                    for (q, word) in words.enumerated() where word.count <= length {
                        var i = 0
                        while i < word.count && buffer[start + i] == word[i] { i += 1 }
                        if i == word.count { best[q] = max(best[q], weights[c] * (length == word.count ? 3 : 2)) }
                    }
                }
                start = end + 1
            }
        }
        return best.reduce(0, +)
    }

    static func matchIDs(_ text: String, limit: Int, _ db: Database) throws -> (ids: [Int64], truncated: Bool, matched: Int) {
        if let digits = number(text) { return try numberIDs(digits, limit: limit, db) }
        guard let query = ftsQuery(text) else { return ([], false, 0) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        let folded = words(text).map { word -> [UInt8] in foldBytes(word, into: &buffer); return buffer.filter { $0 != 0 } }
        var scored: [(id: Int64, score: Int, name: String)] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT rowid, pet, owner, doc, phone, chip FROM patient_search WHERE patient_search MATCH ? LIMIT ?
            """, arguments: [query, rankLimit + 1])
        while let row = try rows.next() {
            let columns: [String] = (1...5).map { (row[$0] as String?) ?? "" }
            scored.append((row[0], score(columns, words: folded, buffer: &buffer), columns[0] + " " + columns[1]))
        }
        let count = scored.count
        scored.sort { ($0.score, $1.name) > ($1.score, $0.name) }
        return (scored.prefix(limit).map(\.id), count > rankLimit, count)
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
                   o.first_names, o.last_names, o.phone, o.doc_number
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
                deceased: (row["deceased_on"] as String?) != nil, document: row["doc_number"] ?? "",
                ownerSurnameFirst: last.trimmingCharacters(in: .whitespaces).isEmpty ? first : last + ", " + first)
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
