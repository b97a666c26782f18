import GRDB
import VetCore

extension SedeStore {
    /// Merges the owner `mergeID` into `keepID` (supervisors only). Nothing is deleted: the merged
    /// owner's pets move to the kept owner (each move recorded), the kept owner gains what it lacked
    /// (second phone, email, address, consents), the merged owner points to the kept one, and the
    /// merge itself is a journaled row, so other sedes converge to the same record.
    public func mergeOwners(keep keepID: String, merge mergeID: String, by session: Session) throws {
        try session.require(.mergePatients, "Solo un supervisor fusiona propietarios")
        guard keepID != mergeID else { throw StoreError.invalid("Elija dos propietarios distintos") }
        try writeChecked(user: session.userID) { db in
            guard var kept = try Owner.fetchOne(db, key: keepID), var merged = try Owner.fetchOne(db, key: mergeID) else {
                throw StoreError.notFound("Uno de los propietarios ya no existe")
            }
            guard kept.mergedInto == nil, merged.mergedInto == nil else { throw StoreError.conflict("Uno de los propietarios ya fue fusionado") }
            for var pet in try Pet.filter(sql: "owner_id = ?", arguments: [mergeID]).fetchAll(db) {
                try Self.moveOwner(&pet, to: keepID, store: self, session: session, db)
            }
            if kept.phone2 == nil, let phone = merged.phone, phone != kept.phone { kept.phone2 = phone }
            else if kept.phone2 == nil, let phone2 = merged.phone2, phone2 != kept.phone { kept.phone2 = phone2 }
            kept.email = kept.email ?? merged.email
            if kept.address == nil {
                kept.address = merged.address; kept.district = merged.district; kept.ubigeo = merged.ubigeo
            }
            kept.consentWhatsapp = kept.consentWhatsapp || merged.consentWhatsapp
            kept.consentEmail = kept.consentEmail || merged.consentEmail
            kept.updatedAt = nowText
            try kept.update(db)
            merged.mergedInto = keepID
            merged.updatedAt = nowText
            try merged.update(db)
            try recordMerge(kind: "owner", keep: keepID, merge: mergeID, session: session, db)
        }
    }

    /// Merges the pet `mergeID` into `keepID` (supervisors only). The merged pet's history stays
    /// where it was written and shows in the kept pet's timeline; alerts are united, and the kept
    /// pet takes the microchip, birth date, colour and breed it lacked.
    public func mergePets(keep keepID: String, merge mergeID: String, by session: Session) throws {
        try session.require(.mergePatients, "Solo un supervisor fusiona mascotas")
        guard keepID != mergeID else { throw StoreError.invalid("Elija dos mascotas distintas") }
        try writeChecked(user: session.userID) { db in
            guard var kept = try Pet.fetchOne(db, key: keepID), var merged = try Pet.fetchOne(db, key: mergeID) else {
                throw StoreError.notFound("Una de las mascotas ya no existe")
            }
            guard kept.mergedInto == nil, merged.mergedInto == nil else { throw StoreError.conflict("Una de las mascotas ya fue fusionada") }
            let chip = kept.microchip == nil ? merged.microchip : nil
            merged.mergedInto = keepID
            if chip != nil { merged.microchip = nil }
            merged.updatedAt = nowText
            try merged.update(db)
            var alerts = kept.alertList
            for a in merged.alertList where !alerts.contains(where: { Ubigeo.fold($0) == Ubigeo.fold(a) }) { alerts.append(a) }
            kept.alerts = alerts.isEmpty ? nil : alerts.joined(separator: "; ")
            kept.microchip = kept.microchip ?? chip
            if kept.birthDate == nil || (kept.birthEstimated && merged.birthDate != nil && !merged.birthEstimated) {
                kept.birthDate = merged.birthDate ?? kept.birthDate
                kept.birthEstimated = merged.birthDate == nil ? kept.birthEstimated : merged.birthEstimated
            }
            kept.color = kept.color ?? merged.color
            kept.breed = kept.breed ?? merged.breed
            kept.sex = kept.sex ?? merged.sex
            kept.neutered = kept.neutered || merged.neutered
            kept.deceasedOn = kept.deceasedOn ?? merged.deceasedOn
            kept.updatedAt = nowText
            try kept.update(db)
            try recordMerge(kind: "pet", keep: keepID, merge: mergeID, session: session, db)
        }
    }

    private func recordMerge(kind: String, keep: String, merge: String, session: Session, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO patient_merges (id, kind, kept_id, merged_id, sede_id, user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [newID(), kind, keep, merge, session.sede.id, session.userID, nowText])
    }
}
