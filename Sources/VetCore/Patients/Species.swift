/// The species a clinic registers, each with its common breeds and the weights it can have.
public enum Species: String, CaseIterable, Sendable, Codable {
    case perro, gato, ave, conejo
    case huron = "hurón"
    case cuy, reptil, otro

    public var label: String {
        switch self {
        case .perro: "Perro"
        case .gato: "Gato"
        case .ave: "Ave"
        case .conejo: "Conejo"
        case .huron: "Hurón"
        case .cuy: "Cuy"
        case .reptil: "Reptil"
        case .otro: "Otro"
        }
    }

    /// Breeds offered in the form; any other breed may be typed.
    public var breeds: [String] {
        switch self {
        case .perro: ["Mestizo", "Labrador Retriever", "Schnauzer", "Shih Tzu", "Golden Retriever", "Pug", "Poodle",
                      "Pastor Alemán", "Chihuahua", "Beagle", "Bulldog Francés", "Yorkshire Terrier", "Cocker Spaniel",
                      "Rottweiler", "Perro sin pelo del Perú", "Husky Siberiano", "Pitbull"]
        case .gato: ["Mestizo", "Siamés", "Persa", "Angora", "Bengalí", "Maine Coon", "British Shorthair", "Ragdoll", "Sphynx"]
        case .ave: ["Periquito", "Canario", "Loro", "Cacatúa", "Agapornis"]
        case .conejo: ["Mini Lop", "Cabeza de León", "Holland Lop", "Rex", "Mestizo"]
        case .huron: ["Estándar", "Albino"]
        case .cuy: ["Peruano", "Abisinio", "Americano"]
        case .reptil: ["Tortuga de tierra", "Iguana", "Gecko leopardo"]
        case .otro: []
        }
    }

    /// Weights outside this range (grams) are refused as impossible for the species.
    public var plausibleGrams: ClosedRange<Int64> {
        switch self {
        case .perro: 100...120_000
        case .gato: 50...15_000
        case .ave: 5...2_000
        case .conejo: 30...10_000
        case .huron: 30...3_000
        case .cuy: 30...2_500
        case .reptil: 1...150_000
        case .otro: 1...1_000_000
        }
    }

    /// The species typed or stored as `text`, accents and case aside (`huron` is `hurón`).
    public init?(loose text: String) {
        let folded = Ubigeo.fold(text)
        guard let match = Species.allCases.first(where: { Ubigeo.fold($0.rawValue) == folded }) else { return nil }
        self = match
    }
}

/// Sex of a pet: `M` macho, `H` hembra.
public enum PetSex: String, CaseIterable, Sendable, Codable {
    case male = "M"
    case female = "H"

    public var label: String { self == .male ? "Macho" : "Hembra" }
}
