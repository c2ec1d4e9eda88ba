import Foundation

/// `kvalitet spc` from parsed options to written files (FORMAT.md §9): reads the series from a
/// CSV, charts it, writes the points (or a table, JSON or an HTML page) and the summary.
public struct SPCJob: Sendable {
    public var input = ""
    public var kind = SPCChartKind.run
    public var x = ""
    public var y = ""
    public var n: String?
    public var options = SPCOptions()
    /// nil: `html` when `output` ends in `.html`, else `table`.
    public var format: String?
    public var output: String?
    /// `--summary`: the summary CSV.
    public var summary: String?
    public var rejects: String?
    public var title: String?
    public var strict = false
    /// `--csv-style` and `--excel-safe`.
    public var csv = CSVStyle.standard
    public var language = Language.nb
    /// The writers `--format` chooses from.
    public var writers: @Sendable (WriterOptions) -> [any SPCWriter] = { options in
        [TableSPCWriter(), CSVSPCWriter(style: options.csv), JSONSPCWriter(), HTMLSPCWriter()]
    }

    public init() {}

    /// The format written: `--format`, else `html` for an `.html` output, else `table`.
    var formatName: String {
        if let format { return format }
        let ext = (output.map { ($0 as NSString).pathExtension.lowercased() }) ?? ""
        return ext == "html" || ext == "htm" ? "html" : "table"
    }

    /// Runs the job: the chart to `output` (or `standardOutput`), the summary CSV to `summary`,
    /// what was read to `standardError`. Nothing is written when it throws.
    @discardableResult
    public func run(standardOutput: inout some TextOutput, standardError: (String) -> Void) throws(KvalitetError) -> SPCChart {
        let available = writers(WriterOptions(minN: 1, csv: csv))
        let format = formatName
        guard let writer = available.first(where: { $0.name == format }) else {
            let known = available.map(\.name).joined(separator: ", ")
            throw KvalitetError(
                .usage, "unknown --format \(format) (known: \(known))", nb: "ukjent --format \(format) (kjente: \(known))")
        }
        guard !input.isEmpty else {
            throw KvalitetError(.usage, "give the CSV file of the series", nb: "oppgi CSV-filen med serien")
        }
        if kind.needsDenominator && n == nil {
            throw KvalitetError(
                .usage, "a \(kind.rawValue) chart needs --n (the denominators' column)",
                nb: "et \(kind.rawValue)-diagram trenger --n (kolonnen med nevnerne)")
        }
        let file = InputFile(url: URL(fileURLWithPath: input), name: input)
        var listing = ScorePipeline.InputListing()
        listing.files = [file]
        try ScoreJob.guardOutputs(
            [("--output", output), ("--summary", summary), ("--rejects", rejects)], listing: listing,
            readers: [CSVResponseReader()], registerFiles: [], setDirectories: [], storeFile: nil)
        let problems = try ProblemLog(
            rejects: try rejects.map { path throws(KvalitetError) in try AtomicFile(path: path) }, strict: strict,
            style: csv)
        let reader = SPCSeriesReader(x: x, y: y, n: n, kind: kind)
        let series = try reader.read(file, language: language, report: problems.record)
        guard !series.observations.isEmpty else {
            throw KvalitetError(
                .inputRefused, "\(file.name): no points to chart (\(series.read) rows read, none with a valid x and y)",
                nb: "\(file.name): ingen punkter å tegne (\(series.read) rader lest, ingen med gyldig x og y)")
        }
        let chart = try SPCChart(kind, series.observations, options: options)
        let document = SPCDocument(chart: chart, title: title ?? "\(file.url.lastPathComponent): \(y)", valueLabel: valueLabel)
        let summaryFile = try summary.map { path throws(KvalitetError) in try AtomicFile(path: path) }
        if let summaryFile {
            var out = AnyTextOutput { (text: String) throws(KvalitetError) in try summaryFile.write(text) }
            try CSVSPCWriter.writeSummary(chart, style: csv, to: &out)
        }
        try ScoreJob.write(to: output, standardOutput: &standardOutput) { (out: inout AnyTextOutput) throws(KvalitetError) in
            try writer.write(document, language: language, to: &out)
        }
        try summaryFile?.commit()
        try problems.commit()
        let labels = Labels(language: language)
        let notCharted = series.read - series.charted
        let warnings = problems.counts.filter { !$0.key.rejectsResponse }.map(\.value).reduce(0, +)
        standardError(
            "kvalitet: "
                + [
                    labels.count(1, "fil", "filer", "file", "files"),
                    labels.count(series.read, "rad lest", "rader lest", "row read", "rows read"),
                    labels.count(series.charted, "tegnet", "tegnet", "charted", "charted"),
                    labels.count(notCharted, "ikke tegnet", "ikke tegnet", "not charted", "not charted"),
                    labels.count(warnings, "advarsel", "advarsler", "warning", "warnings"),
                    labels.count(chart.points.count, "punkt", "punkter", "point", "points"),
                ].joined(separator: ", "))
        if notCharted > 0 && rejects == nil {
            standardError(
                language == .nb ? "  (se hvert problem med --rejects FIL)" : "  (see every problem with --rejects FILE)")
        }
        let spc = SPCLabels(language: language)
        for part in chart.parts where part.tooFewForRules {
            standardError(
                "  " + (chart.parts.count > 1 ? (language == .nb ? "del \(part.part): " : "part \(part.part): ") : "")
                    + spc.verdict(part, in: chart)[0])
        }
        return chart
    }

    /// What the values are: the y column, over n, times --multiply.
    var valueLabel: String {
        var label = kind == .mr ? "MR(\(y))" : y
        if let n, kind.needsDenominator { label += " / \(n)" }
        if options.multiply != 1 {
            let factor = options.multiply
            label += " × " + (factor == factor.rounded() && abs(factor) < 1e15 ? String(Int(factor)) : fullPrecision(factor))
        }
        return label
    }
}
