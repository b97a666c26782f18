import VetCore
import VetStore

/// Fields of a form that hold one of a few values: ← → or Space cycle through them, and typing a
/// letter picks the first value that starts with it (`r` → RUC, `s` → Sí).
struct Choices: Sendable, Equatable {
    var options: [String: [String]]

    /// Handles `key` when the focused field is a choice; returns whether it was used.
    func handle(_ key: Key, form: inout Form) -> Bool {
        guard form.fields.indices.contains(form.focus) else { return false }
        let id = form.fields[form.focus].id
        guard let values = options[id], !values.isEmpty else { return false }
        let current = values.firstIndex(of: form[id]) ?? 0
        switch key {
        case .right, .char(" "):
            form[id] = values[(current + 1) % values.count]
        case .left:
            form[id] = values[(current + values.count - 1) % values.count]
        case .char(let c):
            let folded = Ubigeo.fold(String(c))
            guard let match = values.first(where: { Ubigeo.fold($0).hasPrefix(folded) }) else { return true }
            form[id] = match
        case .backspace, .delete, .ctrl("u"):
            return true
        default:
            return false
        }
        form.setError(id, nil)
        return true
    }
}

let yesNo = ["No", "Sí"]
