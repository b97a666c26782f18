import Foundation

/// Drug allergies and sensitivities written in a pet's alerts («alérgica a penicilina», «MDR1:
/// no usar ivermectina»), matched against the drugs of a prescription. Matching ignores accents
/// and case. A drug conflicts with an alert when the alert names the drug itself, or names the
/// drug's family or another drug of it (amoxicilina and «alérgica a penicilina»).
///
/// The table covers the families a small-animal clinic prescribes most; a drug outside it is
/// still caught when an alert names it.
public enum AllergyRules {
    /// A drug family: how alerts name it (`terms`) and the stems of its drugs' names (`members`,
    /// generic names and common brands). All folded: lowercase, without accents.
    public struct Family: Sendable, Equatable {
        public let name: String
        public let terms: [String]
        public let members: [String]
        /// Stems that look like a member but are not (`sulfato` is not a sulfonamide).
        public let lookalikes: [String]

        public init(name: String, terms: [String], members: [String], lookalikes: [String] = []) {
            self.name = name; self.terms = terms; self.members = members; self.lookalikes = lookalikes
        }

        /// Whether a drug, as folded words, belongs to the family.
        func includes(_ words: [String]) -> Bool {
            words.contains { w in members.contains { w.hasPrefix($0) } && !lookalikes.contains { w.hasPrefix($0) } }
        }
    }

    public static let families: [Family] = [
        Family(name: "penicilinas", terms: ["penicilin", "betalactam", "beta lactam"],
               members: ["penicilin", "amoxicilin", "ampicilin", "cloxacilin", "dicloxacilin", "oxacilin", "piperacilin", "ticarcilin",
                         "clavamox", "synulox", "betamox"]),
        Family(name: "cefalosporinas", terms: ["cefalosporin", "betalactam", "beta lactam"],
               members: ["cefalexin", "cefazolin", "ceftriaxon", "cefovecin", "cefadroxil", "cefpodoxim", "ceftiofur", "cefuroxim",
                         "cefquinom", "cefotaxim", "convenia"]),
        Family(name: "sulfonamidas", terms: ["sulfa"],
               members: ["sulfa", "tribrissen", "bactrim"], lookalikes: ["sulfat"]),
        Family(name: "AINE (antiinflamatorios no esteroideos)", terms: ["aine", "nsaid", "antiinflamatorios no esteroid", "antiinflamatorio no esteroid"],
               members: ["meloxicam", "carprofen", "ketoprofen", "firocoxib", "robenacoxib", "deracoxib", "aspirin", "acetilsalicil",
                         "ibuprofen", "naproxen", "diclofenac", "flunixin", "tolfenam", "metamizol", "dipiron", "metacam", "rimadyl",
                         "previcox", "onsior"]),
        Family(name: "quinolonas", terms: ["quinolon"],
               members: ["enrofloxacin", "marbofloxacin", "ciprofloxacin", "pradofloxacin", "orbifloxacin", "baytril"]),
        Family(name: "tetraciclinas", terms: ["tetraciclin"],
               members: ["doxiciclin", "oxitetraciclin", "tetraciclin", "minociclin"]),
        Family(name: "macrólidos", terms: ["macrolid"],
               members: ["azitromicin", "eritromicin", "claritromicin", "tilosin", "espiramicin"]),
        Family(name: "aminoglucósidos", terms: ["aminogluc"],
               members: ["gentamicin", "amikacin", "neomicin", "estreptomicin", "tobramicin"]),
        Family(name: "lincosamidas", terms: ["lincosamid"],
               members: ["clindamicin", "lincomicin"]),
        Family(name: "lactonas macrocíclicas (ivermectina)", terms: ["avermectin", "lactona macrociclic", "lactonas macrociclic", "mdr1", "abcb1"],
               members: ["ivermectin", "selamectin", "moxidectin", "milbemicin", "doramectin", "eprinomectin", "abamectin"]),
        Family(name: "corticoides", terms: ["corticoid", "corticoesteroid", "corticosteroid"],
               members: ["prednison", "prednisolon", "dexametason", "metilprednisolon", "hidrocortison", "triamcinolon", "betametason"]),
        Family(name: "opioides", terms: ["opioid", "opiace"],
               members: ["tramadol", "morfin", "buprenorfin", "butorfanol", "metadon", "fentanil", "hidromorfon", "codein"]),
        Family(name: "nitroimidazoles", terms: ["nitroimidazol"],
               members: ["metronidazol", "tinidazol", "ornidazol"]),
    ]

    /// A drug of a prescription against an alert of the pet.
    public struct Conflict: Sendable, Equatable {
        public let drug: String
        public let alert: String
        /// The family through which they match; `nil` when the alert names the drug itself.
        public let family: String?

        /// One line for the person who must confirm: `Amoxicilina: «alérgica a penicilina» (penicilinas)`.
        public var line: String { "\(drug): «\(alert)»" + (family.map { " (\($0))" } ?? "") }
    }

    /// Words of a drug's name that say nothing about the drug itself.
    static let formWords: Set<String> = [
        "tableta", "tabletas", "comprimido", "comprimidos", "capsula", "capsulas", "jarabe", "suspension", "solucion", "inyectable",
        "acido", "ampolla", "ampollas", "gotas", "crema", "pomada", "oral", "topica", "topico", "oftalmica", "otica", "spray",
        "sodico", "sodica", "potasico", "potasica", "clorhidrato", "forte", "plus", "retard",
    ]

    /// The conflicts between `drugs` and `alerts`, at most one per drug and alert, in the order given.
    public static func conflicts(drugs: [String], alerts: [String]) -> [Conflict] {
        let foldedAlerts = alerts.map { (text: $0, words: words($0)) }
        var found: [Conflict] = []
        for drug in drugs {
            let drugWords = words(drug)
            let drugFamilies = families.filter { $0.includes(drugWords) }
            let ownWords = drugWords.filter { $0.count >= 5 && !formWords.contains($0) && !$0.allSatisfy(\.isNumber) }
            for alert in foldedAlerts {
                let joinedAlert = alert.words.joined(separator: " ")
                func mentions(_ term: String, _ family: Family) -> Bool {
                    if term.contains(" ") { return joinedAlert.contains(term) }
                    return alert.words.contains { w in w.hasPrefix(term) && !family.lookalikes.contains { w.hasPrefix($0) } }
                }
                let drugName = drug.trimmingCharacters(in: .whitespaces)
                if ownWords.contains(where: { w in alert.words.contains { $0 == w || $0.hasPrefix(w) } }) {
                    found.append(Conflict(drug: drugName, alert: alert.text, family: nil))
                } else if let family = drugFamilies.first(where: { f in (f.terms + f.members).contains { mentions($0, f) } }) {
                    found.append(Conflict(drug: drugName, alert: alert.text, family: family.name))
                }
            }
        }
        return found
    }

    /// Lowercase words without accents; anything not a letter or digit separates words.
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        return folded.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
