import Foundation
import VetCore
import VetStore

/// One terminal of a booking race: for each round it waits at a barrier shared with the other
/// racers (files in a folder), then tries to book the round's slot. Run by the concurrency test
/// through `vettools race`, so the racers are real processes.
enum BookingRace {
    struct Report: Codable, Sendable {
        var writer: String
        /// Rounds this racer won (booked).
        var won: [Int]
        /// Rounds refused with `Horario ocupado`.
        var refused: [Int]
        /// Other failures, as messages.
        var errors: [String]
    }

    /// Slot `round` starts `round × minutes` after `first`.
    static func run(store: SedeStore, session: Session, petID: String, typeID: String, vetID: String, first: Date,
                    minutes: Int, rounds: Int, writer: String, barrier: String, racers: Int) throws -> Report {
        var report = Report(writer: writer, won: [], refused: [], errors: [])
        for round in 0..<rounds {
            let mark = barrier + "/\(round).\(writer)"
            _ = FileManager.default.createFile(atPath: mark, contents: nil)
            let deadline = Date().addingTimeInterval(30)
            var met = false
            while !met && Date() < deadline {
                met = try FileManager.default.contentsOfDirectory(atPath: barrier).filter { $0.hasPrefix("\(round).") }.count >= racers
                if !met { usleep(200) }
            }
            if !met { report.errors.append("ronda \(round): los otros corredores no llegaron en 30 s") }
            let start = first.addingTimeInterval(Double(round * minutes) * 60)
            do {
                try store.book(BookingRequest(petID: petID, typeID: typeID, vetID: vetID, start: start, minutes: minutes,
                                              reason: "carrera \(writer)"), by: session)
                report.won.append(round)
            } catch let error as StoreError {
                if error.code == .appointmentOverlap { report.refused.append(round) } else { report.errors.append(error.message) }
            }
        }
        return report
    }
}
