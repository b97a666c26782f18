/// A centred dialog with a message and a yes/no choice; destructive actions ask through it.
public struct Modal: Sendable, Equatable {
    public var title: String
    public var message: [String]
    public var confirmLabel: String
    public var cancelLabel: String
    public var choice: Bool = false

    public init(title: String, message: [String], confirmLabel: String = "Sí", cancelLabel: String = "No") {
        self.title = title; self.message = message; self.confirmLabel = confirmLabel; self.cancelLabel = cancelLabel
    }

    public enum Outcome: Equatable { case pending, confirmed, cancelled }

    public mutating func update(_ key: Key) -> Outcome {
        switch key {
        case .left, .right, .tab: choice.toggle(); return .pending
        case .enter: return choice ? .confirmed : .cancelled
        case .escape: return .cancelled
        case .char(let c) where c.lowercased() == "s": return .confirmed
        case .char(let c) where c.lowercased() == "n": return .cancelled
        default: return .pending
        }
    }

    public func render(into canvas: inout Canvas, area: Rect) {
        let inner = max(CellWidth.of(title) + 4, message.map(CellWidth.of).max() ?? 0, 24)
        let w = min(area.width - 2, inner + 4)
        let h = message.count + 4
        let x = area.x + (area.width - w) / 2
        let y = area.y + max(0, (area.height - h) / 2)
        canvas.fill(x: x, y: y, width: w, height: h, style: .modal)
        canvas.box(x: x, y: y, width: w, height: h, title: title, style: .modal)
        for (i, line) in message.enumerated() { canvas.put(line, x: x + 2, y: y + 1 + i, style: .modal, maxWidth: w - 4) }
        let yes = " " + confirmLabel + " ", no = " " + cancelLabel + " "
        let by = y + h - 2
        let bx = x + w - CellWidth.of(yes) - CellWidth.of(no) - 4
        canvas.put(yes, x: bx, y: by, style: choice ? .selection : .normal)
        canvas.put(no, x: bx + CellWidth.of(yes) + 2, y: by, style: choice ? .normal : .selection)
    }
}

extension Optional where Wrapped == Modal {
    /// Hands `key` to the open dialog: nil when none is open; else what it decided, `.pending`
    /// while it stays open. A decided dialog closes.
    mutating func decide(_ key: Key) -> Modal.Outcome? {
        guard var modal = self else { return nil }
        let outcome = modal.update(key)
        self = outcome == .pending ? modal : nil
        return outcome
    }
}
