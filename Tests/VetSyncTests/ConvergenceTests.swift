import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// SplitMix64: the same seed gives the same run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite(.serialized)
struct ConvergenceTests {
    /// Three sedes write at random (inserts, and edits concentrated on a few owners so they
    /// collide), sync in random order through a central restarted midway; at the end every
    /// sede holds the same shared rows, central holds each journal entry exactly once, and every
    /// edit that did not survive was overwritten by a sede that had seen it or is in some
    /// `conflict_log`.
    @Test(arguments: backends)
    func threeSedesConvergeThroughARestartedCentral(_ backend: Backend) throws {
        var rng = SeededRandom(state: 20_261_121)
        let central = try CentralProcess(backend)
        let dir = TempDir()
        let sedes = try ["LIM01", "ARE01", "CUS01"].map { try TestSede($0, in: dir) }
        try central.start()
        for sede in sedes { try sede.link(central) }

        var hot: [String] = []
        for (i, sede) in sedes.enumerated() {
            for j in 0..<3 { hot.append(try sede.addOwner(doc: "5\(i)00000\(j)", first: "Inicial \(i)-\(j)")) }
        }
        for sede in sedes { try sede.sync() }
        for sede in sedes { try sede.sync() }

        let columns = ["phone", "email", "district", "first_names"]
        let ledger = WriteLedger()
        var inserted = hot.count
        let steps = 240
        for step in 0..<steps {
            if step == steps / 2 {
                // Central restarts midway: one clean stop, then one crash on the next half's first sync.
                central.stop()
                try central.start()
            }
            if step == steps * 3 / 4 {
                central.crash()
                try central.start()
            }
            let s = Int.random(in: 0..<sedes.count, using: &rng)
            let sede = sedes[s]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...1:
                try sede.addOwner(doc: String(format: "6%d%06d", s, step), first: "Nuevo \(step)")
                inserted += 1
            case 2:
                let owners = try sede.store.read { db in try String.fetchAll(db, sql: "SELECT id FROM owners") }
                if let owner = owners.randomElement(using: &rng) {
                    try sede.store.write(user: nil) { db in
                        try Pet(id: sede.store.newID(), ownerId: owner, name: "Mascota \(step)", species: "gato",
                                createdAt: sede.store.nowText, updatedAt: sede.store.nowText).insert(db)
                    }
                }
            case 3...6:
                let owner = hot[Int.random(in: 0..<hot.count, using: &rng)]
                let known = try sede.count("SELECT count(*) FROM owners WHERE id = ?", [owner]) == 1
                if known {
                    let column = columns[Int.random(in: 0..<columns.count, using: &rng)]
                    let value = "\(sede.code)-\(step)-\(column)"
                    try sede.setOwner(owner, column, value)
                    ledger.edit(sede.code, row: owner, column: column, value: value)
                }
            default:
                // No fault is injected here: every sync succeeds (ChaosTests is where they fail).
                try sede.sync()
                ledger.synced(sede.code)
            }
        }
        // Quiesce: everyone syncs until nothing moves.
        for _ in 0..<3 { for sede in sedes { try sede.sync(); ledger.synced(sede.code) } }

        let reference = try sedes[0].sharedRows()
        for sede in sedes {
            #expect(try sede.sharedRows() == reference, "\(sede.code) difiere")
            #expect(try sede.count("SELECT count(*) FROM owners") == inserted)
            #expect(try sede.count("SELECT count(*) FROM sync_rejects") == 0)
            let state = try sede.syncState()
            #expect(state.pushed == state.maxSeq)
            // Nothing lost or duplicated: central holds exactly this sede's journal.
            let stored = try central.count("SELECT count(*) FROM changes WHERE origin = '\(sede.sedeID)'")
            let distinct = try central.count("SELECT count(DISTINCT origin_seq) FROM changes WHERE origin = '\(sede.sedeID)'")
            #expect(stored == Int(state.maxSeq))
            #expect(distinct == stored)
        }
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == (try sedes.reduce(0) { $0 + Int(try $1.syncState().maxSeq) }))

        let unaccounted = try ledger.unaccounted(
            final: { row, column in
                try sedes[0].store.read { db in try Row.fetchOne(db, sql: "SELECT \(column) AS v FROM owners WHERE id = ?", arguments: [row]).map { $0["v"] } }
            },
            logged: { row, column, value in try sedes.contains { try $0.loggedLoser(row: row, column: column, value: value) } })
        #expect(unaccounted.isEmpty, "ediciones perdidas sin registro: \(unaccounted)")
        let logged = try sedes.reduce(0) { $0 + (try $1.count("SELECT count(*) FROM conflict_log")) }
        #expect(logged > 0, "la prueba debe producir ediciones concurrentes que pierdan")
    }
}
