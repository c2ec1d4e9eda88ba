import ArgumentParser
import Kvalitet
import KvalitetStore

/// `--lang nb|en`; `no`, `nob` and `norsk` mean bokmål too, `eng` English.
extension Language: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "nb", "no", "nob", "norsk", "bokmål", "bokmal": self = .nb
        case "en", "eng", "english": self = .en
        default: return nil
        }
    }
}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score responses per municipality, service, unit and sub-project.",
        discussion: """
            Examples:
              kvalitet score --register register.yaml data/
              kvalitet score --format csv --output scores.csv --rejects avvik.csv data/
              kvalitet score --breakdown trinn --lang en sfo.csv

            Exit codes: 0 done, 1 usage error, 2 input refused, 3 problems found under --strict.
            """)

    @OptionGroup var common: InputOptions
    @OptionGroup(title: "Limits and safety") var limits: LimitOptions
    @OptionGroup(title: "Results store") var store: StoreOptions
    @Option(help: "A register of units and sub-projects (YAML).")
    var register: [String] = []
    @Option(help: "Split municipality rows by this background variable.")
    var breakdown: String?
    @Option(name: .customLong("min-n"), help: "Suppression threshold for every set (default: each set's min_n).")
    var minN: Int?
    @Option(help: "Write one CSV line per problem to this file.")
    var rejects: String?
    @Flag(help: "Stop at the first problem (exit code 3).")
    var strict = false

    func run() throws {
        var job = ScoreJob()
        limits.configure(&job)
        common.configure(&job)
        job.registerFiles = register
        job.breakdown = breakdown
        job.minN = minN
        job.rejects = rejects
        job.strict = strict
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
