import Foundation

/// `kvalitet validate` from parsed options to written output: the pilot validation of
/// FORMAT.md §6 on the same readers, sets and counting rules as `score`.
public struct ValidateJob: Sendable {
    public var setDirectories: [String] = []
    public var defaultSet: String?
    public var format = "table"
    public var output: String?
    public var language = Language.nb
    /// `--excel-safe` for the CSV format.
    public var excelSafe = false
    public var inputs: [String] = []
    /// Responses from a results store (`--db`) instead of `inputs`.
    public var source: (any ResponseSource)?
    public var storeFile: String?
    /// How many parts a large CSV file is read in at once (nil: one per core, at most 8).
    public var parts: Int?
    public var writers: [any ValidationWriter] = [TableValidationWriter(), CSVValidationWriter(), JSONValidationWriter()]
    public var readers: [any ResponseReader] = ScorePipeline.standardReaders

    public init() {}

    /// Runs the job; the figures go to `output` (or `standardOutput`), the summary to `standardError`.
    public func run(standardOutput: inout some TextOutput, standardError: (String) -> Void) throws(KvalitetError) -> ValidationResult {
        guard var writer = writers.first(where: { $0.name == format }) else {
            throw KvalitetError(.usage, "unknown --format \(format) (known: \(writers.map(\.name).joined(separator: ", ")))")
        }
        if var csv = writer as? CSVValidationWriter {
            csv.excelSafe = excelSafe
            writer = csv
        }
        let options = ScoreJob.options(defaultSet: defaultSet, breakdown: nil, minN: nil, parts: parts)
        let problems = try ProblemLog(rejects: nil, strict: false)
        let result: ValidationResult
        var skipped: [String] = []
        if let source {
            try ScoreJob.guardOutputs([("--output", output)], listing: ScorePipeline.InputListing(), readers: readers,
                registerFiles: [], setDirectories: setDirectories, storeFile: storeFile)
            let pipeline = try ScoreJob.prepare(setDirectories: setDirectories, inputs: inputs, source: source,
                readers: readers, registers: try RegisterIndex(), options: options)
            result = try pipeline.validate(source, problems: problems)
        } else {
            if inputs.isEmpty { throw KvalitetError(.usage, "give at least one response file or folder") }
            let listing = try ScorePipeline.listInputs(inputs, readers: readers)
            try ScoreJob.guardOutputs([("--output", output)], listing: listing, readers: readers, registerFiles: [],
                setDirectories: setDirectories, storeFile: nil)
            let (pipeline, files) = try ScoreJob.prepare(setDirectories: setDirectories, inputs: inputs, listing: listing,
                readers: readers, registers: try RegisterIndex(), options: options)
            try ScoreJob.noteOwnOutputs(listing.ownOutputs, language: language, in: problems)
            skipped = listing.ownOutputs
            result = try pipeline.validate(files, problems: problems)
        }
        try ScoreJob.write(to: output, standardOutput: &standardOutput) { (out: inout AnyTextOutput) throws(KvalitetError) in
            try writer.write(result, language: language, to: &out)
        }
        ScoreJob.summarize(result.summary, problems: problems, rejects: nil, language: language, skipped: skipped,
            to: standardError)
        return result
    }
}
