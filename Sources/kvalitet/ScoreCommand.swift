import ArgumentParser
import Kvalitet

extension Language: ExpressibleByArgument {}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score responses per municipality, service, unit and sub-project.",
        discussion: "Exit codes: 0 done, 1 usage error, 2 input refused, 3 problems found under --strict.")

    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set of files that name none.")
    var set: String?
    @Option(help: "A register of units and sub-projects (YAML).")
    var register: [String] = []
    @Option(help: "Split municipality rows by this background variable.")
    var breakdown: String?
    @Option(name: .customLong("min-n"), help: "Suppression threshold for every set (default: each set's min_n).")
    var minN: Int?
    @Option(help: "table, csv or json.")
    var format = "table"
    @Option(help: "Write the scores to this file (default: standard output).")
    var output: String?
    @Option(help: "Write one CSV line per problem to this file.")
    var rejects: String?
    @Flag(help: "Stop at the first problem (exit code 3).")
    var strict = false
    @Option(help: "Language of labels: nb or en.")
    var lang: Language = .nb
    @Argument(help: "Response files, or folders of *.csv and *.xml files.")
    var inputs: [String] = []

    func run() throws {
        var job = ScoreJob()
        job.setDirectories = setDirectories
        job.defaultSet = set
        job.registerFiles = register
        job.breakdown = breakdown
        job.minN = minN
        job.format = format
        job.output = output
        job.rejects = rejects
        job.strict = strict
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
