import Foundation
import GRDB
import Testing
import VetCore
import VetDemo
import VetTestSupport
@testable import VetStore

@Suite struct DemoTests {
    func dump(_ store: SedeStore) throws -> [String] {
        try store.read { db in
            var lines: [String] = []
            for (table, columns) in [("sedes", "*"), ("users", "id, username, full_name, active, created_at"), ("user_roles", "*"),
                                     ("owners", "*"), ("pets", "*"), ("catalog_items", "*"), ("catalog_barcodes", "*"), ("catalog_prices", "*"),
                                     ("stock_movements", "*"), ("stock_levels", "*"), ("prescription_items", "*"), ("dispensations", "*")] {
                for row in try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table) ORDER BY id") { lines.append("\(table) \(row)") }
            }
            return lines
        }
    }

    @Test func theSameSeedGivesTheSameSede() throws {
        let dir = TempDir()
        let a = try SedeStore.create(path: dir.file("a.db"))
        let b = try SedeStore.create(path: dir.file("b.db"))
        let c = try SedeStore.create(path: dir.file("c.db"))
        func options(seed: UInt64) -> DemoGenerator.Options {
            var options = DemoGenerator.Options(pets: 300, seed: seed)
            options.today = CivilDate(year: 2026, month: 11, day: 18)
            return options
        }
        _ = try DemoGenerator.run(store: a, options: options(seed: 7))
        _ = try DemoGenerator.run(store: b, options: options(seed: 7))
        _ = try DemoGenerator.run(store: c, options: options(seed: 8))
        let (da, db, dc) = (try dump(a), try dump(b), try dump(c))
        #expect(da == db)
        #expect(da != dc)
    }

    @Test func demoDataLooksLikeAPeruvianSede() throws {
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("demo.db"))
        let summary = try DemoGenerator.run(store: store, options: .init(pets: 500, seed: 1))
        #expect(summary.pets == 500)
        #expect(try store.isDemo())
        // The login screen lists what the demo wrote into the sede, not what the generator holds.
        #expect(try store.demoLogins() == ["recepcion", "veterinario", "farmacia", "supervisor", "admin"])
        try store.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") == 500)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM owners") == summary.owners)
            // Valid documents and mobile numbers.
            for row in try Row.fetchAll(db, sql: "SELECT doc_type, doc_number, phone FROM owners") {
                let type = DocumentType(rawValue: row["doc_type"])!
                #expect(DocumentValidation.problem(type: type, number: row["doc_number"]) == nil)
                let phone: String = row["phone"]
                #expect(phone.count == 9 && phone.hasPrefix("9"))
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(DISTINCT doc_number) FROM owners") == summary.owners)
            let species = Set(try String.fetchAll(db, sql: "SELECT DISTINCT species FROM pets"))
            #expect(species.isSuperset(of: ["perro", "gato"]))
            let usernames = Set(try String.fetchAll(db, sql: "SELECT username FROM users"))
            #expect(usernames.isSuperset(of: ["recepcion", "veterinario", "farmacia", "supervisor", "admin"]))
            // Owners and pets were made at the sede, so they are journaled; staff are central data.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl IN ('owners', 'pets') AND op = 'I'") == summary.owners + 500)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl IN ('users', 'sedes', 'user_roles')") == 0)
        }
        for user in ["recepcion", "veterinario", "farmacia", "supervisor", "admin"] {
            guard case .success = try Authenticator(store: store).login(username: user, password: "1234") else {
                Issue.record("demo user \(user) cannot sign in"); continue
            }
        }
    }

    /// Issue 12, item 1: the demo sede's catalog, prices and stock look like a clinic's.
    @Test func demoPharmacyHasACatalogAndStockWithLotsAndLevels() throws {
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("demo.db"))
        let today = try #require(CivilDate(year: 2026, month: 11, day: 18))
        var options = DemoGenerator.Options(pets: 300, seed: 3)
        options.today = today
        _ = try DemoGenerator.run(store: store, options: options)
        let sedeID = try #require(try store.setting(.sedeID))
        try store.read { db in
            let products = CatalogKind.allCases.filter(\.isProduct).map { "'\($0.rawValue)'" }.joined(separator: ", ")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM catalog_items WHERE active = 1 AND kind IN (\(products))")! >= 300)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM catalog_items WHERE active = 1 AND kind NOT IN (\(products))")! >= 30)
            // Services are charged, never stocked: unit ZZ, no barcode.
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM catalog_items i WHERE i.kind NOT IN (\(products))
                AND (i.unit_code <> 'ZZ' OR EXISTS (SELECT 1 FROM catalog_barcodes b WHERE b.item_id = i.id))
                """) == 0)

            // Every barcode an EAN-13 whose check digit a scanner accepts.
            let codes = try String.fetchAll(db, sql: "SELECT code FROM catalog_barcodes")
            #expect(codes.count > 300)
            for code in codes {
                let digits = code.compactMap(\.wholeNumberValue)
                let sum = digits.prefix(12).enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
                #expect(digits.count == 13 && code.count == 13 && digits[12] == (10 - sum % 10) % 10, "\(code)")
            }

            // Controlled drugs, always on prescription; packs that open into units of the same item family.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM catalog_items WHERE controlled = 1")! >= 3)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM catalog_items WHERE controlled = 1 AND prescription = 0") == 0)
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM catalog_items p JOIN catalog_items u ON u.id = p.unit_item_id WHERE p.pack_units > 1
                """)! >= 15)

            // A price in force today for every item; the rise announced for next month is not used today.
            let entries = try Row.fetchAll(db, sql: "SELECT item_id, sede_id, price, effective_from, created_at FROM catalog_prices")
                .reduce(into: [String: [PriceEntry]]()) { list, row in
                    list[row["item_id"], default: []].append(PriceEntry(sedeID: row["sede_id"], price: Money(centimos: row["price"]),
                                                                          effectiveFrom: CivilDate(iso: row["effective_from"])!, createdAt: row["created_at"]))
                }
            #expect(entries.count == (try Int.fetchOne(db, sql: "SELECT count(*) FROM catalog_items")))
            #expect(entries.values.allSatisfy { PriceList.price(at: sedeID, on: today, from: $0) != nil })
            let rising = try #require(try String.fetchOne(db, sql: "SELECT id FROM catalog_items WHERE sku = 'APA-BRAVECTO-10-20'"))
            let nextMonth = try #require(entries[rising]?.map(\.effectiveFrom).max())
            #expect(nextMonth > today)
            let priceToday = try #require(PriceList.price(at: sedeID, on: today, from: entries[rising]!))
            let priceThen = try #require(PriceList.price(at: sedeID, on: nextMonth, from: entries[rising]!))
            #expect(priceToday.price < priceThen.price)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM catalog_prices WHERE sede_id = ?", arguments: [sedeID])! >= 1)

            // The warehouse the sede asks for replenishment.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sedes WHERE kind = 'almacen'") == 1)

            // The cached balance of every lot is the sum of its movements, and no lot is below zero.
            let sums = try Row.fetchAll(db, sql: """
                SELECT sede_id, item_id, lot_code, expiry, SUM(quantity) AS q FROM stock_movements GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
                """).map { "\($0["item_id"] as String)|\($0["lot_code"] as String)|\($0["expiry"] as String)|\($0["q"] as Int64)" }
            let balances = try Row.fetchAll(db, sql: "SELECT * FROM stock_balances ORDER BY sede_id, item_id, lot_code, expiry")
                .map { "\($0["item_id"] as String)|\($0["lot_code"] as String)|\($0["expiry"] as String)|\($0["quantity"] as Int64)" }
            #expect(sums.count > 400)
            #expect(sums == balances)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_balances WHERE quantity < 0") == 0)
            // Lot-tracked items move in lots with an expiry; the others without.
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM stock_movements m JOIN catalog_items i ON i.id = m.item_id
                WHERE (i.tracks_lots = 1) <> (m.lot_code <> '' AND m.expiry <> '')
                """) == 0)

            // Lots in stock that expire within 30 days and within 90, and an expired one.
            func lotsInStock(expiringFrom first: Int, to last: Int) throws -> Int {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_balances WHERE quantity > 0 AND expiry >= ? AND expiry <= ?",
                                 arguments: [today.adding(days: first).iso, today.adding(days: last).iso])!
            }
            #expect(try lotsInStock(expiringFrom: 0, to: 30) >= 1)
            #expect(try lotsInStock(expiringFrom: 31, to: 90) >= 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements WHERE expiry <> '' AND expiry < ?", arguments: [today.iso])! >= 1)

            // Items under their minimum.
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM stock_levels l
                WHERE l.minimum > (SELECT coalesce(SUM(b.quantity), 0) FROM stock_balances b WHERE b.sede_id = l.sede_id AND b.item_id = l.item_id)
                """)! >= 3)

            // A receipt names its supplier's document; a desarme takes one pack and gives its units, same lot and expiry.
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM stock_movements WHERE kind = 'recepcion' AND (doc_type NOT IN ('factura', 'guia') OR doc_ref IS NULL)
                """) == 0)
            let desarmes = try Row.fetchAll(db, sql: """
                SELECT o.quantity AS out, i.quantity AS given, p.pack_units FROM stock_movements o
                JOIN catalog_items p ON p.id = o.item_id
                JOIN stock_movements i ON i.act_id = o.act_id AND i.item_id = p.unit_item_id AND i.lot_code = o.lot_code AND i.expiry = o.expiry
                WHERE o.kind = 'desarme' AND i.kind = 'desarme'
                """)
            #expect(!desarmes.isEmpty)
            #expect(desarmes.allSatisfy { ($0["out"] as Int64) == -1 && ($0["given"] as Int64) == ($0["pack_units"] as Int64) })
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements WHERE kind = 'desarme'") == desarmes.count * 2)

            // Prescriptions that name catalog items and are waiting to be dispensed, one of them in part.
            let waiting = try Row.fetchAll(db, sql: """
                SELECT pi.quantity, coalesce((SELECT SUM(d.quantity) FROM dispensations d WHERE d.prescription_item_id = pi.id), 0) AS given
                FROM prescription_items pi WHERE pi.item_id IS NOT NULL
                """).filter { ($0["given"] as Int64) < ($0["quantity"] as Int64) }
            #expect(waiting.count >= 5)
            #expect(waiting.contains { ($0["given"] as Int64) > 0 })

            // The catalog came from the central: not journaled. The sede's own rows are.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl LIKE 'catalog%'") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl = 'stock_movements' AND op = 'I'")
                    == (try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements")))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl = 'stock_balances'") == 0)
        }
    }

    /// Issue 9, item 13: `vetdesk demo` killed half-way leaves no sede at the path (nothing that
    /// opens without warning), and the next `vetdesk demo` builds it, removing what was left aside.
    @Test(.timeLimit(.minutes(5))) func aDemoKilledHalfWayLeavesNothingAndCanBeBuiltAgain() throws {
        let dir = TempDir()
        let path = dir.file("sede.db")
        let demo = try SpawnedProcess(Binaries.vetdesk, ["demo", "--db", path, "--pets", "400000"])
        func bytesWritten() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).reduce(0) { total, name in
                total + ((try? FileManager.default.attributesOfItem(atPath: dir.file(name))[.size] as? Int) ?? 0)
            }
        }
        // Killed while it writes owners and pets.
        #expect(waitUntil(seconds: 180) { bytesWritten() > 3_000_000 })
        demo.stop(SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: path), "a half-made sede is at \(path)")
        let open = try runProcess(Binaries.vetdesk, ["sync", "status", "--db", path])
        #expect(open.status == 1 && open.stderr.contains("No existe la base de datos"), "\(open.stderr)")

        let again = try runProcess(Binaries.vetdesk, ["demo", "--db", path, "--pets", "300"])
        #expect(again.status == 0, "\(again.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".creando-") }
        #expect(left.isEmpty, "\(left)")
        let store = try SedeStore.open(path: path)
        #expect(try store.isDemo())
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") } == 300)
    }
}
