import Foundation
import GRDB
import VetCore
import VetStore

/// Builds a realistic demo sede: sedes of the network and its central warehouse, staff with the five
/// demo logins (clave 1234), owners with their pets, their histories, the agenda, and the pharmacy
/// (catalog, prices, stock with lots, prescriptions to dispense) and the till (two weeks of sales and
/// payments, a cash session a day closed every evening with its count, today's open, this morning's
/// charges to collect). The same seed and the same `today` give the same rows (ids included); only
/// the bcrypt salts and the journal's clock readings differ from run to run.
public struct DemoGenerator {
    public struct Options: Sendable {
        public var pets: Int = 2_000
        public var seed: UInt64 = 42
        public var sedeCode = "LIM01"
        public var sedeName = "VetDesk Miraflores"
        /// Rows per write transaction while filling owners and pets.
        public var chunk = 400
        /// The day the demo's agenda, stock and waiting prescriptions are built around; `nil` is today
        /// by the store's clock.
        public var today: CivilDate?
        public init(pets: Int = 2_000, seed: UInt64 = 42) { self.pets = pets; self.seed = seed }
    }

    public static let demoPassword = "1234"
    /// The five demo logins, their names and roles at the demo sede.
    public static let demoUsers: [(username: String, fullName: String, roles: [Role])] = [
        ("recepcion", "Rosa Quispe Mamani", [.recepcionista]),
        ("veterinario", "Dr. Carlos Mendoza Ríos", [.veterinario]),
        ("farmacia", "Lucía Flores Huamán", [.farmacia]),
        ("supervisor", "Jorge Vargas Paredes", [.supervisor]),
        ("admin", "Ana Torres Salazar", [.administrador, .supervisor]),
    ]
    /// Other vets of the network, who also sign in with clave 1234.
    static let otherVets: [(String, String)] = [
        ("vet.rojas", "Dra. Milagros Rojas Cárdenas"), ("vet.chavez", "Dr. Renzo Chávez León"),
        ("vet.huaman", "Dra. Fiorella Huamán Apaza"),
    ]
    static let networkSedes: [(code: String, name: String, district: String)] = [
        ("LIM02", "VetDesk San Borja", "San Borja"),
        ("AQP01", "VetDesk Arequipa Cayma", "Cayma"),
        ("TRU01", "VetDesk Trujillo Centro", "Trujillo"),
    ]
    static let warehouse = (code: "ALM01", name: "Almacén central", district: "Ate", address: "Av. Separadora Industrial 2150, Ate")
    /// Patient data is dated relative to this fixed day, so a seed always gives the same rows.
    public static let referenceDate = Date(timeIntervalSince1970: 1_793_491_200) // 2026-11-01T00:00:00Z

    public struct Summary: Sendable { public var owners: Int; public var pets: Int; public var seconds: Double }

    public static func run(store: SedeStore, options: Options, progress: ((Int) -> Void)? = nil) throws -> Summary {
        let started = Date()
        var rng = SplitMix64(seed: options.seed)
        let ids = UUIDv7Generator(seed: options.seed)
        let refMs = UInt64(referenceDate.timeIntervalSince1970 * 1000)
        let iso = { (ms: UInt64) in LimaTime.iso8601(Date(timeIntervalSince1970: Double(ms) / 1000)) }

        // Network: the demo sede and the others, as central data.
        let sedeID = ids.make(unixMs: refMs - 400 * 86_400_000)
        try store.applyingRemote { db in
            try Sede(id: sedeID, code: options.sedeCode, name: options.sedeName, district: "Miraflores",
                     address: "Av. Larco 345, Miraflores", phone: "014451234", createdAt: iso(refMs - 400 * 86_400_000)).insert(db)
            for (i, other) in networkSedes.enumerated() {
                let ms = refMs - UInt64(390 - i) * 86_400_000
                try Sede(id: ids.make(unixMs: ms), code: other.code, name: other.name, district: other.district, createdAt: iso(ms)).insert(db)
            }
            // The warehouse the sedes ask for replenishment.
            let warehouseMs = refMs - 395 * 86_400_000
            try Sede(id: ids.make(unixMs: warehouseMs), code: warehouse.code, name: warehouse.name, kind: "almacen", district: warehouse.district,
                     address: warehouse.address, createdAt: iso(warehouseMs)).insert(db)
            try SedeStore.setSetting(.sedeID, sedeID, db)
            try SedeStore.setSetting(.demo, "1", db)
            try SedeStore.setSetting(.demoLogins, demoUsers.map(\.username).joined(separator: ","), db)
            // Miraflores, Lima.
            try SedeStore.setSetting(.sedeUbigeo, "150122", db)
        }
        let hash = PasswordHasher.hash(demoPassword)
        var userMs = refMs - 380 * 86_400_000
        // Vets get CMVP numbers in the order they are made.
        var cmvp = 10_230
        for u in demoUsers {
            userMs += 1000
            if u.roles.contains(.veterinario) { cmvp += 1 }
            try insertUser(store, id: ids.make(unixMs: userMs), username: u.username, fullName: u.fullName, hash: hash,
                           roles: u.roles, sedeID: sedeID, createdAt: iso(userMs), roleID: { ids.make(unixMs: userMs) },
                           cmvp: u.roles.contains(.veterinario) ? String(cmvp) : nil)
        }
        for (username, fullName) in otherVets {
            userMs += 1000
            cmvp += 1
            try insertUser(store, id: ids.make(unixMs: userMs), username: username, fullName: fullName, hash: hash,
                           roles: [.veterinario], sedeID: sedeID, createdAt: iso(userMs), roleID: { ids.make(unixMs: userMs) }, cmvp: String(cmvp))
        }

        // Owners and their pets, journaled like any work done at the sede.
        let speciesTotal = DemoData.species.reduce(0) { $0 + $1.weight }
        var petsMade = 0
        var ownersMade = 0
        let spanMs: UInt64 = 5 * 365 * 86_400_000
        while petsMade < options.pets {
            try store.write(user: nil) { db in
                // A chunk's owners, then its pets, each in multi-row INSERTs (see `insertRows`).
                var owners: [[DatabaseValue]] = [], pets: [[DatabaseValue]] = []
                var inChunk = 0
                while inChunk < options.chunk && petsMade < options.pets {
                    let n = ownersMade
                    ownersMade += 1
                    let createdMs = refMs - spanMs + UInt64(n) * (spanMs / UInt64(max(1, options.pets))) + rng.next() % 60_000
                    let female = rng.next() % 2 == 0
                    let first = female ? pick(DemoData.femaleNames, &rng) : pick(DemoData.maleNames, &rng)
                    let second = rng.next() % 3 == 0 ? " " + (female ? pick(DemoData.femaleNames, &rng) : pick(DemoData.maleNames, &rng)) : ""
                    let last = pick(DemoData.surnames, &rng) + " " + pick(DemoData.surnames, &rng)
                    let dni = LimaTime.pad(Int64(10_000_000 + (UInt64(n) &* 48_271) % 89_999_999), 8)
                    let hasRUC = rng.next() % 30 == 0
                    let docType = hasRUC ? "ruc" : "dni"
                    let docNumber = hasRUC ? rucFor(dni: dni) : dni
                    let phone = "9" + LimaTime.pad(Int64(rng.next() % 100_000_000), 8)
                    let email: String? = rng.next() % 2 == 0
                        ? mailbox(first, last, n) + "@" + pick(DemoData.mailDomains, &rng) : nil
                    let district = pick(DemoData.districts, &rng)
                    let address = pick(DemoData.streets, &rng) + " " + String(100 + rng.next() % 2900)
                    let ownerID = ids.make(unixMs: createdMs)
                    owners.append([ownerID, docType, docNumber, first + second, last, phone, email,
                                   district, address, iso(createdMs), iso(createdMs)].map(\.databaseValue))
                    let petCount = [1, 1, 1, 2, 2, 3][Int(rng.next() % 6)]
                    for p in 0..<petCount where petsMade < options.pets {
                        var roll = Int(rng.next() % UInt64(speciesTotal))
                        var info = DemoData.species[0]
                        for s in DemoData.species { if roll < s.weight { info = s; break }; roll -= s.weight }
                        let name: String = switch info.name {
                        case "perro": pick(DemoData.dogNames, &rng)
                        case "gato": pick(DemoData.catNames, &rng)
                        default: pick(DemoData.smallNames, &rng)
                        }
                        let ageDays = rng.next() % UInt64(info.maxAgeYears * 365)
                        let birth = LimaTime.iso8601(referenceDate.addingTimeInterval(-Double(ageDays) * 86_400)).prefix(10)
                        let chip: String? = (info.name == "perro" || info.name == "gato") && rng.next() % 10 < 6
                            ? "604" + LimaTime.pad(Int64((UInt64(petsMade) &* 7_919 &+ 12_345) % 1_000_000_000_000), 12) : nil
                        let petMs = createdMs + UInt64(p) * 1000
                        pets.append([ids.make(unixMs: petMs), ownerID, name, info.name, pick(info.breeds, &rng),
                                     rng.next() % 2 == 0 ? "M" : "H", String(birth), chip, iso(petMs), iso(petMs)].map(\.databaseValue))
                        petsMade += 1
                        inChunk += 1
                    }
                }
                try db.insertRows(into: "owners", columns: ["id", "doc_type", "doc_number", "first_names", "last_names", "phone", "email",
                                                            "district", "address", "created_at", "updated_at"], rows: owners)
                try db.insertRows(into: "pets", columns: ["id", "owner_id", "name", "species", "breed", "sex", "birth_date", "microchip",
                                                          "created_at", "updated_at"], rows: pets)
            }
            progress?(petsMade)
        }
        try PatientHistoryDemo.run(store: store, seed: options.seed, reference: referenceDate)
        let today = options.today ?? store.today
        try AgendaDemo.fill(store: store, sedeID: sedeID, seed: options.seed, today: today)
        // The till sells what the agenda attended, in time order among the pharmacy's acts, so each
        // product leaves the lot the pharmacy's ledger holds at that moment.
        // The company is set up for SUNAT before the first sale, so every sale carries its document.
        try FiscalDemo.configure(store: store, sedeID: sedeID, today: today, seed: options.seed)
        let visits = try CheckoutDemo.visits(store: store, sedeID: sedeID, seed: options.seed, today: today)
        let till = try CheckoutDemo.Till(store: store, sedeID: sedeID, seed: options.seed, today: today)
        defer { try? till.close() }
        try PharmacyDemo.fill(store: store, sedeID: sedeID, seed: options.seed, today: today, visits: visits.filter { $0.day < 0 }, till: till.sell)
        try till.finish(today: visits.filter { $0.day == 0 })
        try FiscalDemo.settle(store: store, today: today)
        return Summary(owners: ownersMade, pets: petsMade, seconds: Date().timeIntervalSince(started))
    }

    static func insertUser(_ store: SedeStore, id: String, username: String, fullName: String, hash: String, roles: [Role],
                           sedeID: String, createdAt: String, roleID: () -> String, cmvp: String? = nil) throws {
        try store.applyingRemote { db in
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, active, created_at, cmvp) VALUES (?, ?, ?, ?, 1, ?, ?)",
                           arguments: [id, username, fullName, hash, createdAt, cmvp])
            for role in roles {
                try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, ?)",
                               arguments: [roleID(), id, sedeID, role.rawValue])
            }
        }
    }

    static func pick<T>(_ list: [T], _ rng: inout SplitMix64) -> T { list[Int(rng.next() % UInt64(list.count))] }

    static func rucFor(dni: String) -> String {
        let firstTen = "10" + dni
        return firstTen + String(DocumentValidation.rucCheckDigit(firstTen) ?? 0)
    }

    static func mailbox(_ first: String, _ last: String, _ n: Int) -> String {
        let plain = (first.split(separator: " ").first.map(String.init) ?? first) + "." + (last.split(separator: " ").first.map(String.init) ?? last)
        let folded = plain.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        return folded.replacingOccurrences(of: "ñ", with: "n") + String(n % 100)
    }
}
