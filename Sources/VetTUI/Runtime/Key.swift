/// A key press as screens see it, independent of ncurses.
public enum Key: Hashable, Sendable {
    case char(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
    case ctrl(Character)

    /// The letter of a shortcut, case-insensitively.
    public func isLetter(_ letter: Character) -> Bool {
        if case .char(let c) = self { return c.lowercased() == letter.lowercased() }
        return false
    }
}

/// What a screen receives.
public enum Event {
    case key(Key)
    /// Time passed (about four times a second while idle).
    case tick
    /// Another terminal committed a change to the sede's database.
    case dataChanged
    /// The outcome of a command's work, as the screen's own message type.
    case message(Any)
}
