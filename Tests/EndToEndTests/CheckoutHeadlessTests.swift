import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport

/// Issue 13 through the real binary, without a screen: `vetdesk sale create --json` and
/// `vetdesk sale show --json`, and a payment committed exactly once when the process is killed
/// with SIGKILL at any moment of it and the same request is sent again.
@Suite struct CheckoutHeadlessTests {
    static func read<T>(_ db: String, _ body: (Database) throws -> T) throws -> T {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    /// A demo sede with its drawer open, and the SKUs of a service and two products with stock.
    static func sede(_ dir: TempDir) throws -> (db: String, service: String, products: [String], owner: String) {
        let db = dir.file("sede.db")
        let demo = try runProcess(Binaries.vetdesk, ["demo", "--db", db, "--pets", "60", "--seed", "7"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let open = try runProcess(Binaries.vetdesk, ["cash", "open", "--db", db, "--drawer", "Caja 9", "--float", "100x1,10x5,1x10", "--by", "recepcion"])
        #expect(open.status == 0, "\(open.stderr)")
        return try read(db) { db in
            let service = try String.fetchOne(db, sql: """
                SELECT i.sku FROM catalog_items i JOIN catalog_prices p ON p.item_id = i.id
                WHERE i.kind = 'consulta' AND i.active = 1 AND i.igv_affectation = '10' ORDER BY i.sku LIMIT 1
                """)!
            let products = try String.fetchAll(db, sql: """
                SELECT i.sku FROM catalog_items i JOIN stock_balances b ON b.item_id = i.id
                WHERE i.active = 1 AND i.controlled = 0 AND b.quantity >= 50 AND b.expiry > date('now', '+30 days')
                  AND EXISTS (SELECT 1 FROM catalog_prices p WHERE p.item_id = i.id)
                GROUP BY i.id ORDER BY i.sku LIMIT 2
                """)
            let owner = try String.fetchOne(db, sql: "SELECT id FROM owners WHERE merged_into IS NULL ORDER BY id LIMIT 1")!
            return (dir.file("sede.db"), service, products, owner)
        }
    }

    static func request(_ id: String, owner: String, service: String, products: [String], payments: (String, String), operation: String) -> String {
        """
        {"id": "\(id)", "owner_id": "\(owner)", "drawer": "Caja 9", "document": "boleta",
         "lines": [{"sku": "\(service)", "quantity": 1}, {"sku": "\(products[0])", "quantity": 1, "discount": "5%"},
                   {"sku": "\(products[1])", "quantity": 1}],
         "payments": [{"id": "\(payments.0)", "method": "efectivo", "amount": "20.00", "tendered": "50.00"},
                      {"id": "\(payments.1)", "method": "yape", "amount_centimos": 500, "operation": "\(operation)"}]}
        """
    }

    @Test func aSaleIsCreatedAndShownAsJSON() throws {
        let dir = TempDir()
        let s = try Self.sede(dir)
        try #require(s.products.count == 2)
        let file = dir.file("sale.json")
        let id = UUID().uuidString.lowercased()
        try Self.request(id, owner: s.owner, service: s.service, products: s.products, payments: (UUID().uuidString, UUID().uuidString),
                         operation: "8800001").write(toFile: file, atomically: true, encoding: .utf8)
        let created = try runProcess(Binaries.vetdesk, ["sale", "create", "--db", s.db, "--json", file, "--by", "recepcion"])
        #expect(created.status == 0, "\(created.stderr)")
        let shown = try runProcess(Binaries.vetdesk, ["sale", "show", id, "--db", s.db, "--json"])
        #expect(shown.status == 0 && shown.stdout == created.stdout)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let lines = try #require(json["lines"] as? [[String: Any]])
        #expect(lines.count == 3 && json["fiscal_doc_type"] as? String == "03")
        let total = (json["total_centimos"] as? NSNumber)?.int64Value ?? -1
        let sumOfLines = lines.reduce(Int64(0)) { $0 + ((($1["total_centimos"] as? NSNumber)?.int64Value) ?? 0) }
        #expect(total == sumOfLines && (json["paid_centimos"] as? NSNumber)?.int64Value == 2_500)
        #expect((json["balance_centimos"] as? NSNumber)?.int64Value == total - 2_500 && json["state"] as? String == "abierta")
        // The rows a person would check.
        let (change, stockRows) = try Self.read(s.db) { db in
            (try Int64.fetchOne(db, sql: "SELECT change FROM payments WHERE sale_id = ? AND method = 'efectivo'", arguments: [id]),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements WHERE act_id = ? AND kind = 'venta'", arguments: [id]))
        }
        #expect(change == 3_000 && stockRows == 2)

        // Bad input: a clear Spanish message with its field, exit 1, nothing written.
        let before = try Self.read(s.db) { try Int.fetchOne($0, sql: "SELECT count(*) FROM journal") }
        let bad: [(String, String)] = [
            (#"{"id": "b1", "lines": [{"sku": "\#(s.service)", "quantity": 1}], "payments": [{"id": "p1", "method": "efectivo", "amount": "8O.00"}]}"#, "Monto no válido"),
            (#"{"id": "b2", "lines": [{"sku": "\#(s.service)", "quantity": -3}]}"#, "La cantidad debe ser mayor que cero"),
            (#"{"id": "b3", "lines": [{"sku": "\#(s.service)", "quantity": 1, "discount": "120%"}]}"#, "El descuento no puede superar el 100 %"),
            (#"{"id": "b4", "lines": [{"sku": "\#(s.service)", "quantity": 1}], "drawer": "Caja 9", "payments": [{"id": "p4", "method": "efectivo", "amount": "100.00", "tendered": "10.00"}]}"#, "es menor que el monto a pagar"),
            (#"{"id": "b5", "lines": [{"sku": "\#(s.service)", "quantity": 1}], "payments": [{"id": "p5", "method": "yape", "amount": "1.00", "operation": "8800001"}]}"#, "ya se registró en la venta"),
        ]
        for (body, message) in bad {
            let out = try runProcess(Binaries.vetdesk, ["sale", "create", "--db", s.db, "--json", "-", "--by", "recepcion"], input: body)
            #expect(out.status == 1 && out.stdout.contains("\"error\"") && out.stderr.contains(message), "\(body): \(out.stdout) \(out.stderr)")
        }
        #expect(try Self.read(s.db) { try Int.fetchOne($0, sql: "SELECT count(*) FROM journal") } == before)
    }

    /// The process is killed with SIGKILL at moments spread over the whole request (before, during and
    /// after its transaction), then the same request is sent again: one sale, one payment row per
    /// payment id, one stock movement per product line, one journal entry per row.
    @Test func aPaymentKilledMidwayAndRetriedIsRecordedOnce() throws {
        let dir = TempDir()
        let s = try Self.sede(dir)
        try #require(s.products.count == 2)
        let timing = ContinuousClock()
        var normal = Duration.zero
        var landedAfterCommit = 0, landedBefore = 0
        for round in 0..<12 {
            let id = UUID().uuidString.lowercased(), payments = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
            let body = Self.request(id, owner: s.owner, service: s.service, products: s.products, payments: payments, operation: "77\(round)00")
            let file = dir.file("sale-\(round).json")
            try body.write(toFile: file, atomically: true, encoding: .utf8)
            let arguments = ["sale", "create", "--db", s.db, "--json", file, "--by", "recepcion"]
            if round == 0 {
                let started = timing.now
                #expect(try runProcess(Binaries.vetdesk, arguments).status == 0)
                normal = timing.now - started
            } else {
                let process = try SpawnedProcess(Binaries.vetdesk, arguments)
                // Spread the kills from the start of the process to the end of a normal run.
                let fraction = Double(round) / 11
                usleep(UInt32(min(5.0, normal / .seconds(1) * fraction) * 1_000_000))
                process.stop(SIGKILL)
                _ = try? process.wait(timeout: 30)
                let exists = try Self.read(s.db) { try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM sales WHERE id = ?)", arguments: [id]) ?? false }
                if exists { landedAfterCommit += 1 } else { landedBefore += 1 }
                let retry = try runProcess(Binaries.vetdesk, arguments)
                #expect(retry.status == 0, "round \(round): \(retry.stderr)")
            }
            try Self.read(s.db) { (db: Database) throws -> Void in
                func count(_ sql: String, _ args: StatementArguments) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: args) ?? -1 }
                #expect(try count("SELECT count(*) FROM sales WHERE id = ?", [id]) == 1, "round \(round)")
                #expect(try count("SELECT count(*) FROM payments WHERE sale_id = ?", [id]) == 2, "round \(round)")
                #expect(try count("SELECT count(*) FROM payments WHERE id IN (?, ?)", [payments.0, payments.1]) == 2, "round \(round)")
                #expect(try count("SELECT count(*) FROM stock_movements WHERE act_id = ?", [id]) == 2, "round \(round)")
                #expect(try count("SELECT count(*) FROM sale_lines WHERE sale_id = ?", [id]) == 3, "round \(round)")
                #expect(try count("SELECT count(*) FROM journal WHERE tbl = 'sales' AND row_id = ?", [id]) == 1, "round \(round)")
                #expect(try count("SELECT count(*) FROM journal WHERE tbl = 'payments' AND row_id IN (?, ?)", [payments.0, payments.1]) == 2, "round \(round)")
                #expect(try count("""
                    SELECT count(*) FROM journal WHERE tbl = 'stock_movements' AND row_id IN (SELECT id FROM stock_movements WHERE act_id = ?)
                    """, [id]) == 2, "round \(round)")
                #expect(try count("SELECT count(*) FROM cash_movements WHERE payment_id = ?", [payments.0]) == 2, "round \(round)")
            }
        }
        // Both sides of the commit were hit at least once over the rounds (otherwise the test proved less than it says).
        #expect(landedBefore > 0, "no kill landed before the commit")
        print("SIGKILL rounds: \(landedBefore) before the commit, \(landedAfterCommit) after it")
    }
}
