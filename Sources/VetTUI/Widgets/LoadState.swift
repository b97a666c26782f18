import VetStore

/// Where a screen's data stands: not asked for yet, loading, loaded, or failed with the Spanish
/// message. It starts loads as `.perform` commands, takes their outcome back from the screen's
/// events, and draws «Cargando…» or the error in place of the data; `retry` is the `R Reintentar` key.
/// A reload keeps the data loaded before on screen until the new data arrives.
public struct LoadState<Value> {
    public enum Phase { case idle, loading, loaded, failed(String) }

    public private(set) var phase: Phase = .idle
    /// The last data loaded, kept while a reload runs or after it fails.
    public private(set) var value: Value?
    /// Identifies this load's outcomes among the screen's messages.
    private var generation = 0
    private var work: (AppServices) throws -> Value

    /// A load that runs `work` each time it is started.
    public init(_ work: @escaping (AppServices) throws -> Value) {
        self.work = work
    }

    struct Outcome { let generation: Int; let result: Result<Value, LoadFailure> }
    struct LoadFailure: Error { let message: String }

    public var isLoaded: Bool { value != nil }
    public var failure: String? { if case .failed(let message) = phase { message } else { nil } }
    /// A reload's failure while the data loaded before stays on screen; the screen shows it on its
    /// message line (without data, `renderPlaceholder` shows it in place of the data).
    public var reloadFailure: String? { value == nil ? nil : failure }

    /// Starts (or restarts) the load; the outcome comes back as a message for `receive`, and an
    /// outcome of a load started before is then ignored.
    public mutating func start() -> Command {
        generation += 1
        phase = .loading
        return firstLoad()
    }

    /// Takes data the screen already has (a write that answered with it): loaded, and any load
    /// started before is ignored when it answers.
    public mutating func set(_ loaded: Value) {
        generation += 1
        value = loaded
        phase = .loaded
    }

    /// Loads other data from now on (another week, another day) and starts loading it.
    public mutating func start(_ newWork: @escaping (AppServices) throws -> Value) -> Command {
        work = newWork
        return start()
    }

    /// The first load, from `onAppear` (which cannot change the screen): «Cargando…» shows until
    /// its outcome arrives.
    public func firstLoad() -> Command {
        let generation = generation, work = work
        return .perform { services in
            do {
                return Outcome(generation: generation, result: .success(try work(services)))
            } catch {
                return Outcome(generation: generation, result: .failure(LoadFailure(message: Job.describe(error, services))))
            }
        }
    }

    /// What an event meant for this load.
    public enum Received {
        /// The data arrived (also kept in `value`).
        case loaded(Value)
        /// The load failed; the message is shown in place of the data and `R` retries.
        case failed(String)
        /// The outcome of a load started before the current one: ignored.
        case stale
    }

    /// Takes `event` if it is an outcome of this load; nil when it is not.
    public mutating func receive(_ event: Event) -> Received? {
        guard case .message(let outcome as Outcome) = event else { return nil }
        guard outcome.generation == generation else { return .stale }
        switch outcome.result {
        case .success(let loaded):
            value = loaded
            phase = .loaded
            return .loaded(loaded)
        case .failure(let failure):
            phase = .failed(failure.message)
            return .failed(failure.message)
        }
    }

    /// `R Reintentar`, enabled while the last load failed; for the screen's key table.
    public static func retry<S>(_ load: WritableKeyPath<S, LoadState<Value>>, in screen: S) -> KeyBinding<S> {
        var failed = false
        if case .failed = screen[keyPath: load].phase { failed = true }
        return KeyBinding(letter: "r", label: "Reintentar", enabled: failed) { s, _, _ in s[keyPath: load].start() }
    }

    /// While nothing is loaded: «Cargando…», or the error and how to retry. Returns whether it drew.
    @discardableResult
    public func renderPlaceholder(into canvas: inout Canvas, x: Int, y: Int, width: Int) -> Bool {
        switch phase {
        case .failed(let message):
            guard value == nil else { return false }
            canvas.put(message, x: x, y: y, style: .error, maxWidth: width)
            return true
        case .idle, .loading:
            guard value == nil else { return false }
            canvas.put("Cargando…", x: x, y: y, style: .hint, maxWidth: width)
            return true
        case .loaded:
            return false
        }
    }
}
