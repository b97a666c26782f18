import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport

/// Issue 12 through the real binary in tmux: farmacia receives a delivery of two lots by typing,
/// sees the stock and the alert of the lot that expires within 30 days, and dispenses the
/// prescription a vet wrote; reception sees stock but cannot change it.
@Suite struct PharmacyEndToEndTests {
    static func fill(_ tmux: TmuxSession, _ values: [String]) throws {
        for value in values {
            if !value.isEmpty { try tmux.type(value) }
            try tmux.press("Enter")
        }
    }

    static func row(_ db: String, _ sql: String) throws -> Row? {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        defer { try? queue.close() }
        return try queue.read { try Row.fetchOne($0, sql: sql) }
    }

    /// The stock list's row of `sku` (not the search field that shows it too).
    static func stockRow(_ tmux: TmuxSession, _ sku: String) throws -> String? {
        try tmux.screen().split(separator: "\n").map(String.init).first { $0.hasPrefix(" " + sku.prefix(17)) && !$0.contains("Buscar:") }
    }

    @Test func farmaciaReceivesTwoLotsSeesTheAlertAndDispensesWhatAVetPrescribed() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        let demo = try runProcess(Binaries.vetdesk, ["demo", "--db", db, "--pets", "200", "--seed", "11"])
        #expect(demo.status == 0, "\(demo.stderr)")
        // A medicine with lots that the demo sede has none of now, and a pet to prescribe it to.
        let product = try #require(try Self.row(db, """
            SELECT sku, name FROM catalog_items i WHERE kind IN ('medicamento', 'antiparasitario') AND tracks_lots = 1 AND controlled = 0
              AND active = 1 AND unit_item_id IS NULL AND NOT EXISTS (SELECT 1 FROM stock_balances b WHERE b.item_id = i.id AND b.quantity <> 0)
              AND NOT EXISTS (SELECT 1 FROM catalog_items j WHERE j.id <> i.id AND j.name = i.name) ORDER BY sku LIMIT 1
            """))
        let sku: String = product["sku"], name: String = product["name"]
        let pet = try #require(try Self.row(db, """
            SELECT p.name, o.last_names FROM pets p JOIN owners o ON o.id = p.owner_id WHERE p.deceased_on IS NULL AND p.merged_into IS NULL AND coalesce(p.alerts, '') = ''
              AND (SELECT count(*) FROM pets q WHERE q.name = p.name) = 1 ORDER BY p.id LIMIT 1
            """))
        let petName: String = pet["name"]
        let today = CivilDate(limaDayOf: Date())
        let soon = today.adding(days: 20), later = today.adding(days: 300)

        // The vet prescribes it from the pet's history, naming the product and the quantity.
        let vet = try TmuxSession.signedIn(db: db, user: "veterinario")
        try vet.press("F2")
        #expect(try vet.waitFor("Buscar:").found)
        try vet.type(petName)
        #expect(try vet.waitFor(petName).found)
        try vet.press("Enter")
        #expect(try vet.waitFor("Historia clínica · \(petName)").found)
        try vet.type("r")
        #expect(try vet.waitFor("Receta · \(petName)").found)
        try Self.fill(vet, [name, "1 tableta", "cada 12 h", "7 días", "Con comida", sku])
        try vet.type("14")
        try vet.press("C-s")
        var step = try vet.waitFor("Receta emitida")
        #expect(step.found, "\(step.screen)")
        try vet.press("F10")
        #expect(try vet.waitForExit() == 0)

        // Farmacia receives two lots of it, typed, one with a bad quantity first.
        let desk = try TmuxSession.signedIn(db: db, user: "farmacia")
        try desk.press("F5")
        #expect(try desk.waitFor("Farmacia · Stock").found)
        try desk.press("C-r")
        #expect(try desk.waitFor("Recepción de mercadería").found)
        try Self.fill(desk, ["F001-00077123", "Droguería Andina SAC", sku, "e2e-corto", soon.display, "2,5"])
        step = try desk.waitFor("sin decimales")
        #expect(step.found, "\(step.screen)")
        try desk.press("C-u"); try desk.type("12"); try desk.press("Enter")
        step = try desk.waitFor("1. \(sku)")
        #expect(step.found, "\(step.screen)")
        try Self.fill(desk, [sku, "E2E-LARGO", later.display, "30"])
        step = try desk.waitFor("2. \(sku)")
        #expect(step.found, "\(step.screen)")
        try desk.press("C-s")
        #expect(try desk.waitFor("¿Registrar la entrada al stock?").found)
        try desk.type("s")
        step = try desk.waitFor("Recepción registrada: 2 líneas")
        #expect(step.found, "\(step.screen)")
        #expect(try Self.row(db, """
            SELECT count(*) AS n FROM stock_movements m JOIN catalog_items i ON i.id = m.item_id
            WHERE i.sku = '\(sku)' AND m.kind = 'recepcion' AND m.doc_ref = 'F001-00077123'
              AND ((m.lot_code = 'E2E-CORTO' AND m.quantity = 12 AND m.expiry = '\(soon.iso)') OR (m.lot_code = 'E2E-LARGO' AND m.quantity = 30))
            """)?["n"] == 2)

        // The stock list and the item show it, with the lot that expires soon.
        try desk.type(sku)
        let listed = try waitUntil(seconds: 10) { try Self.stockRow(desk, sku)?.contains(" 42 ") == true }
        let list = try desk.screen()
        #expect(listed, "\(list)")
        try desk.press("Enter")
        step = try desk.waitFor("Vence en 20 días")
        #expect(step.found && step.screen.contains("E2E-CORTO") && step.screen.contains("E2E-LARGO"), "\(step.screen)")
        try desk.press("Escape")
        try desk.press("C-a")
        step = try desk.waitFor("Farmacia · Alertas")
        #expect(step.found, "\(step.screen)")
        let alertLine = try waitUntil(seconds: 10) { try desk.screen().split(separator: "\n").contains { $0.contains("E2E-CORTO") } }
        let alerts = try desk.screen()
        #expect(alertLine, "\(alerts)")
        let line = alerts.split(separator: "\n").first { $0.contains("E2E-CORTO") } ?? ""
        #expect(line.contains("Vence ≤ 30 días") && line.contains("en 20 días"), "\(line)")
        #expect(!alerts.split(separator: "\n").contains { $0.contains("E2E-LARGO") }, "\(alerts)")
        try desk.press("Escape")

        // The prescription is waiting; all 14 tablets go, FEFO: from the lot that expires first.
        try desk.press("C-d")
        step = try desk.waitFor("Recetas por dispensar")
        #expect(step.found, "\(step.screen)")
        let rowShown = try waitUntil(seconds: 10) { try desk.screen().contains(petName) }
        let waiting = try desk.screen()
        #expect(rowShown, "\(waiting)")
        let rows = try desk.screen().split(separator: "\n").map(String.init)
        let target = try #require(rows.firstIndex { $0.contains(petName) && $0.contains(String(name.prefix(20))) })
        let first = try #require(rows.firstIndex { $0.hasPrefix(" Fecha") })
        for _ in 0..<(target - first - 1) { try desk.press("Down") }
        try desk.press("Enter")
        step = try desk.waitFor("quedan 14")
        #expect(step.found, "\(step.screen)")
        try desk.press("Enter")
        step = try desk.waitFor("Dispensado: 14 de")
        #expect(step.found, "\(step.screen)")
        let dispensed = try Self.row(db, """
            SELECT group_concat(m.lot_code || ':' || m.quantity) AS lots, (SELECT count(*) FROM dispensations d WHERE d.item_id = i.id) AS n
            FROM stock_movements m JOIN catalog_items i ON i.id = m.item_id WHERE i.sku = '\(sku)' AND m.kind = 'dispensacion'
            """)
        #expect(dispensed?["lots"] as String? == "E2E-CORTO:-12,E2E-LARGO:-2")
        #expect(dispensed?["n"] as Int? == 1)
        // The lot's trace reaches the pet; without a central it answers from this sede and says so.
        let trace = try runProcess(Binaries.vetdesk, ["stock", "trace", "--db", db, "--sku", sku, "--lot", "e2e-corto"])
        #expect(trace.status == 0, "\(trace.stderr)")
        #expect(trace.stdout.contains("solo esta sede (no hay central configurada)") && trace.stdout.contains(petName), "\(trace.stdout)")
        try desk.press("F10")
        #expect(try desk.waitForExit() == 0)

        // Reception sees the stock and the price, and cannot receive goods.
        let reception = try TmuxSession.signedIn(db: db, user: "recepcion")
        try reception.press("F5")
        #expect(try reception.waitFor("Farmacia · Stock").found)
        try reception.type(sku)
        let seen = try waitUntil(seconds: 10) { try Self.stockRow(reception, sku)?.contains(" 28 ") == true }
        let readOnly = try reception.screen()
        #expect(seen && readOnly.contains("solo consulta"), "\(readOnly)")
        #expect(!readOnly.contains("^R Recibir"), "\(readOnly)")
        try reception.press("C-r")
        step = try reception.waitFor("Solo farmacia o un supervisor registran recepciones")
        #expect(step.found, "\(step.screen)")
        #expect(try Self.row(db, "SELECT count(*) AS n FROM stock_movements WHERE kind = 'recepcion' AND user_id = (SELECT id FROM users WHERE username = 'recepcion')")?["n"] == 0)
        try reception.press("F10")
        #expect(try reception.waitForExit() == 0)
    }
}
