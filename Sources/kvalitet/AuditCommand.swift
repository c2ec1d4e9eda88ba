import ArgumentParser
import Foundation
import Kvalitet

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check a published scores CSV: which suppressed rows can be computed from the others, and how.",
        discussion: """
            Runs the suppression audit of `score` (Docs/Suppression.md) on a scores CSV, whatever made it: \
            every suppressed row whose figures follow from adding and subtracting published rows of the same \
            set, period, dimension and item is named with the rows that give it, and so is every one that \
            follows from rows of other kinds of the same groups (a dimension's counts are its items' sums). Give \
            the sets' min_n (--min-n) as score had it. Give the registers so that \
            sub-projects can be checked (the file does not say which units they hold).

            Example: kvalitet audit --register register.yaml scores.csv

            Exit codes: 0 nothing can be computed, 1 usage error, 2 input refused, 3 rows that can be computed found.
            """)

    @Option(help: "A register of units and sub-projects (YAML), for which units each sub-project holds.")
    var register: [String] = []
    @Option(
        name: .customLong("min-n"),
        help:
            "The sets' min_n (default 5): groups with fewer respondents have every row protected, for the check across kinds of row."
    )
    var minN: Int = 5
    @Option(help: "Language: nb or en.")
    var lang: Language = .nb
    @Argument(help: "Scores CSV files (kvalitet score --format csv).")
    var files: [String] = []

    func run() throws {
        var job = AuditJob()
        job.files = files
        job.registerFiles = register
        job.language = lang
        job.minN = minN
        var out = StandardOutput()
        do {
            let result = try job.run(standardOutput: &out)
            if !result.findings.isEmpty { Foundation.exit(3) }
        } catch {
            fail(with: error, language: lang)
        }
    }
}
