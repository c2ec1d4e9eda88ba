import ArgumentParser
import Kvalitet

struct AbsenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "absence",
        abstract: "Sick leave per municipality, service, unit and sub-project: months, quarters, years, goals, costs.",
        discussion: """
            Reads absence files exported per unit and month (FORMAT.md §8). Groups with fewer \
            than --min-employees employees are never shown.

            Examples:
              kvalitet absence --register register.yaml fravaer.csv
              kvalitet absence --register register.yaml --costs kostnader.yaml fravaer.csv
              kvalitet absence --format csv --output fravaer-rater.csv --rejects avvik.csv fravaer/

            Exit codes: 0 done, 1 usage error, 2 input refused, 3 problems found under --strict.
            """)

    @Option(help: "A register of units and sub-projects (YAML): names, sub-projects, goals.")
    var register: [String] = []
    @Option(name: .customLong("min-employees"), help: "Groups with fewer employees are suppressed.")
    var minEmployees = 5
    @Option(help: "Cost parameters (YAML, the KS model): value of the lost days.")
    var costs: String?
    @Option(help: "table, csv, json or xlsx (an Excel workbook; needs --output).")
    var format = "table"
    @Option(help: "Write to this file (default: standard output).")
    var output: String?
    @Option(help: "Write one CSV line per problem to this file.")
    var rejects: String?
    @Flag(help: "Stop at the first problem (exit code 3).")
    var strict = false
    @Option(help: "Language of labels: nb or en.")
    var lang: Language = .nb
    @OptionGroup(title: "Limits and safety") var limits: LimitOptions
    @OptionGroup(title: "Results store") var store: StoreOptions
    @Argument(help: "Absence files (*.csv), or folders of them.")
    var inputs: [String] = []

    func run() throws {
        var job = AbsenceJob()
        job.inputs = inputs
        job.registerFiles = register
        job.minEmployees = minEmployees
        job.costsFile = costs
        job.format = format
        job.output = output
        job.rejects = rejects
        job.strict = strict
        job.language = lang
        job.parts = threadsFromEnvironment
        job.csv = limits.csv.style
        job.reader = AbsenceReader(
            maxFieldBytes: limits.maxFieldMiB << 20, maxRecordBytes: limits.maxRecordMiB << 20,
            maxColumns: limits.maxColumns)
        var out = StandardOutput()
        do {
            try refuseWorkbookOnTerminal(format: format, output: output)
            let selection = try store.attach(to: &job)
            defer { selection?.finish() }
            let result = try job.run(standardOutput: &out, standardError: printError)
            if format == "csv", let parameters = result.costs?.parameters {
                printError(
                    (lang == .nb ? "  kostnader beregnet med: " : "  costs computed with: ")
                        + parameters.map { "\($0.name) = \($0.value)" }.joined(separator: ", "))
            }
        } catch {
            fail(with: error, language: lang)
        }
    }
}
