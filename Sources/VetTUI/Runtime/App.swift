import Foundation
import VetStore

/// Runs the TUI on a terminal until the user leaves; returns the process exit code.
public enum App {
    public static func run(store: SedeStore, theme: Theme, idleMinutes: Int, idleSecondsOverride: Int? = nil) throws -> Int32 {
        var model = try AppModel(services: AppServices(store: store), idleSeconds: idleSecondsOverride ?? idleMinutes * 60)
        let terminal = try Terminal(theme: theme)
        defer { terminal.restore() }
        var watcher = try? DataVersionWatcher(path: store.path)
        while model.exitCode == nil {
            if Terminal.terminationSignal != 0 {
                model.terminate(signal: Terminal.terminationSignal)
                break
            }
            var canvas = Canvas(width: terminal.width, height: terminal.height)
            model.render(into: &canvas)
            terminal.draw(canvas)
            switch terminal.read(timeoutMs: 250) {
            case .key(let key):
                if Terminal.terminationSignal != 0 { continue }
                model.handle(.key(key))
            case .resize:
                break
            case .timeout:
                if watcher?.changed() == true { model.handle(.dataChanged) }
                model.handle(.tick)
            }
        }
        if watcher != nil { watcher = nil }
        return model.exitCode ?? 0
    }
}
