import Foundation

/// A district of Peru by its SUNAT/INEI ubigeo code, with its province and department.
public struct District: Hashable, Sendable {
    public var code: String
    public var name: String
    public var province: String
    public var department: String

    /// `Miraflores (Lima, Lima)`.
    public var label: String { "\(name) (\(province), \(department))" }
}

/// The districts of SUNAT's catálogo 13, searchable by name regardless of accents and case.
///
/// The catalogue is data: `catalogs/ubigeo.txt`, made from SUNAT's `cat_13.xml` by
/// `scripts/ubigeo-from-cat13` and embedded at build time; it is read the first time a district is
/// looked up.
public enum Ubigeo {
    /// `catalogs/ubigeo.txt`: one `CODE NAME` line per department, province and district.
    static var catalog: String { EmbeddedCatalogs.files.first { $0.name == "ubigeo.txt" }?.text ?? "" }

    /// Every district, in code order.
    public static let districts: [District] = {
        var names: [String: String] = [:]
        var codes: [String] = []
        for line in catalog.split(separator: "\n") where line.count > 7 {
            let code = String(line.prefix(6))
            names[code] = titleCase(String(line.dropFirst(7)))
            codes.append(code)
        }
        return codes.filter { !$0.hasSuffix("00") }.map { code in
            District(code: code, name: names[code] ?? code,
                     province: names[String(code.prefix(4)) + "00"] ?? "",
                     department: names[String(code.prefix(2)) + "0000"] ?? "")
        }
    }()

    private static let byCode: [String: District] = Dictionary(districts.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })

    public static func district(code: String) -> District? { byCode[code] }

    /// Districts whose name matches `text`: a 6-digit code, a name (`miraflores`), or a name narrowed
    /// by province or department after a comma (`miraflores, arequipa`). Exact names come first.
    public static func matches(_ text: String) -> [District] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count == 6, trimmed.allSatisfy(\.isASCIIDigit) { return byCode[trimmed].map { [$0] } ?? [] }
        let parts = trimmed.split(separator: ",", maxSplits: 1).map { fold(String($0)) }
        guard let name = parts.first, !name.isEmpty else { return [] }
        let region = parts.count > 1 ? parts[1] : ""
        var candidates = districts.filter { d in
            guard fold(d.name).hasPrefix(name) else { return false }
            return region.isEmpty || fold(d.province).hasPrefix(region) || fold(d.department).hasPrefix(region)
        }
        let inProvince = candidates.filter { !region.isEmpty && fold($0.province).hasPrefix(region) }
        if !inProvince.isEmpty { candidates = inProvince }
        let exact = candidates.filter { fold($0.name) == name }
        return exact.isEmpty ? candidates : exact
    }

    /// Like `matches`, but a name without a province that matches districts of several provinces
    /// keeps those in the province of `home` (the sede's district) when there are any: at a Lima
    /// sede «miraflores» is Miraflores, Lima.
    public static func matches(_ text: String, home: District?) -> [District] {
        let found = matches(text)
        guard found.count > 1, let home, !text.contains(",") else { return found }
        let local = found.filter { $0.code.prefix(4) == home.code.prefix(4) }
        return local.isEmpty ? found : local
    }

    /// Lower-cased, without accents (ñ becomes n), single spaces.
    public static func fold(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        return folded.split(whereSeparator: { $0 == " " }).joined(separator: " ")
    }

    static func titleCase(_ upper: String) -> String {
        let small: Set<String> = ["de", "del", "la", "las", "los", "el", "y"]
        return upper.lowercased().split(separator: " ").enumerated().map { i, word in
            let w = String(word)
            if i > 0, small.contains(w) { return w }
            if w.hasPrefix("(") { return "(" + w.dropFirst().prefix(1).uppercased() + w.dropFirst(2) }
            return w.prefix(1).uppercased() + w.dropFirst()
        }.joined(separator: " ")
    }
}
