/// One key of a screen, as in a table: what triggers it, the hint shown for it on the bottom line,
/// whether it is possible now, and what it does. A screen lists its keys once (`KeyBound`); the
/// hints line is drawn from the enabled ones and keys are dispatched through the same list, so a
/// hint is shown exactly when its key acts.
public struct KeyBinding<S> {
    /// Whether `key` triggers this binding.
    let matches: (Key) -> Bool
    /// The key as the hints line names it (`Enter`, `↑↓`, `D`); nil for keys handled and not shown.
    public let hint: String?
    public let label: String
    public let enabled: Bool
    /// What the key does while disabled: usually nothing (nil, the key goes on to the screen's
    /// other handling), or a toast that says why not.
    let refusal: Command?
    let action: (inout S, Key, ScreenContext) -> Command

    public init(_ keys: [Key], hint: String?, label: String, enabled: Bool = true, refusal: Command? = nil,
                action: @escaping (inout S, Key, ScreenContext) -> Command) {
        self.matches = { keys.contains($0) }
        self.hint = hint
        self.label = label
        self.enabled = enabled
        self.refusal = refusal
        self.action = action
    }

    /// ↑↓ PgUp PgDn scroll a text a line or ten at a time (never above its first line).
    public static func scroll(_ offset: WritableKeyPath<S, Int>) -> KeyBinding {
        KeyBinding([.up, .down, .pageUp, .pageDown], hint: "↑↓", label: "Desplazar") { s, key, _ in
            switch key {
            case .up: s[keyPath: offset] = max(0, s[keyPath: offset] - 1)
            case .down: s[keyPath: offset] += 1
            case .pageUp: s[keyPath: offset] = max(0, s[keyPath: offset] - 10)
            default: s[keyPath: offset] += 10
            }
            return .none
        }
    }

    /// The same key, handled but left off the hints line (a second key for a shown action).
    public func unlisted() -> KeyBinding {
        KeyBinding(matches: matches, hint: nil, label: label, enabled: enabled, refusal: refusal, action: action)
    }

    private init(matches: @escaping (Key) -> Bool, hint: String?, label: String, enabled: Bool, refusal: Command?,
                 action: @escaping (inout S, Key, ScreenContext) -> Command) {
        self.matches = matches
        self.hint = hint
        self.label = label
        self.enabled = enabled
        self.refusal = refusal
        self.action = action
    }

    /// A letter shortcut, either case; its hint is the capital letter.
    public init(letter: Character, label: String, enabled: Bool = true, refusal: Command? = nil,
                action: @escaping (inout S, Key, ScreenContext) -> Command) {
        self.matches = { $0.isLetter(letter) }
        self.hint = letter.uppercased()
        self.label = label
        self.enabled = enabled
        self.refusal = refusal
        self.action = action
    }
}

/// A screen whose keys are a `KeyBinding` table.
public protocol KeyBound: Screen {
    /// The screen's keys in its current state, in the order the hints line shows them.
    func bindings(_ context: ScreenContext) -> [KeyBinding<Self>]
}

extension KeyBound {
    public func hints(in context: ScreenContext) -> [(key: String, label: String)] {
        bindings(context).compactMap { binding in
            guard binding.enabled, let hint = binding.hint else { return nil }
            return (hint, binding.label)
        }
    }

    /// Runs the first binding `key` triggers: its action when enabled, else its refusal. Nil when
    /// no binding takes the key (or a disabled one has no refusal).
    public mutating func dispatch(_ key: Key, _ context: ScreenContext) -> Command? {
        guard let binding = bindings(context).first(where: { $0.matches(key) }) else { return nil }
        guard binding.enabled else { return binding.refusal }
        return binding.action(&self, key, context)
    }
}
