import ArgumentParser
import Kvalitet
import KvalitetStore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Pilot validation of indicator sets: reliability, item quality, unit differences.",
        discussion: """
            Examples:
              kvalitet validate pilot/
              kvalitet validate --sets mine/ --set nytt-skjema --format csv --output validering.csv pilot.csv

            Exit codes: 0 done, 1 usage error, 2 input refused.
            """)

    @OptionGroup var common: InputOptions
    @OptionGroup(title: "Limits and safety") var limits: LimitOptions
    @OptionGroup(title: "Results store") var store: StoreOptions

    func run() throws {
        var job = ValidateJob()
        limits.configure(&job)
        common.configure(&job)
        var out = StandardOutput()
        do {
            try refuseWorkbookOnTerminal(format: common.format, output: common.output)
            let selection = try store.attach(to: &job)
            defer { selection?.finish() }
            try withProgressBar(quiet: common.quiet, language: common.lang) { (progress, standardError) throws(KvalitetError) in
                job.progress = progress
                _ = try job.run(standardOutput: &out, standardError: standardError)
            }
        } catch {
            fail(with: error, language: common.lang)
        }
    }
}
