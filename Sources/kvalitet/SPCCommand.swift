import ArgumentParser
import Kvalitet

extension SPCChartKind: ExpressibleByArgument {}

struct SPCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spc",
        abstract: "Run charts and control charts (SPC) of any series in a CSV, with Anhøj's rules as qicharts2.",
        discussion: """
            Points are the rows in file order; rows with the same --x are added up. Charts: run \
            (median, Anhøj's rules), i and mr (measurements), c (counts), p and pp (shares: --y \
            of --n; pp is Laney's P′), u and up (rates: --y per --n; up is Laney's U′). See \
            FORMAT.md §9.

            Examples:
              kvalitet spc --chart run --x maaned --y fall fall.csv
              kvalitet spc --chart pp --x maaned --y fravaersdager --n dagsverk --multiply 100 --part 12 fravaer.csv
              kvalitet spc --chart u --x month --y n --n days --multiply 10000 --output cdi.html cdi.csv
              kvalitet spc --chart i --x uke --y tid --freeze 20 --format csv --summary sammendrag.csv tider.csv

            Exit codes: 0 done, 1 usage error, 2 input refused, 3 problems found under --strict.
            """)

    @Option(help: "run, i, mr, c, p, pp, u or up.")
    var chart: SPCChartKind = .run
    @Option(help: "The column of the points' labels (months, weeks, sample numbers).")
    var x: String
    @Option(help: "The column of the values (counts for c, p, pp, u and up).")
    var y: String
    @Option(help: "The column of the denominators (p, pp, u, up).")
    var n: String?
    @Option(help: "Centre line and limits from points 1…K only.")
    var freeze: Int?
    @Option(help: "A new part (phase) starts after each of these points: K[,K…].")
    var part: String?
    @Option(help: "Leave these points out of the centre line, limits and rules: I[,I…].")
    var exclude: String?
    @Flag(name: .customLong("no-screen-mr"), help: "Keep large moving ranges in σ (i, pp, up).")
    var noScreenMR = false
    @Option(help: "Multiply values, centre lines and limits (100 for per cent).")
    var multiply = 1.0
    @Option(help: "A heading for the chart (default: the file and the y column).")
    var title: String?
    @Option(help: "table, csv, json or html (default: html for an .html --output, else table).")
    var format: String?
    @Option(help: "Write to this file (default: standard output).")
    var output: String?
    @Option(help: "Write the summary CSV (one row per part) to this file.")
    var summary: String?
    @Option(help: "Write one CSV line per problem to this file.")
    var rejects: String?
    @Flag(help: "Stop at the first problem (exit code 3).")
    var strict = false
    @Option(help: "Language of labels: nb or en.")
    var lang: Language = .nb
    @OptionGroup var csv: CSVOptions
    @Argument(help: "The CSV file of the series.")
    var input: String

    /// "3,7, 12" → [3, 7, 12].
    static func indexes(_ text: String?, option: String, language: Language) throws(KvalitetError) -> [Int] {
        guard let text else { return [] }
        var result: [Int] = []
        for word in text.split(separator: ",") {
            let trimmed = word.trimmingCharacters(in: .whitespaces)
            guard let value = Int(trimmed) else {
                throw KvalitetError(
                    .usage, "\(option) \(text): give point numbers separated by commas",
                    nb: "\(option) \(text): oppgi punktnumre skilt med komma")
            }
            result.append(value)
        }
        return result
    }

    func run() throws {
        do {
            var job = SPCJob()
            job.input = input
            job.kind = chart
            job.x = x
            job.y = y
            job.n = n
            job.options = SPCOptions(
                freeze: freeze, parts: try Self.indexes(part, option: "--part", language: lang),
                exclude: Set(try Self.indexes(exclude, option: "--exclude", language: lang)), screenMovingRanges: !noScreenMR,
                multiply: multiply)
            job.title = title
            job.format = format
            job.output = output
            job.summary = summary
            job.rejects = rejects
            job.strict = strict
            job.language = lang
            job.csv = csv.style
            var out = StandardOutput()
            try job.run(standardOutput: &out, standardError: printError)
        } catch {
            fail(with: error, language: lang)
        }
    }
}
