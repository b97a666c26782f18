import Foundation

/// Cold start: from spawning `vetdesk` on a 1,000,000-pet sede to the login screen drawn.
enum StartupBench {
    static let coldStart = Benchmark(name: "tui.cold_start") { context in
        []
    }
}
