import Foundation
import Testing
import VetCore
import VetStore
@testable import VetTUI

/// The link in the status bar and the supervisor's Sincronización screen, read from a real store.
struct SyncScreenTests {
    func makeStore() throws -> (SedeStore, String) {
        let dir = NSTemporaryDirectory() + "vettui-sync-" + UUID().uuidString.prefix(8)
        let store = try SedeStore.create(path: dir + "/sede.db")
        try store.initializeSede(code: "LIM01", name: "Miraflores")
        return (store, dir)
    }

    @Test func linkStatusFollowsTheLastSyncAttempt() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try store.linkStatus().state == .notConfigured)
        #expect(LinkStatus(state: .notConfigured, pending: 4_312, lastOK: nil).text(now: Date()) == "Central: sin configurar")
        #expect(LinkStatus(state: .notConfigured, pending: 4_312, lastOK: nil).text(now: Date(), compact: true) == "Sin central")
        try store.pool.write { db in
            try db.execute(sql: "INSERT INTO sync_config (id, central_url, link) VALUES (1, 'https://central.example.pe', 'down')")
        }
        try store.write(user: nil) { db in
            try Owner(id: store.newID(), docType: .dni, docNumber: "12345678", firstNames: "Ana", lastNames: "Paz",
                      createdAt: store.nowText, updatedAt: store.nowText).insert(db)
        }
        let down = try store.linkStatus()
        #expect(down.state == .down && down.pending == 1)
        #expect(down.text(now: Date()) == "Enlace: caído · 1 por enviar")
        let okAt = Date().addingTimeInterval(-120)
        try store.pool.write { db in
            try db.execute(sql: "UPDATE sync_config SET link = 'up'")
            try db.execute(sql: "UPDATE sync_state SET pushed_seq = 1, last_ok_at = ?", arguments: [LimaTime.iso8601(okAt)])
        }
        #expect(try store.linkStatus().text(now: Date()) == "Enlace: arriba · 0 por enviar · hace 2 min")
    }

    @Test func supervisorSeesRejectsAndConflicts() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO sync_rejects (id, seq, tbl, row_id, code, message, entry, at)
                VALUES ('r1', 7, 'users', 'u1', 'central_data', 'Solo la central modifica users', '{}', '2026-11-21T15:00:00Z')
                """)
            try db.execute(sql: """
                INSERT INTO conflict_log (id, tbl, row_id, col, kept_value, kept_hlc, kept_sede, lost_value, lost_hlc, lost_sede, at)
                VALUES ('c1', 'owners', 'o1', 'phone', '"987654321"', 2, 'B', '"912345678"', 1, 'A', '2026-11-21T15:05:00Z')
                """)
        }
        var screen = SyncScreen()
        guard case .perform(let work) = screen.onAppear() else { Issue.record("la pantalla no carga datos"); return }
        let result = try work(AppServices(store: store))
        let context = ScreenContext(session: nil, sede: try store.localSede(), isDemo: false, now: Date())
        _ = screen.update(.message(result), context)
        var canvas = Canvas(width: 120, height: 12)
        screen.render(into: &canvas, area: Rect(x: 0, y: 0, width: 120, height: 12), context: context)
        let text = canvas.text
        #expect(text.contains("1 rechazos · 1 conflictos"))
        #expect(text.contains("Rechazo"))
        #expect(text.contains("21/11/2026 10:00"))
        #expect(text.contains("Solo la central modifica users [central_data]"))
        #expect(text.contains("phone: queda \"987654321\", se perdió \"912345678\""))
        #expect(Catalog.entries.contains { $0.id == "sync" && $0.permission == .reviewSync })
    }
}
