import Foundation
import GRDB
import VetCore
import VetStore

/// Realistic clinical histories for the demo: consultations (signed, some with addenda),
/// vaccinations and dewormings with their next due dates, prescriptions, weights and alerts,
/// written at several sedes by several vets over the last two years. The same seed gives the
/// same rows; at most `maxPets` pets get a history, spread evenly, so large demos stay quick.
enum PatientHistoryDemo {
    static let maxPets = 3_000

    static let reasons: [(reason: String, presumptive: String, definitive: String?, plan: String)] = [
        ("Control anual", "Paciente sano", nil, "Mantener vacunas y desparasitación al día"),
        ("Vómitos desde ayer", "Gastritis aguda", "Gastritis por transgresión alimentaria", "Ayuno 12 h, dieta blanda 5 días, omeprazol"),
        ("Diarrea", "Enteritis", nil, "Dieta blanda, probióticos, control en 3 días"),
        ("Se rasca las orejas", "Otitis externa", "Otitis por Malassezia", "Limpieza ótica y gotas 10 días"),
        ("Cojea de la pata trasera", "Esguince", nil, "Reposo 7 días, meloxicam"),
        ("Picazón en la piel", "Dermatitis alérgica", "Dermatitis por pulgas", "Antipulgas mensual, antihistamínico"),
        ("No quiere comer", "Hiporexia a estudiar", nil, "Hemograma y bioquímica; control mañana"),
        ("Tos", "Traqueobronquitis", nil, "Antitusivo 5 días; evitar collar"),
        ("Herida en la pata", "Laceración", "Laceración superficial", "Limpieza, sutura, antibiótico 7 días"),
        ("Control post operatorio", "Evolución favorable", nil, "Retiro de puntos en 7 días"),
    ]
    static let vaccines: [String: [String]] = [
        "perro": ["Nobivac DHPPi", "Nobivac Rabies", "Vanguard Plus 5 L4", "Canigen KC"],
        "gato": ["Felocell 3", "Nobivac Tricat Trio", "Rabisin"],
        "conejo": ["Nobivac Myxo-RHD"],
        "hurón": ["Nobivac Rabies"],
    ]
    static let dewormers = ["Drontal Plus", "Milbemax", "Bravecto", "NexGard Spectra", "Panacur"]
    static let drugs: [(String, String, String, String)] = [
        ("Amoxicilina + ác. clavulánico 250 mg", "1/2 tableta", "cada 12 h", "7 días"),
        ("Meloxicam 1,5 mg/ml", "0,1 ml/kg", "cada 24 h", "5 días"),
        ("Omeprazol 10 mg", "1 cápsula", "cada 24 h", "5 días"),
        ("Metronidazol 250 mg", "1/2 tableta", "cada 12 h", "5 días"),
        ("Clorfenamina 4 mg", "1/4 tableta", "cada 12 h", "7 días"),
    ]
    static let alerts = ["agresivo", "alérgico a penicilina", "muerde al manipular", "cardiópata", "epiléptico", "usar bozal"]
    static let mucous = ["rosadas", "rosadas", "rosadas", "pálidas", "congestivas"]

    static func run(store: SedeStore, seed: UInt64, reference: Date) throws {
        var rng = SplitMix64(seed: seed ^ 0x5EED_C11A)
        let ids = UUIDv7Generator(seed: seed ^ 0xC11A)
        let (pets, vets, sedes) = try store.read { db in
            (try Row.fetchAll(db, sql: "SELECT id, species, birth_date FROM pets ORDER BY id"),
             try String.fetchAll(db, sql: """
                SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'veterinario' ORDER BY u.username
                """),
             try String.fetchAll(db, sql: "SELECT id FROM sedes WHERE kind = 'clinica' ORDER BY code"))
        }
        guard !pets.isEmpty, !vets.isEmpty, !sedes.isEmpty else { return }
        let stride = max(1, pets.count / maxPets)
        let refMs = UInt64(reference.timeIntervalSince1970 * 1000)
        let dayMs: UInt64 = 86_400_000
        let iso = { (ms: UInt64) in LimaTime.iso8601(Date(timeIntervalSince1970: Double(ms) / 1000)) }
        let day = { (ms: UInt64) in CivilDate(limaDayOf: Date(timeIntervalSince1970: Double(ms) / 1000)) }
        func pick<T>(_ list: [T]) -> T { list[Int(rng.next() % UInt64(list.count))] }

        var index = 0
        while index < pets.count {
            let chunkEnd = min(pets.count, index + 200 * stride)
            try store.write(user: nil) { db in
                var i = index
                while i < chunkEnd {
                    let pet = pets[i]
                    i += stride
                    let petID: String = pet["id"]
                    let species: String = pet["species"]
                    let info = Species(loose: species) ?? .otro
                    var ms = refMs - 720 * dayMs + rng.next() % (200 * dayMs)
                    let typical = typicalGrams(info)
                    var grams = typical.lowerBound + Int64(rng.next() % UInt64(typical.upperBound - typical.lowerBound))
                    if rng.next() % 100 < 6 {
                        let a = pick(alerts)
                        let b = rng.next() % 3 == 0 ? "; " + pick(alerts.filter { $0 != a }) : ""
                        try db.cachedStatement(sql: "UPDATE pets SET alerts = ? WHERE id = ?").execute(arguments: [a + b, petID])
                    }
                    let visits = 1 + Int(rng.next() % 4)
                    for _ in 0..<visits {
                        ms += (20 + rng.next() % 160) * dayMs
                        guard ms < refMs else { break }
                        let vet = pick(vets), sede = pick(sedes)
                        let r = pick(reasons)
                        grams = max(typical.lowerBound, min(typical.upperBound, grams + (grams / 20) * Int64(rng.next() % 3) - grams / 20))
                        let consultation = ids.make(unixMs: ms)
                        let signed = iso(ms + 25 * 60_000)
                        try db.cachedStatement(sql: """
                            INSERT INTO consultations (id, pet_id, sede_id, vet_id, seen_at, reason, anamnesis, weight_grams, temperature_dc,
                                heart_rate, resp_rate, mucous, crt_seconds, body_condition, dx_presumptive, dx_definitive, plan,
                                signed_at, created_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """).execute(arguments: [consultation, petID, sede, vet, iso(ms), r.reason, "Refiere el propietario: " + r.reason.lowercased(),
                                             grams, 380 + Int(rng.next() % 15), 80 + Int(rng.next() % 60), 18 + Int(rng.next() % 20),
                                             pick(mucous), 1 + Int(rng.next() % 2), 4 + Int(rng.next() % 3), r.presumptive, r.definitive,
                                             r.plan, signed, iso(ms), signed])
                        try db.cachedStatement(sql: """
                            INSERT INTO pet_weights (id, pet_id, grams, measured_at, sede_id, user_id, source_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                            """).execute(arguments: [ids.make(unixMs: ms), petID, grams, iso(ms), sede, vet, consultation])
                        if r.definitive == nil, rng.next() % 4 == 0 {
                            let later = ms + (2 + rng.next() % 3) * dayMs
                            try db.cachedStatement(sql: """
                                INSERT INTO consultation_addenda (id, consultation_id, sede_id, author_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?)
                                """).execute(arguments: [ids.make(unixMs: later), consultation, sede, pick(vets),
                                                 "Resultados de laboratorio normales; evolución favorable", iso(later)])
                        }
                        if rng.next() % 3 == 0 {
                            let d = pick(drugs)
                            let rx = ids.make(unixMs: ms + 60_000)
                            try db.cachedStatement(sql: "INSERT INTO prescriptions (id, pet_id, consultation_id, sede_id, vet_id, created_at) VALUES (?, ?, ?, ?, ?, ?)").execute(arguments: [rx, petID, consultation, sede, vet, iso(ms + 60_000)])
                            try db.cachedStatement(sql: """
                                INSERT INTO prescription_items (id, prescription_id, position, drug, dose, frequency, duration, instructions)
                                VALUES (?, ?, 1, ?, ?, ?, ?, ?)
                                """).execute(arguments: [ids.make(unixMs: ms + 60_000), rx, d.0, d.1, d.2, d.3, "Dar con comida"])
                        }
                        let applied = day(ms)
                        if let products = vaccines[species], rng.next() % 2 == 0 {
                            try vaccination(db, ids.make(unixMs: ms + 120_000), petID, "vacuna", pick(products), applied, 12, sede, vet, iso(ms + 120_000), &rng)
                        }
                        if info == .perro || info == .gato, rng.next() % 2 == 0 {
                            try vaccination(db, ids.make(unixMs: ms + 180_000), petID, "desparasitacion", pick(dewormers), applied, 3, sede, vet, iso(ms + 180_000), &rng)
                        }
                    }
                }
            }
            index = chunkEnd
        }
    }

    /// Adult weights a clinic sees most, in grams.
    static func typicalGrams(_ species: Species) -> ClosedRange<Int64> {
        switch species {
        case .perro: 3_000...38_000
        case .gato: 2_500...6_500
        case .ave: 25...500
        case .conejo: 1_000...3_500
        case .huron: 600...2_000
        case .cuy: 700...1_300
        case .reptil: 50...6_000
        case .otro: 100...5_000
        }
    }

    static func vaccination(_ db: Database, _ id: String, _ petID: String, _ kind: String, _ product: String, _ applied: CivilDate,
                            _ months: Int, _ sede: String, _ vet: String, _ createdAt: String, _ rng: inout SplitMix64) throws {
        let lot = String(format: "%@%05d", kind == "vacuna" ? "V" : "D", Int(rng.next() % 100_000))
        try db.cachedStatement(sql: """
            INSERT INTO vaccinations (id, pet_id, kind, product, lot, expiry, applied_on, next_due, sede_id, vet_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, petID, kind, product, lot, applied.adding(months: 18).iso, applied.iso,
                             applied.adding(months: months).iso, sede, vet, createdAt])
    }
}
