import Foundation
import GRDB
import VetCore

/// Where a consultation is: a draft its author may finish, signed (its author may correct it for
/// 24 h), or locked (only addenda). Worked out from the record, never stored.
public enum ConsultationState: String, Sendable, Hashable {
    case borrador, firmada, bloqueada
}

/// One entry of a pet's history, from any sede, marked with its sede and author.
public struct TimelineEntry: Sendable, Hashable {
    public enum Kind: String, CaseIterable, Sendable {
        case consultation, vaccination, deworming, prescription, attachment, weight, ownerChange

        public var label: String {
            switch self {
            case .consultation: "Consulta"
            case .vaccination: "Vacuna"
            case .deworming: "Desparasitación"
            case .prescription: "Receta"
            case .attachment: "Adjunto"
            case .weight: "Peso"
            case .ownerChange: "Cambio de propietario"
            }
        }
    }

    public var kind: Kind
    public var id: String
    /// UTC ISO-8601 (or `aaaa-mm-dd` for vaccinations).
    public var at: String
    public var sedeCode: String
    public var author: String
    /// One line: what happened.
    public var summary: String
    /// The details, one line each (addenda included, under the original).
    public var details: [String]
    /// Consultations: draft, signed or locked.
    public var state: ConsultationState?
    /// Consultations: changed after it was signed.
    public var corrected = false
    /// The name of the pet it was written for, when that pet was later merged into this one.
    public var mergedPetName: String?

    /// What a person reads as the consultation's state: `firmada`, `bloqueada · corregida`.
    public var status: String? { state.map { $0.rawValue + (corrected ? " · corregida" : "") } }

    /// `dd/mm/aaaa HH:mm` in Lima (or `dd/mm/aaaa` for a day).
    public var displayTime: String {
        if at.count == 10 { return CivilDate(iso: at)?.display ?? at }
        return LimaTime.parseISO8601(at).map(LimaTime.dayAndClock) ?? at
    }
}

extension SedeStore {
    /// Every entry of the pet's history (and of pets merged into it), newest first.
    public func timeline(petID: String, kinds: Set<TimelineEntry.Kind> = Set(TimelineEntry.Kind.allCases)) throws -> [TimelineEntry] {
        let now = clock.now
        return try read { db in
            let group = try Row.fetchAll(db, sql: """
                WITH RECURSIVE g(id) AS (SELECT ? UNION SELECT p.id FROM pets p JOIN g ON p.merged_into = g.id)
                SELECT g.id, p.name FROM g JOIN pets p ON p.id = g.id
                """, arguments: [petID])
            var names: [String: String] = [:]
            for row in group { names[row["id"]] = row["name"] }
            let ids = Array(names.keys)
            guard !ids.isEmpty else { return [] }
            let marks = ids.map { _ in "?" }.joined(separator: ",")
            let args = StatementArguments(ids)
            func merged(_ id: String) -> String? { id == petID ? nil : names[id] }
            func sede(_ id: String?) throws -> String {
                guard let id else { return "?" }
                return try String.fetchOne(db, sql: "SELECT code FROM sedes WHERE id = ?", arguments: [id]) ?? "?"
            }
            func user(_ id: String?) throws -> String {
                guard let id else { return "?" }
                return try String.fetchOne(db, sql: "SELECT full_name FROM users WHERE id = ?", arguments: [id]) ?? "?"
            }
            var entries: [TimelineEntry] = []
            if kinds.contains(.consultation) {
                for c in try Consultation.fetchAll(db, sql: "SELECT * FROM consultations WHERE pet_id IN (\(marks))", arguments: args) {
                    var details = Self.consultationDetails(c)
                    for a in try ConsultationAddendum.filter(sql: "consultation_id = ?", arguments: [c.id]).order(sql: "created_at").fetchAll(db) {
                        let when = LimaTime.parseISO8601(a.createdAt).map(LimaTime.dayAndClock) ?? a.createdAt
                        details.append("  ↳ Adenda \(when) · \(try sede(a.sedeId)) · \(try user(a.authorId)): \(a.text)")
                    }
                    let signed = c.signedAt.flatMap(LimaTime.parseISO8601)
                    let state: ConsultationState = signed.map { now.timeIntervalSince($0) >= ClinicalRules.lockSeconds ? .bloqueada : .firmada } ?? .borrador
                    let corrected = c.signedAt.map { c.updatedAt > $0 } ?? false
                    entries.append(TimelineEntry(kind: .consultation, id: c.id, at: c.seenAt, sedeCode: try sede(c.sedeId), author: try user(c.vetId),
                                                 summary: c.reason + ((c.dxDefinitive ?? c.dxPresumptive).map { " — Dx: " + $0 } ?? ""),
                                                 details: details, state: state, corrected: corrected, mergedPetName: merged(c.petId)))
                }
            }
            if kinds.contains(.vaccination) || kinds.contains(.deworming) {
                for v in try Vaccination.fetchAll(db, sql: "SELECT * FROM vaccinations WHERE pet_id IN (\(marks))", arguments: args) {
                    let kind: TimelineEntry.Kind = v.kind == "vacuna" ? .vaccination : .deworming
                    guard kinds.contains(kind) else { continue }
                    var details = ["Lote \(v.lot) · vence \(CivilDate(iso: v.expiry)?.display ?? v.expiry)"]
                    if let next = v.nextDue { details.append("Próxima dosis: \(CivilDate(iso: next)?.display ?? next)") }
                    // Recorded the day it was applied (in Lima): placed by when it was recorded; else by its day.
                    let recordedDay = LimaTime.parseISO8601(v.createdAt).map { CivilDate(limaDayOf: $0).iso }
                    entries.append(TimelineEntry(kind: kind, id: v.id, at: v.appliedOn == recordedDay ? v.createdAt : v.appliedOn,
                                                 sedeCode: try sede(v.sedeId), author: try user(v.vetId),
                                                 summary: v.product, details: details, mergedPetName: merged(v.petId)))
                }
            }
            if kinds.contains(.prescription) {
                for rx in try Prescription.fetchAll(db, sql: "SELECT * FROM prescriptions WHERE pet_id IN (\(marks))", arguments: args) {
                    let items = try PrescriptionItem.filter(sql: "prescription_id = ?", arguments: [rx.id]).order(sql: "position").fetchAll(db)
                    entries.append(TimelineEntry(kind: .prescription, id: rx.id, at: rx.createdAt, sedeCode: try sede(rx.sedeId),
                                                 author: try user(rx.vetId), summary: items.map(\.drug).joined(separator: ", "),
                                                 details: items.map { "\($0.drug): \($0.dose), \($0.frequency), \($0.duration)" + ($0.instructions.map { ". " + $0 } ?? "") },
                                                 mergedPetName: merged(rx.petId)))
                }
            }
            if kinds.contains(.attachment) {
                for a in try Attachment.fetchAll(db, sql: "SELECT * FROM attachments WHERE pet_id IN (\(marks))", arguments: args) {
                    entries.append(TimelineEntry(kind: .attachment, id: a.id, at: a.createdAt, sedeCode: try sede(a.sedeId),
                                                 author: try user(a.userId), summary: a.description, details: [a.path], mergedPetName: merged(a.petId)))
                }
            }
            if kinds.contains(.weight) {
                for w in try PetWeight.fetchAll(db, sql: "SELECT * FROM pet_weights WHERE pet_id IN (\(marks)) AND source_id IS NULL", arguments: args) {
                    entries.append(TimelineEntry(kind: .weight, id: w.id, at: w.measuredAt, sedeCode: try sede(w.sedeId), author: try user(w.userId),
                                                 summary: WeightRules.kilograms(w.grams) + " kg", details: [], mergedPetName: merged(w.petId)))
                }
            }
            if kinds.contains(.ownerChange) {
                for row in try Row.fetchAll(db, sql: """
                    SELECT c.*, f.first_names || ' ' || f.last_names AS from_name, t.first_names || ' ' || t.last_names AS to_name
                    FROM pet_owner_changes c LEFT JOIN owners f ON f.id = c.from_owner_id LEFT JOIN owners t ON t.id = c.to_owner_id
                    WHERE c.pet_id IN (\(marks))
                    """, arguments: args) {
                    let from: String = row["from_name"] ?? "?", to: String = row["to_name"] ?? "?"
                    entries.append(TimelineEntry(kind: .ownerChange, id: row["id"], at: row["at"], sedeCode: try sede(row["sede_id"]),
                                                 author: try user(row["user_id"]), summary: "De \(from) a \(to)", details: [],
                                                 mergedPetName: merged(row["pet_id"])))
                }
            }
            return entries.sorted { ($0.at, $0.id) > ($1.at, $1.id) }
        }
    }

    static func consultationDetails(_ c: Consultation) -> [String] {
        var lines: [String] = []
        if let a = c.anamnesis { lines.append("Anamnesis: " + a) }
        var exam: [String] = []
        if let g = c.weightGrams { exam.append("peso \(WeightRules.kilograms(g)) kg") }
        if let t = c.temperatureDc { exam.append("T \(t / 10),\(t % 10) °C") }
        if let f = c.heartRate { exam.append("FC \(f) lpm") }
        if let r = c.respRate { exam.append("FR \(r) rpm") }
        if let m = c.mucous { exam.append("mucosas \(m)") }
        if let s = c.crtSeconds { exam.append("TLLC \(s) s") }
        if let b = c.bodyCondition { exam.append("CC \(b)/9") }
        if !exam.isEmpty { lines.append("Examen: " + exam.joined(separator: " · ")) }
        if let d = c.dxPresumptive { lines.append("Dx presuntivo: " + d) }
        if let d = c.dxDefinitive { lines.append("Dx definitivo: " + d) }
        if let p = c.plan { lines.append("Plan: " + p) }
        return lines
    }
}
