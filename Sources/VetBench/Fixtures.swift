import Foundation
import VetDemo
import VetStore

/// Databases the benchmarks share, built once per work folder and reused by later runs.
public enum BenchFixtures {
    /// A demo sede with `context.largePets` pets (seed 42), built in-process the first time.
    public static func largeDemo(_ context: BenchContext) throws -> String {
        let path = context.workdir + "/demo-\(context.largePets).db"
        let marker = path + ".complete"
        if FileManager.default.fileExists(atPath: marker), FileManager.default.fileExists(atPath: path) { return path }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        context.log("bench: creando sede demo de \(context.largePets) mascotas en \(path)…")
        let store = try SedeStore.create(path: path)
        let summary = try DemoGenerator.run(store: store, options: .init(pets: context.largePets, seed: 42)) { done in
            if done % 100_000 < 400 { context.log("bench:   \(done) mascotas") }
        }
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try store.close()
        context.log(String(format: "bench: sede demo lista: %d propietarios, %d mascotas en %.1f s", summary.owners, summary.pets, summary.seconds))
        FileManager.default.createFile(atPath: marker, contents: Data(String(format: "%.1f\n", summary.seconds).utf8))
        return path
    }
}

import GRDB
