import ArgumentParser
import Foundation
import Kvalitet
import KvalitetStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report: dimensions, answers per item, units, sub-project goals.",
        discussion: """
            Scores the responses as `score` does (same suppression) and writes one HTML file with inline \
            charts, readable on a phone and printable to A4. Exit codes: 0 done, 1 usage error, 2 input \
            refused, 3 problems found under --strict.

            Example: kvalitet report --register register.yaml --reference landssnitt.csv --output rapport.html data/
            """)

    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set of files that name none.")
    var set: String?
    @Option(help: "A register of units and sub-projects (YAML): names, response rates, goals.")
    var register: [String] = []
    @Option(help: "A scores CSV of another run to compare with (its pooled rows), e.g. a national average.")
    var reference: String?
    @Option(name: .customLong("reference-label"), help: "What to call the reference (default: its file name).")
    var referenceLabel: String?
    @Option(name: .customLong("min-n"), help: "Suppression threshold for every set (default: each set's min_n).")
    var minN: Int?
    @Option(help: "Sick-leave files or folders (FORMAT.md §8): adds a sick-leave section per municipality.")
    var absence: [String] = []
    @Option(help: "With --absence: cost parameters (YAML, the KS model).")
    var costs: String?
    @Option(name: .customLong("min-employees"), help: "With --absence: groups with fewer employees are suppressed.")
    var minEmployees = 5
    @Option(help: "The HTML file to write.")
    var output: String
    @Option(help: "Write one CSV line per problem to this file.")
    var rejects: String?
    @Flag(help: "Stop at the first problem (exit code 3).")
    var strict = false
    @Option(help: "Language of the report: nb or en.")
    var lang: Language = .nb
    @OptionGroup(title: "Limits and safety") var limits: LimitOptions
    @OptionGroup(title: "Results store") var store: StoreOptions
    @Flag(name: [.short, .long], help: "No progress bar on a terminal (the closing summary is still written).")
    var quiet = false
    @Argument(help: "Response files, or folders of *.csv and *.xml files.")
    var inputs: [String] = []

    func run() throws {
        var job = ReportJob()
        limits.configure(&job)
        job.setDirectories = setDirectories
        job.defaultSet = set
        job.registerFiles = register
        job.reference = reference
        job.referenceLabel = referenceLabel
        job.absenceInputs = absence
        job.costsFile = costs
        job.minEmployees = minEmployees
        job.minN = minN
        job.output = output
        job.rejects = rejects
        job.strict = strict
        job.language = lang
        job.inputs = inputs
        job.parts = threadsFromEnvironment ?? job.parts
        do {
            let selection = try store.attach(to: &job)
            defer { selection?.finish() }
            try withProgressBar(quiet: quiet, language: lang) { (progress, standardError) throws(KvalitetError) in
                job.progress = progress
                try job.run(standardError: standardError)
            }
        } catch {
            fail(with: error, language: lang)
        }
    }
}
