import Foundation

/// `kvalitet report`: scores the input exactly as `score` does and writes one self-contained HTML
/// report (Docs/Report.md) atomically to `output`.
@dynamicMemberLookup
public struct ReportJob: Sendable, OptionsJob {
    public var common = JobOptions()
    /// A scores CSV to compare with (`--reference`), and what to call it.
    public var reference: String?
    public var referenceLabel: String?

    public init() {}

    /// Runs the job; the closing summary goes to `standardError`. Nothing is written when it throws.
    @discardableResult
    public func run(standardError: (String) -> Void) throws(KvalitetError) -> ScoreResult {
        guard let output = common.output else { throw KvalitetError(.usage, "give the report file with --output FILE.html", nb: "oppgi rapportfilen med --output FIL.html") }
        if let minN = common.minN, minN < 1 { throw KvalitetError(.usage, "--min-n must be 1 or more", nb: "--min-n må være 1 eller mer") }
        var scoring = ScoreJob()
        scoring.common = common
        let reads = reference.map { [OutputGuard.Protected(role: "the reference", path: $0)] } ?? []
        let listing = try scoring.listAndGuard(
            outputs: [("--output", common.output), ("--rejects", common.rejects)], reads: reads)
        let referenceScores = try reference.map { path throws(KvalitetError) in
            try ReferenceScores.load(file: InputFile(url: URL(fileURLWithPath: path), name: path), label: referenceLabel)
        }
        let (result, problems, registers) = try scoring.scored(listing)
        let page = ReportBuilder(
            result: result, registers: registers.registers, reference: referenceScores,
            language: common.language, minNOverride: common.minN
        ).page()
        let html = try ReportRenderer.render(page)
        // `-` is standard output (AtomicFile writes into it, never replaces it).
        let file = try AtomicFile(path: output)
        try file.write(html)
        try file.commit()
        try problems.commit()
        ScoreJob.summarize(
            result.summary, problems: problems, rejects: common.rejects, language: common.language,
            skipped: listing.ownOutputs, to: standardError)
        return result
    }
}
