import VetCore

/// Asks the screen below (after a `.pop`) to load its data again.
struct ReloadRequest {}

/// Goes back to the previous screen, which reloads, and shows `message`.
func popAndReload(_ message: String) -> Command {
    .batch([.pop, .toast(message, .ok), .perform { _ in ReloadRequest() }])
}
