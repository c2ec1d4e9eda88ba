import ArgumentParser
import Foundation
import Kvalitet

/// The tool's version (`kvalitet --version`): bumped with each release of the formats it writes.
let kvalitetVersion = "0.7.0"

@main
struct KvalitetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvalitet",
        abstract: "Scores user and employee surveys against indicator sets (bedrekommune style).",
        discussion:
            "Exit codes: 0 done, 1 usage error, 2 input refused or output not writable, 3 problems found under --strict, 130 interrupted.",
        version: kvalitetVersion,
        subcommands: [
            ScoreCommand.self, ValidateCommand.self, AbsenceCommand.self, SPCCommand.self, ReportCommand.self, AuditCommand.self,
            ImportCommand.self,
            HistoryCommand.self,
            GenerateCommand.self, SetsCommand.self,
        ])

    /// Like ArgumentParser's own `main`, but a usage error exits with 1 (FORMAT.md §7), not 64.
    static func main() {
        Interruption.installSignalHandlers()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            printError(fullMessage(for: error))
            Foundation.exit(code == .validationFailure ? 1 : code.rawValue)
        }
    }
}
