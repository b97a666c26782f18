import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport

/// Issue 14 through the real binary, without a screen: 30 closes, each `vetdesk cash close` killed
/// with SIGKILL at a random moment of its run. Every session is then open (no close, no note) or
/// closed (its close and its note, whole); its movements are the ones written before; the same
/// close sent again closes it exactly once.
@Suite struct CashCloseHeadlessTests {
    static func read<T>(_ db: String, _ body: (Database) throws -> T) throws -> T {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    @Test func thirtyClosesKilledAtRandomMomentsLeaveEverySessionOpenOrClosed() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        let demo = try runProcess(Binaries.vetdesk, ["demo", "--db", db, "--pets", "20", "--seed", "11"])
        try #require(demo.status == 0, "\(demo.stderr)")
        var rng = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        let timing = ContinuousClock()
        var normal = Duration.milliseconds(300)
        var before = 0, after = 0
        for round in 0..<30 {
            let drawer = "Caja K\(round)", sessionID = UUID().uuidString.lowercased(), closeID = UUID().uuidString.lowercased()
            let opened = try runProcess(Binaries.vetdesk, ["cash", "open", "--db", db, "--drawer", drawer, "--float", "100x1,20x2,1x10",
                                                           "--by", "recepcion", "--id", sessionID])
            try #require(opened.status == 0, "\(opened.stderr)")
            // An expense in every third session (the others hold their float alone): S/ 12.50 out.
            let expense: Int64 = round % 3 == 0 ? 1_250 : 0
            if expense > 0 {
                let moved = try runProcess(Binaries.vetdesk, ["cash", "move", "--db", db, "--drawer", drawer, "--kind", "egreso", "--amount", "12.50",
                                                              "--concept", "compra_menor", "--reason", "Útiles", "--document", "B001-\(round)", "--by", "recepcion"])
                try #require(moved.status == 0, "\(moved.stderr)")
            }
            let movementsBefore = try Self.read(db) { db in
                try Row.fetchAll(db, sql: "SELECT id, kind, amount FROM cash_movements WHERE session_id = ? ORDER BY id", arguments: [sessionID])
                    .map { "\($0["id"] as String) \($0["kind"] as String) \($0["amount"] as Int64)" }
            }
            // Expected 150.00 (or 137.50): the count is S/ 20.00 (or S/ 7.50) short, so the close carries a note.
            let arguments = ["cash", "close", "--db", db, "--drawer", drawer, "--count", "100x1,20x1,10x1", "--card", "0", "--note", "Faltante por revisar",
                             "--by", "recepcion", "--id", closeID, "--report", dir.file("z-\(round).txt")]
            if round == 0 {
                let started = timing.now
                let run = try runProcess(Binaries.vetdesk, arguments)
                #expect(run.status == 0, "\(run.stderr)")
                normal = timing.now - started
            } else {
                let process = try SpawnedProcess(Binaries.vetdesk, arguments)
                let wait = Double(rng.next() % 1_000) / 1_000 * (normal / .seconds(1)) * 1.2
                usleep(UInt32(min(5.0, wait) * 1_000_000))
                process.stop(SIGKILL)
                _ = try? process.wait(timeout: 30)
            }
            try Self.read(db) { (db: Database) throws -> Void in
                func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: [sessionID]) ?? -1 }
                let closes = try count("SELECT count(*) FROM cash_closes WHERE session_id = ?")
                let notes = try count("SELECT count(*) FROM cash_close_notes WHERE close_id IN (SELECT id FROM cash_closes WHERE session_id = ?)")
                let journaled = try count("SELECT count(*) FROM journal WHERE tbl = 'cash_closes' AND row_id IN (SELECT id FROM cash_closes WHERE session_id = ?)")
                #expect((closes == 0 && notes == 0 && journaled == 0) || (closes == 1 && notes == 1 && journaled == 1),
                        "round \(round): half a close (\(closes) closes, \(notes) notes, \(journaled) journaled)")
                if closes == 1 { after += 1 } else { before += 1 }
                let movements = try Row.fetchAll(db, sql: "SELECT id, kind, amount FROM cash_movements WHERE session_id = ? ORDER BY id", arguments: [sessionID])
                    .map { "\($0["id"] as String) \($0["kind"] as String) \($0["amount"] as Int64)" }
                #expect(movements == movementsBefore, "round \(round): the movements changed")
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            }
            // The same close again: closed exactly once, with the level the shortage needs.
            let retry = try runProcess(Binaries.vetdesk, arguments)
            #expect(retry.status == 0, "round \(round): \(retry.stderr)")
            #expect(retry.stdout.contains(expense > 0 ? "Faltante S/ 7.50" : "Faltante S/ 20.00"), "round \(round): \(retry.stdout)")
            try Self.read(db) { (db: Database) throws -> Void in
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM cash_closes WHERE session_id = ?", arguments: [sessionID]) == 1)
                #expect(try String.fetchOne(db, sql: "SELECT level FROM cash_closes WHERE id = ?", arguments: [closeID]) == "nota")
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM cash_close_notes n JOIN cash_closes c ON c.id = n.close_id WHERE c.session_id = ?",
                                         arguments: [sessionID]) == 1)
            }
        }
        #expect(before > 0, "no kill landed before the commit")
        print("SIGKILL closes: \(before) killed before the commit, \(after) after it")
    }

    /// What a person would type wrong at the command line: a clear Spanish message, nothing written.
    @Test func badCountsAndMovementsAreRefusedInSpanish() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        try #require(try runProcess(Binaries.vetdesk, ["demo", "--db", db, "--pets", "10", "--seed", "3"]).status == 0)
        try #require(try runProcess(Binaries.vetdesk, ["cash", "open", "--db", db, "--drawer", "Caja B", "--float", "50x2", "--by", "recepcion"]).status == 0)
        func rows() throws -> Int {
            try Self.read(db) { try Int.fetchOne($0, sql: "SELECT (SELECT count(*) FROM cash_movements) + (SELECT count(*) FROM cash_closes)") ?? -1 }
        }
        let start = try rows()
        for (arguments, message) in [
            (["cash", "close", "--count", "10x-2"], "no puede ser negativa"),
            (["cash", "close", "--count", "10xdos"], "no es soles x cantidad"),
            (["cash", "close", "--count", "3x1"], "no existe la denominación S/ 3.00"),
            (["cash", "close", "--count", "10x1", "--card", "diez"], "--card"),
            (["cash", "move", "--kind", "egreso", "--amount", "5", "--concept", "proveedor"], "Escriba el motivo del egreso"),
            (["cash", "move", "--kind", "egreso", "--amount", "-5", "--concept", "proveedor", "--reason", "x"], "--amount"),
            (["cash", "move", "--kind", "robo", "--amount", "5", "--reason", "x"], "ingreso, egreso, sangria o deposito"),
        ] {
            let run = try runProcess(Binaries.vetdesk, arguments + ["--db", db, "--drawer", "Caja B", "--by", "recepcion"])
            #expect(run.status != 0 && run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        #expect(try rows() == start)
    }
}
