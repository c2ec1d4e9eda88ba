import Foundation

/// `kvalitet validate` from parsed options to written output: the pilot validation of
/// FORMAT.md §6 on the same readers, sets and counting rules as `score`.
@dynamicMemberLookup
public struct ValidateJob: Sendable, OptionsJob {
    public var common = JobOptions()
    /// The writers `--format` chooses from, made with the run's options.
    public var writers: @Sendable (WriterOptions) -> [any ValidationWriter] = ValidateJob.standardWriters

    /// The built-in writers: table, CSV and JSON.
    public static let standardWriters: @Sendable (WriterOptions) -> [any ValidationWriter] = { options in
        [TableValidationWriter(), CSVValidationWriter(style: options.csv), JSONValidationWriter(), XLSXValidationWriter()]
    }

    public init() {}

    /// Runs the job; the figures go to `output` (or `standardOutput`), the summary to `standardError`.
    public func run(
        standardOutput: inout some TextOutput, standardError: (String) -> Void
    ) throws(KvalitetError) -> ValidationResult {
        let available = writers(WriterOptions(csv: common.csv))
        guard let writer = available.first(where: { $0.name == common.format }) else {
            throw KvalitetError(
                .usage, "unknown --format \(common.format) (known: \(available.map(\.name).joined(separator: ", ")))",
                nb: "ukjent --format \(common.format) (kjente: \(available.map(\.name).joined(separator: ", ")))")
        }
        let options = ScoreJob.options(
            defaultSet: common.defaultSet, breakdown: nil, minN: nil, parts: common.parts, progress: common.progress)
        let problems = try ProblemLog(rejects: nil, strict: false)
        let result: ValidationResult
        var skipped: [String] = []
        if let source = common.source {
            try ScoreJob.guardOutputs(
                [("--output", common.output)], listing: ScorePipeline.InputListing(), readers: common.readers,
                registerFiles: [], setDirectories: common.setDirectories, storeFile: common.storeFile)
            let pipeline = try ScoreJob.prepare(
                setDirectories: common.setDirectories, inputs: common.inputs, source: source,
                readers: common.readers, registers: try RegisterIndex(), options: options)
            result = try pipeline.validate(source, problems: problems)
        } else {
            if common.inputs.isEmpty {
                throw KvalitetError(.usage, "give at least one response file or folder", nb: "oppgi minst én svarfil eller mappe")
            }
            let listing = try ScorePipeline.listInputs(common.inputs, readers: common.readers)
            try ScoreJob.guardOutputs(
                [("--output", common.output)], listing: listing, readers: common.readers, registerFiles: [],
                setDirectories: common.setDirectories, storeFile: nil)
            let (pipeline, files) = try ScoreJob.prepare(
                setDirectories: common.setDirectories, inputs: common.inputs, listing: listing,
                readers: common.readers, registers: try RegisterIndex(), options: options)
            try ScoreJob.noteOwnOutputs(listing.ownOutputs, language: common.language, in: problems)
            skipped = listing.ownOutputs
            result = try pipeline.validate(files, problems: problems)
        }
        try ScoreJob.write(to: common.output, standardOutput: &standardOutput) {
            (out: inout AnyTextOutput) throws(KvalitetError) in
            try writer.write(result, language: common.language, to: &out)
        }
        ScoreJob.summarize(
            result.summary, problems: problems, rejects: nil, language: common.language, skipped: skipped,
            to: standardError)
        return result
    }
}
