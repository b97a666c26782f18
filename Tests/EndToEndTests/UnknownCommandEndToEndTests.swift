import Foundation
import Testing
import VetTestSupport

/// Issue 10, minor item: a misspelt subcommand says so instead of opening the screen.
@Suite struct UnknownCommandEndToEndTests {
    @Test func anUnknownOrMisspeltCommandIsRefusedWithTheList() throws {
        for args in [["nosuch"], ["nosuch", "--help"], ["dmeo", "--db", "/tmp/x.db"]] {
            let run = try runProcess(Binaries.vetdesk, args)
            #expect(run.status == 64, "\(args): \(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains("no existe el comando «\(args[0])»") && run.stderr.contains("demo"), "\(args): \(run.stderr)")
        }
        // Real commands still answer, with their own usage.
        let help = try runProcess(Binaries.vetdesk, ["demo", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: vetdesk demo"), "\(help.stdout)")
    }
}
