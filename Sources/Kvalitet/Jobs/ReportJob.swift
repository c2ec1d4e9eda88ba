import Foundation

/// `kvalitet report`: scores the input exactly as `score` does and writes one self-contained HTML
/// report (Docs/Report.md) atomically to `output`.
@dynamicMemberLookup
public struct ReportJob: Sendable, OptionsJob {
    public var common = JobOptions()
    /// A scores CSV to compare with (`--reference`), and what to call it.
    public var reference: String?
    public var referenceLabel: String?
    /// Sick-leave files or folders (`--absence`) for the sick-leave sections, with their
    /// `--costs` and `--min-employees`.
    public var absenceInputs: [String] = []
    public var costsFile: String?
    public var minEmployees = 5

    public init() {}

    /// Runs the job; the closing summary goes to `standardError`. Nothing is written when it throws.
    @discardableResult
    public func run(standardError: (String) -> Void) throws(KvalitetError) -> ScoreResult {
        guard let output = common.output else {
            throw KvalitetError(
                .usage, "give the report file with --output FILE.html", nb: "oppgi rapportfilen med --output FIL.html")
        }
        if let minN = common.minN, minN < 1 {
            throw KvalitetError(.usage, "--min-n must be 1 or more", nb: "--min-n må være 1 eller mer")
        }
        var scoring = ScoreJob()
        scoring.common = common
        // Sick leave: its files are inputs the outputs must not replace; its problems go to the
        // same rejects report (written once, by the survey run or by this one alone).
        var absence: AbsenceJob?
        if !absenceInputs.isEmpty {
            var job = AbsenceJob()
            job.inputs = absenceInputs
            job.registerFiles = common.registerFiles
            job.costsFile = costsFile
            job.minEmployees = minEmployees
            job.language = common.language
            job.strict = common.strict
            job.storeFile = common.storeFile
            job.output = output
            absence = job
        }
        let surveys = !(common.inputs.isEmpty && common.source == nil && absence != nil)
        let reads =
            (reference.map { [OutputGuard.Protected(role: "the reference", path: $0)] } ?? [])
            + absenceInputs.map { OutputGuard.Protected(role: "an input", path: $0) }
        let listing =
            surveys
            ? try scoring.listAndGuard(outputs: [("--output", common.output), ("--rejects", common.rejects)], reads: reads)
            : ScorePipeline.InputListing()
        let absenceListing = try absence?.listAndGuard(otherOutputs: [("--rejects", common.rejects)])
        let referenceScores = try reference.map { path throws(KvalitetError) in
            try ReferenceScores.load(file: InputFile(url: URL(fileURLWithPath: path), name: path), label: referenceLabel)
        }
        var result = ScoreResult(rows: [], sets: [:], summary: RunSummary())
        var problems: ProblemLog
        var registerList: [Register] = []
        if surveys {
            let scored = try scoring.scored(listing)
            (result, problems, registerList) = (scored.result, scored.problems, scored.registers.registers)
        } else {
            problems = try ProblemLog(
                rejects: try common.rejects.map { path throws(KvalitetError) in try AtomicFile(path: path) },
                strict: common.strict, style: common.csv)
            registerList = try ScoreJob.registers(files: common.registerFiles, stored: []).registers
        }
        var absenceResult: AbsenceResult?
        if let absence, let absenceListing {
            absenceResult = try absence.absence(absenceListing, problems: problems).0
        }
        var page = ReportBuilder(
            result: result, registers: registerList, reference: referenceScores,
            language: common.language, minNOverride: common.minN
        ).page()
        if let absenceResult {
            page.absenceSections = AbsenceSection.sections(absenceResult, language: common.language)
            let line =
                (common.language == .nb ? "sykefravær: " : "sick leave: ")
                + AbsenceJob.summaryLine(absenceResult.summary, language: common.language)
            page.basis = surveys ? page.basis + "; " + line : line
        }
        let html = try ReportRenderer.render(page)
        // `-` is standard output (AtomicFile writes into it, never replaces it).
        let file = try AtomicFile(path: output)
        try file.write(html)
        try file.commit()
        try problems.commit()
        if surveys {
            ScoreJob.summarize(
                result.summary, problems: problems, rejects: common.rejects, language: common.language,
                skipped: listing.ownOutputs, to: standardError)
        }
        if let absenceResult {
            AbsenceJob.summarize(
                absenceResult.summary, problems: problems, rejects: common.rejects, language: common.language,
                to: standardError)
        }
        return result
    }
}
