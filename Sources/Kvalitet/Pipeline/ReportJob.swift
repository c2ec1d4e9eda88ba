import Foundation

/// `kvalitet report`: scores the input exactly as `score` does and writes one self-contained HTML
/// report (Docs/Report.md) atomically to `output`.
public struct ReportJob: Sendable {
    public var setDirectories: [String] = []
    public var defaultSet: String?
    public var registerFiles: [String] = []
    /// A scores CSV to compare with (`--reference`), and what to call it.
    public var reference: String?
    public var referenceLabel: String?
    public var minN: Int?
    public var output: String?
    public var rejects: String?
    public var strict = false
    /// `--excel-safe` for the rejects report.
    public var excelSafe = false
    public var language = Language.nb
    public var inputs: [String] = []
    /// Responses from a results store (`--db`) instead of `inputs`.
    public var source: (any ResponseSource)?
    public var storeFile: String?
    public var parts: Int?
    public var readers: [any ResponseReader] = ScorePipeline.standardReaders

    public init() {}

    /// Runs the job; the closing summary goes to `standardError`. Nothing is written when it throws.
    @discardableResult
    public func run(standardError: (String) -> Void) throws(KvalitetError) -> ScoreResult {
        guard let output else { throw KvalitetError(.usage, "give the report file with --output FILE.html") }
        if let minN, minN < 1 { throw KvalitetError(.usage, "--min-n must be 1 or more") }
        var scoring = ScoreJob()
        scoring.setDirectories = setDirectories
        scoring.defaultSet = defaultSet
        scoring.registerFiles = registerFiles
        scoring.minN = minN
        scoring.rejects = rejects
        scoring.strict = strict
        scoring.excelSafe = excelSafe
        scoring.inputs = inputs
        scoring.source = source
        scoring.storeFile = storeFile
        scoring.parts = parts
        scoring.readers = readers
        scoring.language = language
        let reads = reference.map { [OutputGuard.Protected(role: "the reference", path: $0)] } ?? []
        let listing = try scoring.listAndGuard(outputs: [("--output", output), ("--rejects", rejects)], reads: reads)
        let referenceScores = try reference.map { path throws(KvalitetError) in
            try ReferenceScores.load(file: InputFile(url: URL(fileURLWithPath: path), name: path), label: referenceLabel)
        }
        let (result, problems, registers) = try scoring.scored(listing)
        let page = ReportBuilder(result: result, registers: registers.registers, reference: referenceScores,
            language: language, minNOverride: minN).page()
        let html = try ReportRenderer.render(page)
        // `-` is standard output (AtomicFile writes into it, never replaces it).
        let file = try AtomicFile(path: output)
        try file.write(html)
        try file.commit()
        try problems.commit()
        ScoreJob.summarize(result.summary, problems: problems, rejects: rejects, language: language,
            skipped: listing.ownOutputs, to: standardError)
        return result
    }
}
