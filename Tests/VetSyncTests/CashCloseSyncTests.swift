import Foundation
import GRDB
import Testing
import VetCore
import VetProtocol
import VetStore
@testable import VetSync
import VetTestSupport

/// Issue 14: a drawer's close, its note and the supervisor's sign-off reach a real `vetcentral`
/// by sync, with the session and movements they close; the close was made with the link down.
@Suite(.serialized)
struct CashCloseSyncTests {
    @Test func aCloseWithItsNoteAndSignOffReachesTheCentral() throws {
        let central = try CentralProcess.running(.sqlite)
        let lim = try TestSede.linked("LIM01", to: central)
        try lim.sync()
        let cashier = try lim.user("caja.lim", .recepcionista)
        let supervisor = try lim.user("super.lim", .supervisor, password: "clave-sup-9")
        // The link is down while the drawer is worked and closed.
        central.stop()
        let store = lim.store
        let cash = try store.openCashSession(id: store.newID(), drawer: "Caja 1", counts: [10_000: 1], by: cashier)
        try store.recordCashMovement(CashMovementDraft(id: store.newID(), drawer: "Caja 1", kind: .egreso, amount: Money(centimos: 2_000),
                                                       concept: .proveedor, reason: "Agua", document: "F001-9"), by: cashier)
        let report = try store.closeCashSession(CashCloseDraft(id: store.newID(), sessionID: cash.id, counts: [5_000: 1], note: "Se pagó a un proveedor de más"),
                                                by: cashier)
        #expect(report.level == .supervisor && report.cashDifference == Money(centimos: -3_000))
        let close = try #require(try store.cashClose(sessionID: cash.id)).close
        try store.signOffClose(id: store.newID(), closeID: close.id, note: "Revisado con el proveedor",
                               clave: Clave(username: "super.lim", password: "clave-sup-9"), by: supervisor)
        try central.start()
        #expect(try lim.sync().rejected == 0)
        for (table, id) in [("cash_sessions", cash.id), ("cash_closes", close.id)] {
            #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = '\(table)' AND row_id = '\(id)'") == 1, "\(table)")
        }
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'cash_movements'") == 2)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'cash_close_notes'") == 1)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'cash_signoffs'") == 1)
    }
}
