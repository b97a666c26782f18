import VetCore
import VetStore

/// F2 / F4: search as you type over pets, owners, documents, phones and microchips. Enter opens
/// the pet (or the owner, for an owner without pets); Ctrl+N registers a new owner.
public struct PatientSearchScreen: KeyBound {
    let session: Session
    let heading: String
    var query = TextField(maxLength: 60)
    /// At 80 columns the owner (surnames first), the document and the phone keep their width; the
    /// alerts give way first.
    var table = Table(columns: [Table.Column("Mascota", width: 16, minWidth: 10), Table.Column("Especie", width: 8),
                                Table.Column("Propietario", width: 32, minWidth: 26), Table.Column("DNI/RUC", width: 11, minWidth: 11),
                                Table.Column("Teléfono", width: 11, minWidth: 11), Table.Column("Alertas", width: 40)])
    var hits: [PatientHit] = []
    var truncated = false
    var matched = 0
    var searched = ""
    var message: String?

    public init(session: Session, heading: String = "Buscar paciente") {
        self.session = session
        self.heading = heading
    }

    public var title: String { heading }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<PatientSearchScreen>] {
        let session = session
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown], hint: "↑↓", label: "Elegir") { s, key, _ in
                _ = s.table.update(key)
                return .none
            },
            KeyBinding([.enter], hint: "Enter", label: "Abrir") { s, _, _ in
                guard s.hits.indices.contains(s.table.selected) else { return .none }
                let hit = s.hits[s.table.selected]
                if let petID = hit.petID { return .push(PetScreen(session: session, petID: petID)) }
                return .push(OwnerScreen(session: session, ownerID: hit.ownerID))
            },
            KeyBinding([.ctrl("n")], hint: "^N", label: "Nuevo propietario", enabled: session.may(.editPatients),
                       refusal: .toast("Su rol no permite registrar propietarios", .warning)) { _, _, _ in
                .push(OwnerFormScreen(session: session))
            },
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    struct Searched { let text: String; let result: PatientSearchResult }

    func search() -> Command {
        let text = query.text
        return .perform { services in Searched(text: text, result: try services.store.searchPatients(text)) }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let command = dispatch(key, context) { return command }
            guard query.handle(key) else { return .ignored }
            if query.text == searched { return .none }
            return search()
        case .message(let done as Searched):
            // A slower answer for text the user has since changed is dropped.
            guard done.text == query.text else { return .none }
            searched = done.text
            hits = done.result.hits
            truncated = done.result.truncated
            matched = done.result.matched
            message = nil
            table.selected = 0
            table.offset = 0
            table.setRows(hits.map { hit in
                [(hit.deceased ? "† " : "") + (hit.petID == nil ? "(sin mascotas)" : hit.petName),
                 hit.species, hit.ownerSurnameFirst, hit.document, hit.phone, hit.alerts.joined(separator: "; ")]
            })
            table.alertRows = Set(hits.indices.filter { !hits[$0].alerts.isEmpty })
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return query.text.isEmpty ? .none : search()
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        canvas.put("Buscar:", x: x, y: area.y + 1, style: .label)
        query.render(into: &canvas, x: x + 9, y: area.y + 1, width: min(50, area.width - 12), focused: true)
        let help = "nombre de mascota o propietario, DNI/RUC, teléfono o microchip"
        canvas.put(help, x: x + 61, y: area.y + 1, style: .hint, maxWidth: max(0, area.width - 63))
        var t = table
        let tableArea = Rect(x: x, y: area.y + 3, width: area.width - 2, height: area.height - 5)
        t.layout(height: tableArea.height)
        t.render(into: &canvas, area: tableArea)
        let status: String
        if query.text.trimmingCharacters(in: .whitespaces).isEmpty {
            status = "Escriba para buscar; los resultados cambian con cada tecla"
        } else if hits.isEmpty {
            status = "Sin resultados para «\(query.text)»" + (session.may(.editPatients) ? " · Ctrl+N registra un propietario nuevo" : "")
        } else if truncated {
            status = "Más de \(PatientSearch.rankLimit) coincidencias: siga escribiendo para afinar"
        } else {
            status = matched == 1 ? "1 resultado" : matched > hits.count ? "\(hits.count) mejores de \(matched) resultados" : "\(matched) resultados"
        }
        canvas.put(status, x: x, y: area.y + area.height - 1, style: hits.isEmpty ? .hint : .label, maxWidth: area.width - 2)
        if let message { canvas.put(message, x: x, y: area.y + area.height - 2, style: .error, maxWidth: area.width - 2) }
    }
}
