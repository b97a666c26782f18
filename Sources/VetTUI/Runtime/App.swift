import Foundation
import VetStore

/// Runs the TUI on a terminal until the user leaves; returns the process exit code.
public enum App {
    public static func run(store: SedeStore, theme: Theme, idleMinutes: Int, idleSecondsOverride: Int? = nil) throws -> Int32 {
        let model = try AppModel(services: AppServices(store: store), idleSeconds: idleSecondsOverride ?? idleMinutes * 60)
        let runtime = Runtime(model: model, clock: store.clock)
        let terminal = try Terminal(theme: theme)
        defer { terminal.restore() }
        // Without a watcher (the file cannot be watched) other terminals' changes are not pushed in.
        let watcher = try? DataVersionWatcher(path: store.path)
        let code = runtime.run(on: terminal, terminationSignal: { Terminal.terminationSignal },
                               dataChanged: { watcher?.changed() == true })
        terminal.restore()
        if let note = runtime.model.exitNote { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        return code
    }
}
