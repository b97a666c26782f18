import VetCore
import VetStore

/// Work a command asked for, taken out of the model by whoever runs it: the runtime's worker
/// thread, or the model itself when it is driven without a runtime (`AppModel.handle`). Its outcome
/// goes back to the model with `AppModel.complete(_:now:)`.
public struct Job: @unchecked Sendable {
    /// Who receives the outcome.
    enum Target {
        /// The screen with this identity, if it is still on the stack.
        case screen(Int)
        /// The app itself (link status, audit rows, the sign-in and exit sequences).
        case app(AppStep)
    }

    public let id: Int
    let target: Target
    /// Whether keys wait for this job's outcome (a screen's `.perform`): see `AppModel.isWaiting`.
    public let holdsKeys: Bool
    let work: (AppServices) throws -> Any

    /// Runs the work; a thrown error becomes a `PerformFailure` with its Spanish message. Safe on
    /// any thread: the store is a GRDB pool, and work only captures values.
    public func run(_ services: AppServices) -> JobOutcome {
        let result: Any
        do {
            result = try work(services)
        } catch {
            result = PerformFailure(message: Job.describe(error, services),
                                    code: StoreError.describing(error, path: services.store.path)?.code.rawValue)
        }
        return JobOutcome(job: self, result: result)
    }

    /// Store and database errors become the Spanish message of `StoreError`.
    static func describe(_ error: any Error, _ services: AppServices) -> String {
        StoreError.describing(error, path: services.store.path)?.message ?? "Error inesperado: \(error)"
    }
}

/// What a job produced, to be handed back to the model as an event.
public struct JobOutcome: @unchecked Sendable {
    public let job: Job
    public let result: Any
}

/// What the app does with the outcome of its own jobs.
enum AppStep {
    /// The outcome is a `LinkStatus` for the status bar.
    case link
    /// Open the recovery screen when the signed-in user has kept work.
    case recoveries(Session)
    /// An audit write (and the typed work kept with it); a failure is shown as a toast.
    case audit(what: String)
    /// The program ends with this code once typed work is kept and the exit recorded.
    case exit(Int32)
}

