import Foundation
import GRDB
import VetCore

/// A consultation a vet was typing, kept on this sede until it is signed, saved as a draft or
/// discarded, so a closed window, a kill or a sign-out never loses it. Local: never synced.
public struct ClinicalRecovery: Sendable, Equatable {
    /// The form's own id: the same row is rewritten while the form is open.
    public var id: String
    public var userID: String
    public var petID: String
    /// The draft or consultation being finished or corrected, if any.
    public var consultationID: String?
    public var input: ConsultationInput
    /// UTC ISO-8601.
    public var savedAt: String
    /// Filled when listed: the pet's name.
    public var petName: String

    public init(id: String, userID: String, petID: String, consultationID: String?, input: ConsultationInput,
                savedAt: String = "", petName: String = "") {
        self.id = id; self.userID = userID; self.petID = petID; self.consultationID = consultationID
        self.input = input; self.savedAt = savedAt; self.petName = petName
    }

    /// The form's values by field, as stored.
    static func fields(_ c: ConsultationInput) -> [String: String] {
        ["reason": c.reason, "anamnesis": c.anamnesis, "weight": c.weight, "temperature": c.temperature,
         "heartRate": c.heartRate, "respRate": c.respRate, "mucous": c.mucous, "crt": c.capillaryRefill,
         "bodyCondition": c.bodyCondition, "dxPresumptive": c.dxPresumptive, "dxDefinitive": c.dxDefinitive, "plan": c.plan]
    }

    static func input(_ f: [String: String]) -> ConsultationInput {
        var c = ConsultationInput()
        c.reason = f["reason"] ?? ""; c.anamnesis = f["anamnesis"] ?? ""; c.weight = f["weight"] ?? ""
        c.temperature = f["temperature"] ?? ""; c.heartRate = f["heartRate"] ?? ""; c.respRate = f["respRate"] ?? ""
        c.mucous = f["mucous"] ?? ""; c.capillaryRefill = f["crt"] ?? ""; c.bodyCondition = f["bodyCondition"] ?? ""
        c.dxPresumptive = f["dxPresumptive"] ?? ""; c.dxDefinitive = f["dxDefinitive"] ?? ""; c.plan = f["plan"] ?? ""
        return c
    }
}

extension SedeStore {
    /// Writes (or rewrites) what the form holds now.
    public func keepRecovery(_ recovery: ClinicalRecovery) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(ClinicalRecovery.fields(recovery.input))
        let now = nowText
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO clinical_recovery (id, user_id, pet_id, consultation_id, fields, saved_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET fields = excluded.fields, saved_at = excluded.saved_at
                """, arguments: [recovery.id, recovery.userID, recovery.petID, recovery.consultationID, String(decoding: json, as: UTF8.self), now])
        }
    }

    /// Forgets a kept form: it was signed, saved as a draft or discarded.
    public func dropRecovery(id: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM clinical_recovery WHERE id = ?", arguments: [id]) }
    }

    /// The forms `userID` left unfinished, newest first.
    public func recoveries(userID: String) throws -> [ClinicalRecovery] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, p.name AS pet_name FROM clinical_recovery r JOIN pets p ON p.id = r.pet_id
                WHERE r.user_id = ? ORDER BY r.saved_at DESC, r.id
                """, arguments: [userID]).map { row in
                let text: String = row["fields"]
                let fields = (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
                return ClinicalRecovery(id: row["id"], userID: row["user_id"], petID: row["pet_id"], consultationID: row["consultation_id"],
                                        input: ClinicalRecovery.input(fields), savedAt: row["saved_at"], petName: row["pet_name"])
            }
        }
    }
}
