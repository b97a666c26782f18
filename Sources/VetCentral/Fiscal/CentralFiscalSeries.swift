import Foundation
import VetCore
import VetProtocol

/// Each sede's SUNAT series and código de anexo, assigned at the central (central data, DESIGN.md
/// §3). Assignments live in the log and the read model only (`fiscal_series`); sedes receive them
/// by pull and issue in the newest one of their own.
///
/// A reassignment is a new row: no row of `fiscal_series` is ever updated or deleted, so what a
/// sede held before stays as history. A series belongs to one sede at a time: no two sedes' current
/// assignments share one.
public enum CentralFiscalSeries {
    static let table = "fiscal_series"

    /// One sede's series as assigned.
    public struct Assignment: Sendable, Equatable {
        public var id: String
        public var sedeID: String
        public var annexCode: String
        public var boletaSeries: String
        public var facturaSeries: String
        public var boletaNoteSeries: String
        public var facturaNoteSeries: String
        public var assignedAt: String

        public init(id: String, sedeID: String, annexCode: String, boletaSeries: String, facturaSeries: String,
                    boletaNoteSeries: String, facturaNoteSeries: String, assignedAt: String) {
            self.id = id; self.sedeID = sedeID; self.annexCode = annexCode; self.boletaSeries = boletaSeries
            self.facturaSeries = facturaSeries; self.boletaNoteSeries = boletaNoteSeries; self.facturaNoteSeries = facturaNoteSeries
            self.assignedAt = assignedAt
        }

        /// Boleta, factura, nota de boleta and nota de factura, in that order.
        public var series: [String] { [boletaSeries, facturaSeries, boletaNoteSeries, facturaNoteSeries] }

        init?(_ row: CurrentRow) {
            let cols = row.cols
            guard let sede = cols["sede_id"]?.text else { return nil }
            func text(_ name: String) -> String { cols[name]?.text ?? "" }
            self.init(id: row.rowID, sedeID: sede, annexCode: text("annex_code"), boletaSeries: text("boleta_series"),
                      facturaSeries: text("factura_series"), boletaNoteSeries: text("boleta_note_series"),
                      facturaNoteSeries: text("factura_note_series"), assignedAt: text("assigned_at"))
        }

        var cols: [String: SQLValue] {
            ["id": .text(id), "sede_id": .text(sedeID), "annex_code": .text(annexCode), "boleta_series": .text(boletaSeries),
             "factura_series": .text(facturaSeries), "boleta_note_series": .text(boletaNoteSeries),
             "factura_note_series": .text(facturaNoteSeries), "assigned_at": .text(assignedAt)]
        }
    }

    /// A sede's current assignment, with its code.
    public struct Current: Sendable, Equatable {
        public var sedeCode: String
        public var assignment: Assignment
    }

    /// What `assign` did.
    public enum Outcome: Sendable, Equatable {
        case assigned
        /// The sede already holds exactly these series and anexo: nothing written.
        case alreadyAssigned
    }

    /// The newest assignment of each sede (ids are UUIDv7, so the greatest id is the newest).
    static func currentBySede(_ rows: [CurrentRow]) -> [String: Assignment] {
        var out: [String: Assignment] = [:]
        for assignment in rows.compactMap(Assignment.init) where assignment.id > (out[assignment.sedeID]?.id ?? "") {
            out[assignment.sedeID] = assignment
        }
        return out
    }

    /// Assigns a sede its código de anexo and its four series. Each series follows SUNAT's rules
    /// (`FiscalNumbering.seriesProblem`), the four are distinct, and none is held by another sede's
    /// current assignment. The sede's previous assignment stays as history.
    public static func assign(_ storage: any CentralStorage, sedeCode: String, annexCode: String, boleta: String, factura: String,
                              boletaNote: String, facturaNote: String, nowText: String = CentralAdmin.nowText) async throws -> Outcome {
        let code = sedeCode.trimmingCharacters(in: .whitespaces).uppercased()
        let sedes = try await storage.listSedes()
        guard let sede = sedes.first(where: { $0.code == code }) else {
            throw CentralError(404, "unknown_sede", "No existe la sede \(code)")
        }
        let annex = annexCode.trimmingCharacters(in: .whitespaces)
        func clean(_ text: String) -> String { text.trimmingCharacters(in: .whitespaces).uppercased() }
        let wanted = Assignment(id: CentralAdmin.newID(), sedeID: sede.id, annexCode: annex, boletaSeries: clean(boleta),
                                facturaSeries: clean(factura), boletaNoteSeries: clean(boletaNote), facturaNoteSeries: clean(facturaNote),
                                assignedAt: nowText)
        switch FiscalNumbering.seriesSetProblem(annexCode: annex, boleta: wanted.boletaSeries, factura: wanted.facturaSeries,
                                                boletaNote: wanted.boletaNoteSeries, facturaNote: wanted.facturaNoteSeries) {
        case .annex(let message)?: throw CentralError(422, "invalid_annex", message)
        case .series(let message)?: throw CentralError(422, "invalid_series", message)
        case nil: break
        }

        // The version first: an assignment made while the rows are read makes the write refuse.
        let version = try await storage.readVersion([table])
        let current = currentBySede(try await storage.currentRows(RowQuery(table: table)))
        if let held = current[sede.id], held.annexCode == wanted.annexCode, held.series == wanted.series { return .alreadyAssigned }
        let codeByID = Dictionary(sedes.map { ($0.id, $0.code) }, uniquingKeysWith: { first, _ in first })
        for (otherID, other) in current.sorted(by: { $0.key < $1.key }) where otherID != sede.id {
            if let taken = wanted.series.first(where: other.series.contains) {
                throw CentralError(409, "series_taken", "La serie \(taken) ya está asignada a la sede \(codeByID[otherID] ?? otherID): cada serie es de una sola sede")
            }
        }
        try await storage.appendCentral([.insert(table, wanted.cols)], nowText: nowText, unchangedSince: version)
        return .assigned
    }

    /// Every sede's current assignment, ordered by sede code.
    public static func list(_ storage: any CentralStorage) async throws -> [Current] {
        let codeByID = Dictionary(try await storage.listSedes().map { ($0.id, $0.code) }, uniquingKeysWith: { first, _ in first })
        return currentBySede(try await storage.currentRows(RowQuery(table: table))).values
            .map { Current(sedeCode: codeByID[$0.sedeID] ?? $0.sedeID, assignment: $0) }
            .sorted { $0.sedeCode < $1.sedeCode }
    }
}
