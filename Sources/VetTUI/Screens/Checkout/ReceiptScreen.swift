import VetCore
import VetStore

/// A sale's receipt as it prints (the same lines, at the printer's columns), sent to this
/// terminal's printer when it opens after a payment (`autoPrint`) and again with I. Enter or Esc
/// goes back to the till.
public struct ReceiptScreen: KeyBound {
    struct Loaded { let receipt: Receipt; let lines: [ReceiptLine]; let printer: String? }

    let session: Session
    let saleID: String
    let autoPrint: Bool
    let reprint: Bool
    /// The change of the payment that closed the sale, shown large.
    let lastChange: Int64?
    var load: LoadState<Loaded>
    var scroll = 0
    var printed: String?
    var message: String?

    public init(session: Session, saleID: String, autoPrint: Bool, reprint: Bool = false, lastChange: Int64? = nil) {
        self.session = session
        self.saleID = saleID
        self.autoPrint = autoPrint
        self.reprint = reprint
        self.lastChange = lastChange
        load = LoadState { services in
            guard let receipt = try services.store.receipt(saleID: saleID, reprint: reprint) else { throw StoreError.notFound("La venta no existe") }
            let configuration = services.till.printer.flatMap { try? PrinterConfiguration.parse($0) }
            let columns = configuration?.columns ?? ReceiptColumns(rawValue: services.till.columns) ?? .wide
            var lines = ReceiptLayout(columns: columns).lines(for: receipt)
            if autoPrint, let text = services.till.printer {
                let configuration = try Self.configuration(text)
                lines = ReceiptPrinter(configuration: configuration).lines(for: receipt)
                do throws(PrinterError) { try ReceiptPrinter(configuration: configuration).print(receipt) } catch {
                    return Loaded(receipt: receipt, lines: lines, printer: "No se imprimió: \(error.message)")
                }
                return Loaded(receipt: receipt, lines: lines, printer: "Impreso en \(configuration.target)")
            }
            return Loaded(receipt: receipt, lines: lines, printer: nil)
        }
    }

    static func configuration(_ text: String) throws -> PrinterConfiguration {
        do throws(PrinterError) { return try PrinterConfiguration.parse(text) } catch { throw StoreError.invalid(error.message) }
    }

    public var title: String { "Comprobante · " + (load.value?.receipt.saleNumber ?? "venta") }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<ReceiptScreen>] {
        [
            .scroll(\.scroll),
            KeyBinding(letter: "i", label: "Imprimir", enabled: load.isLoaded) { s, _, _ in s.printAgain() },
            // The screen below reloads: the till no longer lists the owner just charged.
            KeyBinding([.enter, .escape], hint: "Enter", label: "Listo") { _, _, _ in .batch([.pop, .perform { _ in ReloadRequest() }]) },
            LoadState.retry(\.load, in: self),
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    struct Printed { let note: String }

    mutating func printAgain() -> Command {
        let saleID = saleID
        return .perform { services in
            guard let text = services.till.printer else {
                throw StoreError.invalid("Esta terminal no tiene impresora: configure VETDESK_PRINTER (file:, device: o tcp:host:9100)")
            }
            let configuration = try Self.configuration(text)
            guard let receipt = try services.store.receipt(saleID: saleID, reprint: true) else { throw StoreError.notFound("La venta no existe") }
            do throws(PrinterError) { try ReceiptPrinter(configuration: configuration).print(receipt) } catch { throw StoreError.invalid(error.message) }
            return Printed(note: "Reimpreso en \(configuration.target)")
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let loaded) = received, let note = loaded.printer {
                printed = note
                return .toast(note, note.hasPrefix("No se") ? .error : .ok)
            }
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(let done as Printed):
            printed = done.note
            return .toast(done.note, .ok)
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        guard let loaded = load.value else {
            _ = load.renderPlaceholder(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
            return
        }
        let width = (loaded.lines.map { CellWidth.of($0.text) }.max() ?? 42) + 4
        let x = area.x + max(1, (area.width - width) / 2)
        let visible = area.height - 3
        let top = min(scroll, max(0, loaded.lines.count - visible))
        canvas.box(x: x - 2, y: area.y, width: min(width, area.width - 2), height: min(visible + 2, loaded.lines.count + 2), style: .normal)
        for (i, line) in loaded.lines.dropFirst(top).prefix(visible).enumerated() {
            canvas.put(line.text, x: x, y: area.y + 1 + i, style: line.emphasis == .normal ? .normal : .title, maxWidth: width - 4)
        }
        if let change = lastChange, change > 0 {
            canvas.put("VUELTO \(Money(centimos: change).formatted)", x: area.x + 2, y: area.y + 1, style: .title)
        }
        if let printed { canvas.put(printed, x: area.x + 2, y: area.y + area.height - 2, style: printed.hasPrefix("No se") ? .error : .ok, maxWidth: area.width - 4) }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
    }
}
