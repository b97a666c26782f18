import VetCore
import VetStore

/// A rectangle of the canvas given to a screen.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
}

/// A screen is state plus `update` and a pure `render` (DESIGN.md §6). It never touches ncurses or
/// SQLite: work it needs done is a `Command`, and the outcome comes back as `Event.message`.
public protocol Screen {
    /// Shown in the title bar.
    var title: String { get }
    /// Shortcuts for the bottom line in the current state, as (key, action) pairs. A `KeyBound`
    /// screen draws them from its key table.
    func hints(in context: ScreenContext) -> [(key: String, label: String)]
    /// Whether the session lock and global navigation keys stay out of this screen (login, lock).
    var isGate: Bool { get }
    /// The catalog entry this screen is (its F-key then does not open it a second time).
    var catalogID: String? { get }
    /// Work to start when the screen is shown (typically loading its data).
    func onAppear() -> Command
    mutating func update(_ event: Event, _ context: ScreenContext) -> Command
    func render(into canvas: inout Canvas, area: Rect, context: ScreenContext)
}

extension Screen {
    public var isGate: Bool { false }
    public var catalogID: String? { nil }
    public func onAppear() -> Command { .none }
}

/// What a screen may read while updating or rendering.
public struct ScreenContext {
    public var session: Session?
    public var sede: Sede
    public var isDemo: Bool
    public var now: Date
}

public enum ToastKind: Sendable { case info, ok, warning, error }

/// What a screen asks the runtime to do.
public indirect enum Command {
    case none
    /// The screen did not use the event; the app applies its default (Esc goes back).
    case ignored
    case push(any Screen)
    case pop
    case replace(any Screen)
    case toast(String, ToastKind)
    /// Runs `work` with the app's services, off the update loop, and hands its result back to this
    /// screen as `Event.message`. Keys typed meanwhile wait and are applied, in order, after it.
    case perform((AppServices) throws -> Any)
    /// As `perform`, but keys keep going to the screens while the work runs (a refresh the user is
    /// not waiting for).
    case background((AppServices) throws -> Any)
    case signIn(Session)
    case signOut
    case quit(Int32)
    case batch([Command])
}

/// The services commands run with.
public struct AppServices: Sendable {
    public var store: SedeStore
    public var auth: Authenticator
    /// This terminal's drawer and receipt printer.
    public var till: TillConfig
    public init(store: SedeStore, till: TillConfig = .fromEnvironment()) {
        self.store = store
        self.auth = Authenticator(store: store)
        self.till = till
    }
}

/// A failed `perform`: the error's Spanish message, delivered as the screen's message.
public struct PerformFailure {
    public var message: String
    /// The store's stable code (`StoreError.Code`), when the error was the store's.
    public var code: String?
    public init(message: String, code: String? = nil) { self.message = message; self.code = code }
}

/// The outcome of an audit write that succeeded.
struct AuditRecorded {}

import Foundation
