import Foundation
import GRDB
import Testing
import VetCore
import VetProtocol
import VetStore
@testable import VetSync
import VetTestSupport

/// Issue 13: a payment plan of 3 instalments, sold at one sede and paid at two, through a real
/// `vetcentral`: after sync the owner's account is at zero at both sedes.
@Suite(.serialized)
struct PaymentPlanAcrossSedesTests {
    /// A cashier of `sede` (written as the central's user data arrives).
    static func cashier(_ sede: TestSede, _ name: String) throws -> Session {
        let store = sede.store, id = store.newID(), local = try store.localSede()
        try store.applyingRemote { db in
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (?, ?, ?, '!', ?)",
                           arguments: [id, name, "Caja \(sede.code)", store.nowText])
            try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, 'recepcionista')",
                           arguments: [store.newID(), id, local.id])
        }
        return Session(userID: id, username: name, fullName: "Caja \(sede.code)", roles: [.recepcionista], sede: local)
    }

    @Test func instalmentsPaidAtTwoSedesLeaveTheAccountAtZeroAtBoth() throws {
        let central = try CentralProcess.running(.sqlite)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try lim.sync()
        try are.sync()
        let limCashier = try Self.cashier(lim, "caja.lim"), areCashier = try Self.cashier(are, "caja.are")
        // A surgery of S/ 300.00 in Lima's catalog (central data, as pulled).
        let item = lim.store.newID()
        try lim.store.applyingRemote { db in
            try db.execute(sql: """
                INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, created_at, updated_at)
                VALUES (?, 'SRV-CIRUGIA', 'Cirugía menor', 'cirugia', 'Cirugías', 'ZZ', '10', ?, ?)
                """, arguments: [item, lim.store.nowText, lim.store.nowText])
            try db.execute(sql: "INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, NULL, 30000, '2020-01-01', ?)",
                           arguments: [lim.store.newID(), item, lim.store.nowText])
        }
        let owner = try lim.addOwner(doc: "41234567", first: "Lucía")
        let sale = try lim.store.checkout(SaleDraft(id: lim.store.newID(), ownerID: owner, lines: [.init(itemID: item, quantity: 1)]),
                                          payments: [PaymentDraft(id: lim.store.newID(), method: .yape, amount: Money(centimos: 6_000), operationNumber: "5550001")],
                                          by: limCashier)
        let today = lim.store.today
        let plan = PaymentPlanRules.even(balance: Money(centimos: 24_000), count: 3, first: today.adding(days: 30))
        let credited = try lim.store.leaveBalance(CreditDraft(id: lim.store.newID(), instalments: plan), saleID: sale.sale.id, by: limCashier)
        #expect(credited.state == .aCuenta && credited.instalments.map(\.amount) == [8_000, 8_000, 8_000])

        // The first instalment in Lima.
        let first = try #require(credited.instalments.first)
        try lim.store.recordPayment(PaymentDraft(id: lim.store.newID(), method: .tarjeta, amount: Money(centimos: 8_000),
                                                 card: CardDetails(brand: "VISA", last4: "4242", authCode: "LIM001"), instalmentID: first.id),
                                    saleID: sale.sale.id, drawer: nil, by: limCashier)
        #expect(try lim.sync().rejected == 0)
        #expect(try are.sync().rejected == 0)

        // The other two in Arequipa, which sees the account as Lima left it.
        var account = try are.store.ownerAccount(ownerID: owner)
        #expect(account.charged == Money(centimos: 30_000) && account.owed == Money(centimos: 16_000), "\(account)")
        let left = try are.store.instalments(saleID: sale.sale.id).filter { $0.remaining.centimos > 0 }
        #expect(left.map(\.instalment.n) == [2, 3])
        for (i, status) in left.enumerated() {
            try are.store.recordPayment(PaymentDraft(id: are.store.newID(), method: .plin, amount: status.remaining, operationNumber: "77700\(i)",
                                                     instalmentID: status.instalment.id), saleID: sale.sale.id, drawer: nil, by: areCashier)
        }
        #expect(try are.sync().rejected == 0)
        #expect(try lim.sync().rejected == 0)

        for sede in [lim, are] {
            account = try sede.store.ownerAccount(ownerID: owner)
            #expect(account.owed == .zero && account.paid == Money(centimos: 30_000) && account.overdue == .zero, "\(sede.code): \(account)")
            #expect(try sede.store.saleSummary(id: sale.sale.id)?.state == .pagada, "\(sede.code)")
            #expect(try sede.store.instalments(saleID: sale.sale.id).allSatisfy { $0.remaining == .zero }, "\(sede.code)")
            #expect(try sede.count("SELECT count(*) FROM payments WHERE sale_id = ?", [sale.sale.id]) == 4)
            #expect(try sede.count("SELECT count(*) FROM sync_rejects") == 0)
        }
        #expect(try lim.count("SELECT count(*) FROM payments WHERE sale_id = ? AND sede_id = ?", [sale.sale.id, are.sedeID]) == 2)
    }

    /// Two sedes offline take the same Yape operation number; once both have synced, each lists it
    /// for its supervisor (a sede alone refuses a number it already has).
    @Test func theSameOperationNumberAtTwoSedesIsFlaggedOnceSynced() throws {
        let central = try CentralProcess.running(.sqlite)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try lim.sync()
        try are.sync()
        var sales: [String] = []
        for sede in [lim, are] {
            let cashier = try Self.cashier(sede, "caja.\(sede.code.lowercased())")
            let item = sede.store.newID()
            try sede.store.applyingRemote { db in
                try db.execute(sql: """
                    INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, created_at, updated_at)
                    VALUES (?, ?, 'Baño y corte', 'bano_corte', 'Estética', 'ZZ', '10', ?, ?)
                    """, arguments: [item, "SRV-BANO-" + sede.code, sede.store.nowText, sede.store.nowText])
                try db.execute(sql: "INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, NULL, 4500, '2020-01-01', ?)",
                               arguments: [sede.store.newID(), item, sede.store.nowText])
            }
            let sale = try sede.store.checkout(SaleDraft(id: sede.store.newID(), lines: [.init(itemID: item, quantity: 1)]),
                                               payments: [PaymentDraft(id: sede.store.newID(), method: .yape, amount: Money(centimos: 4_500), operationNumber: "31415926")],
                                               by: cashier)
            #expect(sale.state == .pagada)
            sales.append(sale.sale.id)
            #expect(try sede.store.duplicateOperations().isEmpty)
        }
        try lim.sync(); try are.sync(); try lim.sync()
        for sede in [lim, are] {
            let flagged = try sede.store.duplicateOperations()
            #expect(flagged.count == 1 && flagged.first?.operationNumber == "31415926" && flagged.first?.method == .yape, "\(sede.code): \(flagged)")
            #expect(Set(flagged.first?.uses.map(\.sedeCode) ?? []) == ["LIM01", "ARE01"], "\(sede.code): \(flagged)")
        }
    }
}
