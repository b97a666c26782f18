import Foundation
import VetCore
import VetProtocol

/// A change as central stores it in its log, before it gets its `cseq`.
public struct LoggedChange: Sendable, Equatable {
    public var origin: String?
    public var originEpoch: String?
    public var originSeq: Int64?
    public var txID: Int64
    public var hlc: Int64
    public var tbl: String
    public var rowID: String
    public var op: String
    public var colsJSON: String?
    public var userID: String?
    public var dataClass: DataClass
    public var ownerSede: String?
    public var addressedTo: String?
    /// What the writer had seen of the columns it overwrote (JSON object of HLCs), passed on as is.
    public var prevJSON: String? = nil
}

/// Who owns a sede-owned row (class `sede` or `network`), and to which other sede it is addressed, if any.
public struct RowOwner: Sendable, Equatable {
    public var owner: String
    public var addressedTo: String?
}

/// What central does with one push, decided from the request and what central already holds.
/// Pure: both storage backends run the same rules.
public struct PushPlan: Sendable {
    public var accepted: [LoggedChange] = []
    public var rejects: [PushReject] = []
    /// Rejected entries as received, by seq, for central's own record.
    public var rejectedEntries: [Int64: (hlc: Int64, json: String)] = [:]
    public var newOwners: [String: RowOwner] = [:]
    public var ackedThrough: Int64 = 0
    /// The first entry held back because its HLC is ahead of central's clock: it and the entries
    /// after it stay at the sede (not rejected) until its clock is right and it stamps them again.
    public var clockAheadFrom: Int64?
}

public enum PushPlanner {
    /// Sede-owned rows addressed to another sede name it in this column.
    public static let addressColumn = ReceivedPush.addressColumn

    /// The largest journal seq central takes (2⁵³ − 1, exact in every JSON reader). A sede's journal
    /// never gets near it; bounding it keeps `acked + 1` and every other sum on seqs from overflowing.
    public static let maxSeq: Int64 = (1 << 53) - 1

    /// Checks a batch's framing: seqs within `1...maxSeq`, contiguous from `fromSeq` to `toSeq`,
    /// and `epochStart` (where the sede's epoch begins) not after `fromSeq`.
    public static func framingError(_ request: ReceivedPush) -> CentralError? {
        for (name, value) in [("from_seq", request.fromSeq), ("to_seq", request.toSeq), ("epoch_start", request.epochStart ?? 1)]
        where value < 1 || value > maxSeq {
            return CentralError(400, "seq_out_of_range", "Lote inválido: \(name) \(value) está fuera del rango 1…\(maxSeq)")
        }
        if let problem = framingProblem(request) { return CentralError(400, "invalid_batch", "Lote inválido: \(problem)") }
        return nil
    }

    static func framingProblem(_ request: ReceivedPush) -> String? {
        guard request.fromSeq >= 1, request.toSeq >= request.fromSeq else { return "from_seq y to_seq no forman un rango válido" }
        if let start = request.epochStart, start > request.fromSeq { return "epoch_start es posterior a from_seq" }
        guard request.entries.count == Int(request.toSeq - request.fromSeq + 1) else { return "el lote no trae todas las entradas de from_seq a to_seq" }
        for (i, entry) in request.entries.enumerated() where entry.seq != request.fromSeq + Int64(i) {
            return "las entradas del lote no son consecutivas (seq \(entry.seq))"
        }
        guard !request.epoch.isEmpty else { return "falta epoch" }
        return nil
    }

    /// The table an entry names, under its canonical name, and the class central's list gives it;
    /// nil when central does not list it.
    public static func classify(_ tbl: String, _ classes: [String: DataClass]) -> (tbl: String, dataClass: DataClass)? {
        let canonical = DataClass.canonicalTableName(tbl)
        return classes[canonical].map { (canonical, $0) }
    }

    /// The sede-owned rows (class `sede` or `network`) the entries after `acked` touch, as
    /// (canonical table, row id): whose owners the storage looks up before `plan`.
    public static func sedeOwnedRows(_ request: ReceivedPush, acked: Int64, classes: [String: DataClass]) -> [(tbl: String, rowID: String)] {
        request.entries.compactMap { entry in
            guard entry.seq > acked, let table = classify(entry.tbl, classes), table.dataClass.isSedeOwned else { return nil }
            return (table.tbl, entry.rowID)
        }
    }

    /// Decides every entry after `acked`. `owners` holds the known owners of the sede-owned rows the
    /// batch touches (key `tbl\u{1}row_id`). `sede` and `network` rows take the same ownership
    /// rules: only the sede their `sede_id` names writes them; they differ only in who pulls them.
    public static func plan(sede: String, request: ReceivedPush, acked: Int64, classes: [String: DataClass],
                            owners: [String: RowOwner], nowMs: Int64) -> PushPlan {
        var plan = PushPlan()
        plan.ackedThrough = max(acked, request.toSeq)
        var owners = owners
        for entry in request.entries where entry.seq > acked {
            func reject(_ status: Int, _ code: String, _ message: String) {
                plan.rejects.append(PushReject(seq: entry.seq, tbl: entry.tbl, rowID: entry.rowID, status: status, code: code, message: message))
                plan.rejectedEntries[entry.seq] = (entry.hlc, request.receivedJSON(entry))
            }
            guard entry.op == "I" || entry.op == "U" || entry.op == "D", !entry.tbl.isEmpty, !entry.rowID.isEmpty,
                  entry.op == "D" || entry.colsJSON != nil else {
                reject(422, "invalid_entry", "Entrada de diario inválida (op, tabla, id o columnas)")
                continue
            }
            guard entry.hlc > 0 else {
                reject(422, "invalid_hlc", "La entrada trae una hora (HLC) inválida: \(entry.hlc)")
                continue
            }
            if (entry.hlc >> 16) - nowMs > HLC.maxDriftMs {
                // Not a reject: a write made while the sede's clock ran ahead must still reach the
                // network once its clock is right. Everything from here on waits (the HLC only grows).
                plan.clockAheadFrom = entry.seq
                plan.ackedThrough = entry.seq - 1
                break
            }
            // Central's own list only, by canonical name: the class the sede declares is never read.
            guard let table = classify(entry.tbl, classes) else {
                reject(422, "unknown_table", "La central no sincroniza la tabla \(entry.tbl)")
                continue
            }
            let (tbl, dataClass) = table
            if dataClass == .central {
                reject(403, "central_data", "Solo la central modifica \(tbl)")
                continue
            }
            var owner: String? = nil
            var addressed: String? = nil
            if dataClass.isSedeOwned {
                let key = tbl + "\u{1}" + entry.rowID
                let declared = entry.declaredSede
                if let known = owners[key] {
                    guard known.owner == sede else {
                        reject(403, "other_sede", "La fila \(entry.tbl) \(entry.rowID) es de otra sede")
                        continue
                    }
                    if let declared, declared != .text(sede) {
                        reject(403, "other_sede", "No se puede pasar una fila de \(entry.tbl) a otra sede")
                        continue
                    }
                    owner = known.owner
                    addressed = entry.addressedTo?.text ?? known.addressedTo
                } else {
                    guard let declared else {
                        reject(422, "unknown_row", "La central no conoce la fila \(entry.tbl) \(entry.rowID) ni su sede")
                        continue
                    }
                    guard declared == .text(sede) else {
                        reject(403, "other_sede", "La fila \(entry.tbl) \(entry.rowID) es de otra sede")
                        continue
                    }
                    owner = sede
                    addressed = entry.addressedTo?.text
                }
                if entry.op == "D" {
                    owners[key] = nil
                } else {
                    let value = RowOwner(owner: sede, addressedTo: addressed)
                    owners[key] = value
                    plan.newOwners[key] = value
                }
            }
            plan.accepted.append(LoggedChange(
                origin: sede, originEpoch: request.epoch, originSeq: entry.seq, txID: entry.txID, hlc: entry.hlc,
                tbl: tbl, rowID: entry.rowID, op: entry.op, colsJSON: entry.colsJSON, userID: entry.userID,
                dataClass: dataClass, ownerSede: owner, addressedTo: addressed, prevJSON: entry.prevJSON))
        }
        return plan
    }
}
