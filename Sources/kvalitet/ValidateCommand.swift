import ArgumentParser
import Kvalitet

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Pilot validation of indicator sets: reliability, item quality, unit differences.",
        discussion: "Exit codes: 0 done, 1 usage error, 2 input refused.")

    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set of files that name none.")
    var set: String?
    @Option(help: "table, csv or json.")
    var format = "table"
    @Option(help: "Write to this file (default: standard output).")
    var output: String?
    @Option(help: "Language of labels: nb or en.")
    var lang: Language = .nb
    @Argument(help: "Response files, or folders of *.csv and *.xml files.")
    var inputs: [String] = []

    func run() throws {
        var job = ValidateJob()
        job.setDirectories = setDirectories
        job.defaultSet = set
        job.format = format
        job.output = output
        job.language = lang
        job.inputs = inputs
        var out = StandardOutput()
        do {
            _ = try job.run(standardOutput: &out, standardError: printError)
        } catch {
            fail(with: error)
        }
    }
}
