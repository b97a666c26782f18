import Foundation
import GRDB
import VetCore
import VetFiscal
import VetStore

/// The demo company's SUNAT setup and its documents' history. The certificate is made at `demo`
/// time, self-signed and named «CERTIFICADO DE PRUEBA, NO VÁLIDO ANTE SUNAT»: the demo's
/// documents are real, valid UBL signed with it, but no SUNAT would take them. The demo never talks
/// to SUNAT: the answers it records for past days say they are simulated.
enum FiscalDemo {
    static let ruc = "20601234565"
    static let simulated = "(constancia simulada por la demo: no se envió a SUNAT)"

    static func configure(store: SedeStore, sedeID: String, today: CivilDate, seed: UInt64) throws {
        let (sede, admin) = try store.read { db in
            (try Sede.fetchOne(db, key: sedeID),
             try Row.fetchOne(db, sql: "SELECT id, full_name FROM users WHERE username = 'admin'"))
        }
        guard let sede, let admin else { throw PharmacyDemo.DemoDataError(description: "La facturación de la demo necesita la sede y el administrador") }
        let session = Session(userID: admin["id"], username: "admin", fullName: admin["full_name"], roles: [.administrador], sede: sede)
        var rng = SplitMix64(seed: seed &+ 0xF15C)
        let password = "demo-" + String(rng.next() % 1_000_000_000)
        let start = LimaTime.parseISO8601(today.adding(days: -90).iso + "T05:00:00.000Z") ?? Date()
        let end = LimaTime.parseISO8601(today.adding(days: 365).iso + "T05:00:00.000Z") ?? Date()
        let pfx: Data
        do {
            pfx = try FiscalSigner.makeTestCertificate(commonName: "VETDESK DEMO - CERTIFICADO DE PRUEBA, NO VALIDO ANTE SUNAT",
                                                       organization: "Veterinarias VetDesk Demo S.A.C.", password: password,
                                                       validFrom: start, until: end)
        } catch { throw PharmacyDemo.DemoDataError(description: error.message) }
        let ubigeo = try store.setting(.sedeUbigeo) ?? "150122"
        let config = FiscalConfiguration(
            ruc: ruc, legalName: "Veterinarias VetDesk Demo S.A.C.", tradeName: "VetDesk", ubigeo: ubigeo,
            address: sede.address ?? "Av. José Larco 1150", district: (sede.district ?? "Miraflores").uppercased(), province: "LIMA",
            department: "LIMA", annexCode: "0001", boletaSeries: "B001", facturaSeries: "F001", boletaNoteSeries: "BC01",
            facturaNoteSeries: "FC01")
        try store.configureFiscal(config, certificate: pfx, certificatePassword: password, by: session)
    }

    /// What SUNAT would have answered by now: every day before yesterday reported and accepted
    /// (facturas one by one, boletas in their day's resumen), the oldest factura rejected as sent
    /// late; yesterday's and today's documents still waiting to be sent.
    static func settle(store: SedeStore, today: CivilDate) throws {
        let cutoff = today.adding(days: -1)
        for (day, docs) in try store.boletasWithoutSummary().sorted(by: { $0.key < $1.key }) where day < cutoff {
            let summary = try store.createDailySummary(referenceDate: day, documents: docs)
            try store.recordFiscalEvent(subjectID: summary.id, kind: .envio)
            try store.recordFiscalEvent(subjectID: summary.id, kind: .ticket, ticket: "DEMO-" + summary.summaryId)
            try store.recordFiscalEvent(subjectID: summary.id, kind: .cdr, code: 0,
                                        message: "El Resumen diario \(summary.summaryId), ha sido aceptado \(simulated)")
        }
        let facturas = try store.facturasToSend().filter { (CivilDate(iso: $0.issueDate) ?? today) < cutoff }
        for (i, doc) in facturas.enumerated() {
            try store.recordFiscalEvent(subjectID: doc.id, kind: .envio)
            if i == 0 {
                try store.recordFiscalEvent(subjectID: doc.id, kind: .cdr, code: 2108, message: "Presentacion fuera de fecha \(simulated)")
            } else {
                try store.recordFiscalEvent(subjectID: doc.id, kind: .cdr, code: 0,
                                            message: "La Factura numero \(doc.documentID), ha sido aceptada \(simulated)")
            }
        }
    }
}
