import ArgumentParser
import Foundation
import Kvalitet

/// The options `score` and `validate` share.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set of files that name none.")
    var set: String?
    @Option(help: "table, csv, json or xlsx (an Excel workbook; needs --output).")
    var format = "table"
    @Option(help: "Write to this file (default: standard output).")
    var output: String?
    @Option(help: "Language of labels: nb or en.")
    var lang: Language = .nb
    @Flag(name: [.short, .long], help: "No progress bar on a terminal (the closing summary is still written).")
    var quiet = false
    @Argument(help: "Response files, or folders of *.csv and *.xml files.")
    var inputs: [String] = []
}

extension InputOptions {
    /// Sets the shared options on a job.
    func configure(_ job: inout some OptionsJob) {
        job.common.setDirectories = setDirectories
        job.common.defaultSet = set
        job.common.format = format
        job.common.output = output
        job.common.language = lang
        job.common.inputs = inputs
        job.common.parts = threadsFromEnvironment ?? job.common.parts
    }
}

/// KVALITET_THREADS=N reads large files in N parts at once (1: sequentially).
var threadsFromEnvironment: Int? { ProcessInfo.processInfo.environment["KVALITET_THREADS"].flatMap(Int.init) }

extension LimitOptions {
    /// Sets the limits (as readers) and the CSV style on a job.
    func configure(_ job: inout some OptionsJob) {
        job.common.readers = readers
        job.common.csv = csv.style
    }
}

/// How CSV outputs are written: `--csv-style` and `--excel-safe` (every command that writes CSV).
struct CSVOptions: ParsableArguments {
    @Option(
        name: .customLong("csv-style"),
        help: "standard (FORMAT.md: , and .) or excel-nb (; decimal commas and a BOM, for Norwegian Excel).")
    var dialect: CSVStyle.Dialect = .standard
    @Flag(
        name: .customLong("excel-safe"),
        help: "In CSV outputs, put ' before texts starting with = + - @ (a spreadsheet would run them as formulas).")
    var excelSafe = false

    var style: CSVStyle { CSVStyle(dialect, excelSafe: excelSafe) }
}

extension CSVStyle.Dialect: ExpressibleByArgument {}

/// Limits on what one input may hold (README: "Limits"), shared by score, validate and report.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("max-field-mib"), help: "Longest CSV field or XML text, in MiB.")
    var maxFieldMiB = 1
    @Option(name: .customLong("max-record-mib"), help: "Longest CSV record, in MiB.")
    var maxRecordMiB = 8
    @Option(name: .customLong("max-columns"), help: "Most columns (fields) in a CSV record.")
    var maxColumns = 10_000
    @Option(name: .customLong("max-xml-depth"), help: "Deepest nesting of XML elements.")
    var maxXMLDepth = 32
    @Option(name: .customLong("sheet"), help: "The sheet of Excel workbooks to read (default: the first).")
    var sheet: String?
    @Option(name: .customLong("sss-map"), help: "A YAML file saying which Triple-S variable is which column.")
    var sssMap: String?
    @OptionGroup var csv: CSVOptions

    func validate() throws {
        guard maxFieldMiB >= 1, maxRecordMiB >= 1, maxColumns >= 1, maxXMLDepth >= 4 else {
            throw ValidationError("limits must be at least 1 (--max-xml-depth at least 4)")
        }
    }

    /// The readers with these limits.
    var readers: [any ResponseReader] {
        var mapping: TripleSMapping?
        if let sssMap {
            do { mapping = try TripleSMapping.load(sssMap) } catch { fail(with: error) }
        }
        return [TripleSResponseReader(mapping: mapping)] + otherReaders
    }

    private var otherReaders: [any ResponseReader] {
        [
            CSVResponseReader(maxFieldBytes: maxFieldMiB << 20, maxRecordBytes: maxRecordMiB << 20, maxColumns: maxColumns),
            XMLResponseReader(maxDepth: maxXMLDepth, maxTextBytes: maxFieldMiB << 20),
            XLSXResponseReader(sheet: sheet, maxColumns: maxColumns, maxFieldBytes: maxFieldMiB << 20),
            SPSSResponseReader(maxColumns: maxColumns),
        ]
    }
}
