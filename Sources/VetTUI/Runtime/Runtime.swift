import Foundation
import VetCore
import VetStore

/// What the runtime needs from a terminal: its size, drawing a frame, and reading a key.
protocol TerminalDevice: AnyObject {
    var width: Int { get }
    var height: Int { get }
    func draw(_ canvas: Canvas)
    /// Waits up to `timeoutMs` for a key; keys typed ahead stay queued until read.
    func read(timeoutMs: Int32) -> Terminal.Input
}

extension Terminal: TerminalDevice {}

/// Outcomes of jobs finished on the worker, waiting for the update loop. Thread-safe.
final class JobInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [JobOutcome] = []

    func post(_ outcome: JobOutcome) {
        lock.lock(); defer { lock.unlock() }
        outcomes.append(outcome)
    }

    func takeAll() -> [JobOutcome] {
        lock.lock(); defer { lock.unlock() }
        defer { outcomes = [] }
        return outcomes
    }
}

/// The update loop: one thread owns the model and the terminal; jobs run on one serial worker,
/// in the order they were asked for, and their outcomes come back as events.
///
/// Each turn draws a frame, reads a key (or times out into a tick, and a data-change check), then
/// applies events in the order they arrived: job outcomes at once; keys in the order typed, except
/// that keys wait while the model `isWaiting` on a screen's `.perform` — they are applied after
/// its outcome, never dropped. Frames keep being drawn while a job runs, with a spinner.
final class Runtime {
    private(set) var model: AppModel
    private let clock: any WallClock
    private let worker = DispatchQueue(label: "vetdesk.jobs")
    private let inbox = JobInbox()
    /// Keys read and not yet applied, oldest first.
    private var keys: [Key] = []
    private var terminating = false

    init(model: AppModel, clock: any WallClock) {
        var model = model
        model.runsJobsInline = false
        self.model = model
        self.clock = clock
    }

    /// Runs until the model has an exit code. `terminationSignal` is polled each turn (non-zero: end
    /// as on that signal); `dataChanged` says whether another connection committed since last asked.
    func run(on device: TerminalDevice, terminationSignal: () -> Int32, dataChanged: () -> Bool) -> Int32 {
        dispatchJobs()
        while model.exitCode == nil {
            let signal = terminationSignal()
            if signal != 0 && !terminating {
                terminating = true
                keys = []
                model.terminate(signal: signal)
                dispatchJobs()
            }
            draw(on: device)
            // While a job runs the loop turns faster, so its outcome is applied soon and the
            // spinner moves.
            let waiting = model.isWaiting || terminating
            switch device.read(timeoutMs: waiting ? 50 : 250) {
            case .key(let key):
                if !terminating { keys.append(key) }
            case .resize:
                break
            case .timeout:
                if dataChanged() { model.update(.dataChanged, now: clock.now) }
                model.update(.tick, now: clock.now)
                dispatchJobs()
            }
            applyArrived()
        }
        // The exit job was the last asked for; nothing else is left to wait for.
        return model.exitCode ?? 0
    }

    /// Applies finished jobs' outcomes, then the keys that no longer wait.
    private func applyArrived() {
        for outcome in inbox.takeAll() {
            model.complete(outcome, now: clock.now)
            dispatchJobs()
        }
        while !model.isWaiting, model.exitCode == nil, !keys.isEmpty {
            model.update(.key(keys.removeFirst()), now: clock.now)
            dispatchJobs()
        }
    }

    private func draw(on device: TerminalDevice) {
        var canvas = Canvas(width: device.width, height: device.height)
        model.render(into: &canvas)
        device.draw(canvas)
    }

    private func dispatchJobs() {
        let services = model.services
        for job in model.takeJobs() {
            worker.async { [inbox] in inbox.post(job.run(services)) }
        }
    }
}
