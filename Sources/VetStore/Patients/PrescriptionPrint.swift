import Foundation
import GRDB
import VetCore

extension SedeStore {
    /// The prescription as plain text for an 80-column printer: sede, patient, owner, drugs, the
    /// allergy alerts the vet confirmed issuing it over, and the vet's name and CMVP number for the
    /// signature. No line is wider than 80 columns.
    public func prescriptionText(id: String) throws -> String {
        try read { db in
            guard let rx = try Prescription.fetchOne(db, key: id) else { throw StoreError.notFound("La receta ya no existe") }
            let items = try PrescriptionItem.filter(sql: "prescription_id = ?", arguments: [id]).order(sql: "position").fetchAll(db)
            let pet = try Pet.fetchOne(db, key: rx.petId)
            let owner = try pet.flatMap { try Owner.fetchOne(db, key: $0.ownerId) }
            let sede = try Sede.fetchOne(db, key: rx.sedeId)
            let vetRow = try Row.fetchOne(db, sql: "SELECT full_name, cmvp FROM users WHERE id = ?", arguments: [rx.vetId])
            let vet: String = vetRow?["full_name"] ?? ""
            let cmvp: String? = (vetRow?["cmvp"] as String?)?.trimmingCharacters(in: .whitespaces).nilIfEmpty
            let weight = try Int64.fetchOne(db, sql: "SELECT grams FROM pet_weights WHERE pet_id = ? ORDER BY measured_at DESC LIMIT 1",
                                            arguments: [rx.petId])
            let width = 80
            let day = LimaTime.parseISO8601(rx.createdAt).map(LimaTime.day) ?? ""
            var out: [String] = []
            out.append(String(repeating: "=", count: width))
            out += TextLayout.columns(left: sede.map { "\($0.name) (\($0.code))" } ?? "", right: sede?.phone.map { "Tel. " + $0 } ?? "", width: width)
            if let address = sede?.address { out += TextLayout.wrap(address, width: width) }
            out += TextLayout.columns(left: "RECETA MÉDICA VETERINARIA", right: day, width: width)
            out.append(String(repeating: "-", count: width))
            if let pet {
                var about = [pet.speciesValue?.label ?? pet.species]
                if let breed = pet.breed { about.append(breed) }
                if let sex = pet.sex.flatMap(PetSex.init(rawValue:)) { about.append(sex.label.lowercased()) }
                if let birth = pet.birthDate.flatMap(CivilDate.init(iso:)) {
                    about.append(BirthRules.ageText(birth: birth, today: CivilDate(limaDayOf: LimaTime.parseISO8601(rx.createdAt) ?? clock.now)))
                }
                if let weight { about.append(WeightRules.kilograms(weight) + " kg") }
                out += TextLayout.wrap("Paciente: \(pet.name) (\(about.joined(separator: ", ")))", width: width)
                if !pet.alertList.isEmpty { out += TextLayout.wrap("ALERTAS: " + pet.alertList.joined(separator: "; "), width: width) }
            }
            if let owner {
                out += TextLayout.wrap("Propietario: \(owner.fullName) · \(owner.docType.label) \(owner.docNumber)"
                                       + (owner.phone.map { " · " + PhoneRules.display($0) } ?? ""), width: width)
            }
            out.append(String(repeating: "-", count: width))
            for item in items {
                out += TextLayout.wrap("\(item.position). \(item.drug)", width: width)
                out += TextLayout.wrap("Dosis: \(item.dose) · Frecuencia: \(item.frequency) · Duración: \(item.duration)", width: width, indent: 3)
                if let i = item.instructions { out += TextLayout.wrap("Indicaciones: " + i, width: width, indent: 3) }
                out.append("")
            }
            if let override = rx.allergyOverride {
                out += TextLayout.wrap("Emitida pese a la alerta de alergia, confirmado por el médico: " + override, width: width)
            }
            out.append("")
            out.append("")
            let line = String(repeating: "_", count: 36)
            out.append(String(repeating: " ", count: width - 36) + line)
            out.append(String(repeating: " ", count: width - 36) + String(vet.prefix(36)))
            out.append(String(repeating: " ", count: width - 36) + "Médico veterinario" + (cmvp.map { " · CMVP " + String($0.prefix(10)) } ?? ""))
            out.append(String(repeating: "=", count: width))
            return out.joined(separator: "\n") + "\n"
        }
    }

    /// Writes the printable prescription to `path` (UTF-8 text). It carries the owner's name,
    /// document and phone: the file and its folder are for the sede's group only, whatever the umask.
    public func exportPrescription(id: String, to path: String) throws {
        let text = try prescriptionText(id: id)
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty {
                try SedeFiles.createFolder(folder)
                SedeFiles.tighten(folder)
            }
            try SedeFiles.write(Data(text.utf8), to: path)
        } catch let error as SystemError {
            throw StoreError.creating(path: path, folder: folder.isEmpty ? "." : folder, errno: error.errno)
        }
    }
}

/// Plain-text layout for fixed-width printouts (widths in characters).
public enum TextLayout {
    /// `text` wrapped at spaces to lines of at most `width` characters; continuation lines indented.
    public static func wrap(_ text: String, width: Int, indent: Int = 0) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var current = pad
        for word in text.split(separator: " ") {
            var w = String(word)
            while w.count > width - indent {
                if current.count > indent { lines.append(current); current = pad }
                lines.append(pad + w.prefix(width - indent))
                w = String(w.dropFirst(width - indent))
            }
            if current.count > indent && current.count + 1 + w.count > width {
                lines.append(current)
                current = pad
            }
            current += (current.count > indent ? " " : "") + w
        }
        if current.count > indent || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// `left` and `right` on one line when they fit, else on two.
    public static func columns(left: String, right: String, width: Int) -> [String] {
        if left.count + right.count + 1 <= width {
            return [left + String(repeating: " ", count: width - left.count - right.count) + right]
        }
        return wrap(left, width: width) + (right.isEmpty ? [] : [right])
    }
}
