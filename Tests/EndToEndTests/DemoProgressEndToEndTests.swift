import Foundation
import Testing
import VetTestSupport

/// Issue 10, minor item: `vetdesk demo --progress` prints whole lines, as a log or a pipe reads them.
@Suite struct DemoProgressEndToEndTests {
    @Test(.timeLimit(.minutes(3))) func demoProgressPrintsLineByLine() throws {
        let dir = TempDir()
        let made = try runProcess(Binaries.vetdesk, ["demo", "--db", dir.file("sede.db"), "--pets", "2000", "--seed", "3", "--progress"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(!made.stderr.contains("\r"), "\(made.stderr.debugDescription)")
        let lines = made.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count >= 4 && lines.count <= 12, "\(lines)")
        #expect(lines.contains("2000 de 2000 mascotas (100 %)"), "\(lines)")
        #expect(lines.last == "Historias clínicas, vacunas, agenda de dos semanas y farmacia…", "\(lines)")
    }
}
