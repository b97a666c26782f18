/// The roles a theme gives colours to. Screens choose roles, never colours.
public enum StyleRole: String, CaseIterable, Sendable {
    case normal, title, header, selection, field, fieldFocus, label, hint, key
    case warning, error, ok, alert, status, statusLinkUp, statusLinkDown, modal, dim
    /// Appointment types in the agenda (`appointment_types.color` names one).
    case agendaConsulta, agendaVacunacion, agendaControl, agendaCirugia, agendaGrooming, agendaEmergencia
}

public enum TermColor: String, Sendable, CaseIterable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white

    /// ncurses colour number; -1 is the terminal's own.
    public var number: Int16 {
        switch self {
        case .default: -1
        case .black: 0
        case .red: 1
        case .green: 2
        case .yellow: 3
        case .blue: 4
        case .magenta: 5
        case .cyan: 6
        case .white: 7
        }
    }
}

public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = TextAttributes(rawValue: 1)
    public static let reverse = TextAttributes(rawValue: 2)
    public static let underline = TextAttributes(rawValue: 4)
    public static let dim = TextAttributes(rawValue: 8)
}

public struct StyleSpec: Hashable, Sendable {
    public var foreground: TermColor
    public var background: TermColor
    public var attributes: TextAttributes
    public init(_ foreground: TermColor = .default, _ background: TermColor = .default, _ attributes: TextAttributes = []) {
        self.foreground = foreground; self.background = background; self.attributes = attributes
    }
}
