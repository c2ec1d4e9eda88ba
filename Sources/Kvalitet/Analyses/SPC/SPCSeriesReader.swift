import Foundation

/// Reads the series `kvalitet spc` charts from any CSV (FORMAT.md §9): the columns named by
/// `--x`, `--y` and `--n`, opened as every CSV kvalitet reads (encodings, BOM, `sep=`, delimiter,
/// title lines). Rows with the same x are added up, in the order their x first appears. A row
/// whose y or n is no number (empty, "NA", text), a negative count, or a share above its
/// denominator is reported (`invalid-value`, naming the column) and not charted.
public struct SPCSeriesReader: Sendable {
    public var x: String
    public var y: String
    public var n: String?
    /// The chart the series is for: whether `n` is required and what `y` may be.
    public var kind: SPCChartKind

    public init(x: String, y: String, n: String? = nil, kind: SPCChartKind) {
        self.x = x
        self.y = y
        self.n = n
        self.kind = kind
    }

    /// What a file held.
    public struct Series: Sendable, Hashable {
        /// The points, rows with the same x added up.
        public var observations: [SPCObservation] = []
        /// Rows with data.
        public var read = 0
        /// Rows charted (added into a point).
        public var charted = 0
    }

    /// Reads `file`, every problem to `report` in file order.
    public func read(
        _ file: InputFile, language: Language = .nb, report: (Problem) throws(KvalitetError) -> Void
    ) throws(KvalitetError) -> Series {
        let wanted = [x, y] + (n.map { [$0] } ?? [])
        guard
            let table = try OpenedCSV.open(
                file, isHeader: { header in wanted.allSatisfy { name in header.contains { Self.same($0, name) } } })
        else { throw .emptyFile(file) }
        if table.titleLines > 0 { try report(Problem.titleLines(table.titleLines, file: file, headerLine: table.headerLine)) }
        let nb = language == .nb
        func column(_ name: String) throws(KvalitetError) -> Int {
            guard let index = table.header.firstIndex(where: { Self.same($0, name) }) else {
                let known = table.header.map { "«\($0)»" }.joined(separator: ", ")
                throw KvalitetError(
                    .inputRefused, "\(file.name):\(table.headerLine): the header has no column \"\(name)\" (it has \(known))",
                    nb: "\(file.name):\(table.headerLine): overskriften har ingen kolonne «\(name)» (den har \(known))",
                    at: SourceLocation(file: file.name, line: table.headerLine, field: name))
            }
            return index
        }
        let columns = (x: try column(x), y: try column(y), n: try n.map { name throws(KvalitetError) in try column(name) })
        var tokenizer = table.tokenizer
        var cells: [String] = []
        var series = Series()
        var pointOf: [String: Int] = [:]
        while let line = try tokenizer.nextRecord(into: &cells) {
            if cells.allSatisfy({ $0.trimmingSpaces.isEmpty }) { continue }
            series.read += 1
            func cell(_ index: Int) -> String { index < cells.count ? cells[index].trimmingSpaces : "" }
            func invalid(_ index: Int, _ reason: String) throws(KvalitetError) {
                try report(
                    Problem(
                        .invalidValue, file: file.name, line: line, column: table.header[index], value: cell(index),
                        message: "\(file.name):\(line): \(table.header[index]): \(reason)"))
            }
            let label = cell(columns.x)
            if label.isEmpty {
                try invalid(columns.x, nb ? "mangler; raden tegnes ikke" : "missing; the row is not charted")
                continue
            }
            guard let value = AbsenceReader.decimal(cell(columns.y)), value.isFinite else {
                try invalid(columns.y, nb ? "er ikke et tall; raden tegnes ikke" : "is not a number; the row is not charted")
                continue
            }
            var denominator: Double?
            if let index = columns.n {
                guard let number = AbsenceReader.decimal(cell(index)), number.isFinite else {
                    try invalid(index, nb ? "er ikke et tall; raden tegnes ikke" : "is not a number; the row is not charted")
                    continue
                }
                denominator = number
                if kind.needsDenominator && number <= 0 {
                    try invalid(index, nb ? "må være større enn 0; raden tegnes ikke" : "must be above 0; the row is not charted")
                    continue
                }
            }
            if kind == .c || kind.needsDenominator, value < 0 {
                try invalid(
                    columns.y,
                    nb ? "er negativt (en telling); raden tegnes ikke" : "is negative (a count); the row is not charted")
                continue
            }
            if kind == .p || kind == .pp, let denominator, value > denominator {
                try invalid(
                    columns.y,
                    nb
                        ? "er større enn n (\(fullPrecision(denominator))); raden tegnes ikke"
                        : "is above n (\(fullPrecision(denominator))); the row is not charted")
                continue
            }
            series.charted += 1
            if let point = pointOf[label] {
                series.observations[point].y += value
                if let denominator { series.observations[point].n = (series.observations[point].n ?? 0) + denominator }
            } else {
                pointOf[label] = series.observations.count
                series.observations.append(SPCObservation(x: label, y: value, n: denominator))
            }
        }
        return series
    }

    /// A header cell names a column: compared trimmed and ignoring case.
    static func same(_ header: String, _ name: String) -> Bool {
        header.trimmingSpaces.lowercased() == name.trimmingSpaces.lowercased()
    }
}
