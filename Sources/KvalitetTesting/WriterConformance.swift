import Foundation
import Kvalitet

/// What every ``ScoresWriter`` must do (its "Implementation requirements"), checked on a result
/// whose suppressed rows still carry figures (as a buggy builder might leave them): none of those
/// figures may appear in the output, in any rounding or decimal mark, in either language; the
/// published figures do, and the groups come in the result's order.
///
/// ```swift
/// @Test func conformance() throws { try WriterConformance(writer: MyWriter()).run() }
/// ```
public struct WriterConformance {
    public var writer: any ScoresWriter

    public init(writer: any ScoresWriter) {
        self.writer = writer
    }

    /// The texts a suppressed row's figures would give: its mean 2.71828, sd 0.57721, interval
    /// 1.41421–4.0392, positive share 0.314159, n 97, don't know 83, unanswered 71, answer counts
    /// 61–66 (no published figure of the result contains any of them).
    static let hiddenTexts = [
        "2.7", "2,7", "0.57", "0,57", "0.58", "0,58", "1.41", "1,41", "4.03", "4,03", "4.04", "4,04",
        "0.31", "0,31", "31.4", "31,4", "31 %", "31%", "97", "83", "71", "61", "62", "63", "64", "65", "66",
    ]

    /// Runs every check; throws a ``ConformanceFailure`` naming each requirement not met.
    public func run() throws {
        var checks = Checks(subject: "writer \(writer.name)")
        let result = try Self.result()
        for language in [Language.nb, .en] {
            var output = Collected()
            do {
                try writer.write(result, language: language, to: &output)
            } catch {
                checks.failures.append("writes a result in \(language) (got \(error))")
                continue
            }
            guard let text = output.readableText(binary: writer is any BinaryFormat, language: language, &checks) else {
                continue
            }
            checks.expect(!text.isEmpty, "writes something in \(language)")
            for hidden in Self.hiddenTexts where text.contains(hidden) {
                checks.failures.append("never shows a suppressed row's figure (\"\(hidden)\" appears in \(language))")
            }
            checks.expect(text.contains("4.5") || text.contains("4,5"), "shows the published mean 4.5 in \(language)")
            let positions = ["enhet-a", "enhet-b", "enhet-c"].map { text.range(of: $0)?.lowerBound }
            checks.expect(
                positions.allSatisfy { $0 != nil } && positions.map { $0! } == positions.map { $0! }.sorted(),
                "writes the groups in the result's order in \(language)")
        }
        try checks.finish()
    }

    /// All responses and three units of one set and period; unit b is suppressed.
    static func result() throws -> ScoreResult {
        let catalog = try IndicatorSetCatalog.builtIn()
        guard let set = catalog["sfo-foresatte"], let dimension = set.dimensions.first, let item = dimension.items.first else {
            throw ConformanceFailure(subject: "WriterConformance", failures: ["the built-in set sfo-foresatte is there"])
        }
        func published(_ group: GroupKey, dimension: String = "", item: String = "", respondents: Int) -> ScoreRow {
            ScoreRow(
                group: group, period: "2024", set: set.id, dimension: dimension, item: item, respondents: respondents,
                n: respondents, mean: 4.5, sd: 1.0, ciLow: 4.0, ciHigh: 5.0, positiveShare: 0.5, dontKnow: 0, unanswered: 0,
                suppressed: false, answerCounts: item.isEmpty ? nil : [0, 0, 0, 10, 10, 20])
        }
        func hidden(_ group: GroupKey, dimension: String = "", item: String = "") -> ScoreRow {
            ScoreRow(
                group: group, period: "2024", set: set.id, dimension: dimension, item: item, respondents: 3, n: 97,
                mean: 2.71828, sd: 0.57721, ciLow: 1.41421, ciHigh: 4.0392, positiveShare: 0.314159, dontKnow: 83,
                unanswered: 71, suppressed: true, answerCounts: item.isEmpty ? nil : [61, 62, 63, 64, 65, 66])
        }
        let all = GroupKey(level: .all)
        let units = ["enhet-a", "enhet-b", "enhet-c"].map { GroupKey(level: .unit, municipality: "M", service: "SFO", unit: $0) }
        var rows = [
            published(all, respondents: 40), published(all, dimension: dimension.id, respondents: 40),
            published(all, dimension: dimension.id, item: item.id, respondents: 40),
        ]
        for (index, unit) in units.enumerated() {
            if index == 1 {
                rows += [
                    hidden(unit), hidden(unit, dimension: dimension.id), hidden(unit, dimension: dimension.id, item: item.id),
                ]
            } else {
                rows += [
                    published(unit, respondents: 20), published(unit, dimension: dimension.id, respondents: 20),
                    published(unit, dimension: dimension.id, item: item.id, respondents: 20),
                ]
            }
        }
        return ScoreResult(rows: rows, sets: [set.id: set], summary: RunSummary())
    }

    struct Collected: TextOutput {
        var bytes: [UInt8] = []
        mutating func write(_ text: String) throws(KvalitetError) { bytes += Array(text.utf8) }
        mutating func write(bytes: UnsafeRawBufferPointer) throws(KvalitetError) { self.bytes += Array(bytes) }

        /// What was written as text; a workbook's cells, a row per line and tabs between cells
        /// (nil, with the failure noted, when they cannot be read).
        func readableText(binary: Bool, language: Language, _ checks: inout Checks) -> String? {
            guard binary else { return String(decoding: bytes, as: UTF8.self) }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent(
                "kvalitet-conformance-\(UUID().uuidString).xlsx")
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                try Data(bytes).write(to: url)
                return try XLSXCells.rows(ofWorkbookAt: url).map { $0.joined(separator: "\t") }.joined(separator: "\n")
            } catch {
                checks.failures.append("writes a workbook its cells can be read from in \(language) (got \(error))")
                return nil
            }
        }
    }
}

/// What every ``ValidationWriter`` must do: every row in the result's order, its figures shown,
/// in either language.
public struct ValidationWriterConformance {
    public var writer: any ValidationWriter

    public init(writer: any ValidationWriter) {
        self.writer = writer
    }

    public func run() throws {
        var checks = Checks(subject: "validation writer \(writer.name)")
        let catalog = try IndicatorSetCatalog.builtIn()
        guard let set = catalog["sfo-foresatte"], set.dimensions.count >= 2 else {
            throw ConformanceFailure(
                subject: "ValidationWriterConformance", failures: ["the built-in set sfo-foresatte is there"])
        }
        // Two dimensions in the set's order, each with its first item; distinctive alphas.
        var rows: [ValidationRow] = []
        for (index, dimension) in set.dimensions.prefix(2).enumerated() {
            var row = ValidationRow(
                set: set.id, period: "2024", dimension: dimension.id, item: "", k: dimension.items.count, n: 120)
            row.alpha = index == 0 ? 0.8125 : 0.6875
            rows.append(row)
            var item = ValidationRow(
                set: set.id, period: "2024", dimension: dimension.id, item: dimension.items[0].id,
                k: dimension.items.count, n: 110)
            item.itemTotalR = 0.4375
            rows.append(item)
        }
        let result = ValidationResult(rows: rows, sets: [set.id: set], summary: RunSummary())
        for language in [Language.nb, .en] {
            var output = WriterConformance.Collected()
            do {
                try writer.write(result, language: language, to: &output)
            } catch {
                checks.failures.append("writes a result in \(language) (got \(error))")
                continue
            }
            guard let text = output.readableText(binary: writer is any BinaryFormat, language: language, &checks) else {
                continue
            }
            // In full (0.8125) or rounded (0.81, 0.8), with either decimal mark.
            for forms in [["0.8125", "0.81", "0.8"], ["0.6875", "0.69", "0.7"]] {
                let shown = forms.contains { text.contains($0) || text.contains($0.replacingOccurrences(of: ".", with: ",")) }
                checks.expect(shown, "shows the alpha \(forms[0]) in \(language)")
            }
            let positions = rows.map { text.range(of: $0.item.isEmpty ? $0.dimension : $0.item)?.lowerBound }
            checks.expect(
                positions.allSatisfy { $0 != nil } && positions.map { $0! } == positions.map { $0! }.sorted(),
                "writes the rows in the result's order in \(language)")
        }
        try checks.finish()
    }
}
