import Foundation
import Testing
@testable import VetCore

/// The ubigeo catalogue VetCore embeds from `catalogs/ubigeo.txt` (made from SUNAT's cat_13.xml
/// by `scripts/ubigeo-from-cat13`).
@Suite struct UbigeoCatalogTests {
    /// SUNAT's catálogo 13 next to the repository (`../shared/sunat`), or `$VETDESK_CAT13`.
    static let cat13: String = ProcessInfo.processInfo.environment["VETDESK_CAT13"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/sunat/validator/cpe/catalogo/cat_13.xml").path

    @Test func knownDistrictsWithTheirProvinceAndDepartment() throws {
        let lima = try #require(Ubigeo.district(code: "150101"))
        #expect((lima.name, lima.province, lima.department) == ("Lima", "Lima", "Lima"))
        let arequipa = try #require(Ubigeo.district(code: "040101"))
        #expect((arequipa.name, arequipa.province, arequipa.department) == ("Arequipa", "Arequipa", "Arequipa"))
        let daguas = try #require(Ubigeo.district(code: "010118"))
        #expect(daguas.label == "San Francisco de Daguas (Chachapoyas, Amazonas)")
        #expect(Ubigeo.district(code: "070101")?.label == "Callao (Prov. Const. del Callao, Prov. Const. del Callao)")
        #expect(Ubigeo.district(code: "250401")?.label == "Purus (Purus, Ucayali)")
        // Departments and provinces are not districts.
        #expect(Ubigeo.district(code: "150000") == nil && Ubigeo.district(code: "150100") == nil)
    }

    /// cat_13.xml of SUNAT's validator has 2,105 entries: 25 departments, 196 provinces, 1,884 districts.
    @Test func everyDistrictOfTheCatalogueOnceInCodeOrder() {
        let codes = Ubigeo.districts.map(\.code)
        #expect(codes.count == 1_884)
        #expect(Set(codes).count == codes.count)
        #expect(codes == codes.sorted())
        #expect(Ubigeo.districts.allSatisfy { !$0.name.isEmpty && !$0.province.isEmpty && !$0.department.isEmpty })
    }

    /// The embedded data is cat_13.xml itself: the same districts, read here straight from the XML.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: cat13), "needs SUNAT's cat_13.xml"))
    func theEmbeddedCatalogueIsCat13() throws {
        let xml = try String(contentsOfFile: Self.cat13, encoding: .utf8)
        let entry = try Regex(#"<c id="([0-9]{6})">([^<]*)</c>"#)
        var names: [String: String] = [:]
        var districts: [String] = []
        for match in xml.matches(of: entry) {
            let code = String(match.output[1].substring ?? ""), name = String(match.output[2].substring ?? "")
            names[code] = name
            if !code.hasSuffix("00") { districts.append(code) }
        }
        #expect(Ubigeo.districts.map(\.code) == districts)
        for district in Ubigeo.districts {
            #expect(Ubigeo.fold(district.name) == Ubigeo.fold(names[district.code] ?? ""), "\(district.code)")
        }
    }
}
