/// What a catalog item is: a product (kept in stock) or a service (never in stock).
public enum CatalogKind: TextEnum {
    case medicamento, vacuna, antiparasitario, insumo, alimento, accesorio
    case consulta, vacunacion, cirugia, hospitalizacion, analisis, banoCorte, otroServicio
    case unknown(String)

    public static let allCases: [CatalogKind] = [
        .medicamento, .vacuna, .antiparasitario, .insumo, .alimento, .accesorio,
        .consulta, .vacunacion, .cirugia, .hospitalizacion, .analisis, .banoCorte, .otroServicio,
    ]

    public var rawValue: String {
        switch self {
        case .medicamento: "medicamento"
        case .vacuna: "vacuna"
        case .antiparasitario: "antiparasitario"
        case .insumo: "insumo"
        case .alimento: "alimento"
        case .accesorio: "accesorio"
        case .consulta: "consulta"
        case .vacunacion: "vacunacion"
        case .cirugia: "cirugia"
        case .hospitalizacion: "hospitalizacion"
        case .analisis: "analisis"
        case .banoCorte: "bano_corte"
        case .otroServicio: "otro_servicio"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .medicamento: "Medicamento"
        case .vacuna: "Vacuna"
        case .antiparasitario: "Antiparasitario"
        case .insumo: "Insumo"
        case .alimento: "Alimento"
        case .accesorio: "Accesorio"
        case .consulta: "Consulta"
        case .vacunacion: "Vacunación"
        case .cirugia: "Cirugía"
        case .hospitalizacion: "Hospitalización"
        case .analisis: "Análisis"
        case .banoCorte: "Baño y corte"
        case .otroServicio: "Otro servicio"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }

    /// Whether items of this kind are kept in stock. An unknown kind is not: no stock is taken on a guess.
    public var isProduct: Bool {
        switch self {
        case .medicamento, .vacuna, .antiparasitario, .insumo, .alimento, .accesorio: true
        default: false
        }
    }
}

/// SUNAT catálogo 07: how IGV applies to a line. VetDesk sells gravado, exonerado or inafecto
/// (onerous operations; the free-transfer codes are not used at the counter).
public enum IGVAffectation: TextEnum {
    case gravado, exonerado, inafecto
    case unknown(String)

    public static let allCases: [IGVAffectation] = [.gravado, .exonerado, .inafecto]

    public var rawValue: String {
        switch self {
        case .gravado: "10"
        case .exonerado: "20"
        case .inafecto: "30"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .gravado: "Gravado"
        case .exonerado: "Exonerado"
        case .inafecto: "Inafecto"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }
}

/// SUNAT catálogo 03 (unidades de medida), embedded from `catalogs/sunat-units.txt`.
public enum SunatUnits {
    /// Every unit code of the catalogue.
    public static let codes: Set<String> = {
        let text = EmbeddedCatalogs.files.first { $0.name == "sunat-units.txt" }?.text ?? ""
        return Set(text.split(separator: "\n").compactMap { line in line.split(separator: " ").first.map(String.init) })
    }()

    public static func isKnown(_ code: String) -> Bool { codes.contains(code) }
}

/// A catalog item as the sede reads it (central data).
public struct CatalogItem: Sendable, Equatable, Identifiable {
    public var id: String
    public var sku: String
    public var name: String
    public var kind: CatalogKind
    public var category: String
    public var unitCode: String
    public var igv: IGVAffectation
    public var presentation: String
    public var baseUnit: String
    /// The item a pack opens into (desarme) and how many of it a pack holds.
    public var unitItemID: String?
    public var packUnits: Int64?
    public var tracksLots: Bool
    public var controlled: Bool
    public var prescription: Bool
    public var active: Bool

    public init(id: String, sku: String, name: String, kind: CatalogKind, category: String, unitCode: String, igv: IGVAffectation,
                presentation: String = "", baseUnit: String = "unidad", unitItemID: String? = nil, packUnits: Int64? = nil,
                tracksLots: Bool = false, controlled: Bool = false, prescription: Bool = false, active: Bool = true) {
        self.id = id; self.sku = sku; self.name = name; self.kind = kind; self.category = category; self.unitCode = unitCode
        self.igv = igv; self.presentation = presentation; self.baseUnit = baseUnit; self.unitItemID = unitItemID
        self.packUnits = packUnits; self.tracksLots = tracksLots; self.controlled = controlled; self.prescription = prescription
        self.active = active
    }

    public var isProduct: Bool { kind.isProduct }
}
