import Foundation

/// Figures to compare with, from the scores CSV of another run (FORMAT.md §5): for example the
/// national average ("landsgjennomsnitt") of every municipality's responses. The report compares
/// each dimension and the total with the reference's `all` row of the same set and dimension:
/// the same period when the reference has it, else its latest period.
public struct ReferenceScores: Sendable {
    /// What the report calls the reference ("Landsgjennomsnitt 2024"); the file name when not given.
    public var label: String

    struct Key: Hashable {
        var set: String
        var period: String
        /// Empty for the total.
        var dimension: String
    }

    private(set) var means: [Key: Double] = [:]
    private var periods: [String: [String]] = [:]

    public init(label: String) {
        self.label = label
    }

    /// The reference mean of a dimension ("" for the total) of a set, preferring `period`.
    public func mean(set: String, dimension: String, period: String) -> (value: Double, period: String)? {
        if let value = means[Key(set: set, period: period, dimension: dimension)] { return (value, period) }
        for other in (periods[set] ?? []).reversed() {
            if let value = means[Key(set: set, period: other, dimension: dimension)] { return (value, other) }
        }
        return nil
    }

    /// Reads a scores CSV written by `kvalitet score --format csv` (any run, any version of the
    /// sets). Only pooled rows (`level` = `all`) of dimensions and totals are used; the file must
    /// have FORMAT.md's columns `level`, `period`, `set`, `dimension`, `item`, `mean`.
    public static func load(file: InputFile, label: String? = nil) throws(KvalitetError) -> ReferenceScores {
        var reference = ReferenceScores(label: label ?? file.url.deletingPathExtension().lastPathComponent)
        var seenPeriods: [String: Set<String>] = [:]
        try ScoresFile.forEachRow(
            file, columns: ["level", "period", "set", "dimension", "item", "mean"],
            purpose: "a reference is the output of kvalitet score --format csv"
        ) { (line: Int, value: (String) -> String) throws(KvalitetError) in
            guard value("level") == "all", value("item").isEmpty else { return }
            let meanText = value("mean")
            if meanText.isEmpty { return }
            guard let mean = Double(meanText), mean.isFinite else {
                throw KvalitetError(
                    .inputRefused, "\"\(meanText)\" is not a number", nb: "«\(meanText)» er ikke et tall",
                    at: SourceLocation(file: file.name, line: line, field: "mean"))
            }
            let key = Key(set: value("set"), period: value("period"), dimension: value("dimension"))
            reference.means[key] = mean
            seenPeriods[key.set, default: []].insert(key.period)
        }
        reference.periods = seenPeriods.mapValues { $0.sorted { ScoreBuilder.textOrder([$0], [$1]) } }
        return reference
    }
}

/// A scores CSV (FORMAT.md §5) as written by `kvalitet score --format csv`, or by another tool
/// with its columns: read row by row for the report's reference and for `kvalitet audit`.
enum ScoresFile {
    /// Calls `body` with each non-empty row's line and a lookup of `columns` (trimmed; "" when the
    /// row is short). Refuses a file without one of `columns`, saying what such a file is (`purpose`).
    static func forEachRow(
        _ file: InputFile, columns: [String], purpose: String,
        _ body: (Int, (String) -> String) throws(KvalitetError) -> Void
    ) throws(KvalitetError) {
        let source = try ByteSource(file)
        _ = try source.refill()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bomLength = source.count >= 3 && Array(source.chunk[0..<3]) == bom ? 3 : 0
        var tokenizer = CSVTokenizer(source: source, delimiter: UInt8(ascii: ","), encoding: .utf8, startOffset: bomLength)
        var fields: [String] = []
        guard try tokenizer.nextRecord(into: &fields) != nil else {
            throw KvalitetError(
                .inputRefused, "the file is empty; give a scores CSV (kvalitet score --format csv)",
                nb: "filen er tom; oppgi en CSV-fil med poeng (kvalitet score --format csv)",
                at: SourceLocation(file: file.name, line: 1))
        }
        let header = fields.map { $0.trimmingSpaces.lowercased() }
        var column: [String: Int] = [:]
        for name in columns {
            guard let index = header.firstIndex(of: name) else {
                throw KvalitetError(
                    .inputRefused, "not a scores CSV: the column \"\(name)\" is missing (\(purpose))",
                    nb: "ikke en CSV-fil med poeng: kolonnen «\(name)» mangler (\(purpose))",
                    at: SourceLocation(file: file.name, line: 1, field: name))
            }
            column[name] = index
        }
        while true {
            fields.removeAll(keepingCapacity: true)
            guard let line = try tokenizer.nextRecord(into: &fields) else { break }
            if fields.allSatisfy(\.isEmpty) { continue }
            let row = fields
            try body(line) { name in
                guard let index = column[name], index < row.count else { return "" }
                return row[index].trimmingSpaces
            }
        }
    }
}
