/// A state or kind stored and sent as its text, with an explicit `.unknown(text)` for a value this
/// version does not know (written by a newer sede). Reading such a text never fails and never gives
/// a real state; writing it back keeps the text unchanged.
///
/// A conforming enum lists its known cases in `allCases`, spells each one in `rawValue`, and has a
/// `case unknown(String)`; parsing and the plain-text Codable form come from here.
public protocol TextEnum: RawRepresentable, CaseIterable, Codable, Hashable, Sendable
where RawValue == String, AllCases == [Self] {
    /// The value for a text this version does not know.
    static func unknown(_ text: String) -> Self
}

extension TextEnum {
    /// The known case spelled `text`, or `.unknown(text)`.
    public static func parse(_ text: String) -> Self {
        allCases.first { $0.rawValue == text } ?? unknown(text)
    }

    public init(rawValue: String) {
        self = Self.parse(rawValue)
    }

    public init(from decoder: any Decoder) throws {
        self = Self.parse(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Whether this is one of the states this version knows.
    public var isKnown: Bool { Self.allCases.contains(self) }
}
