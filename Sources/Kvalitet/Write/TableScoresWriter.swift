/// `--format table`: for people. One block per set, period and group with its dimensions (and,
/// for all responses and whole municipalities, the items), one decimal, suppressed figures
/// shown as "færre enn N svar", aligned columns. CSV and JSON carry every row in full.
public struct TableScoresWriter: ScoresWriter {
    public var name: String { "table" }
    /// The `min_n` to name in "færre enn N svar", per set (the run's `--min-n` when given).
    public var minNOverride: Int?

    public init(minNOverride: Int? = nil) {
        self.minNOverride = minNOverride
    }

    public func write(_ result: ScoreResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let labels = Labels(language: language)
        var index = 0
        let rows = result.rows
        var lastHeading = ""
        while index < rows.count {
            // One block: the rows of one group, set and period.
            let first = rows[index]
            var end = index + 1
            while end < rows.count, rows[end].group == first.group, rows[end].set == first.set,
                rows[end].period == first.period
            {
                end += 1
            }
            let set = result.sets[first.set]
            let minN = minNOverride ?? set?.minN ?? 5
            let heading = "\(set?.title.text(language) ?? first.set) · \(first.period)"
            if heading != lastHeading {
                try output.write(
                    TerminalText.escaped(
                        (lastHeading.isEmpty ? "" : "\n") + heading + "\n"
                            + String(repeating: "═", count: heading.count) + "\n"))
                lastHeading = heading
            }
            try output.write(
                TerminalText.escaped("\n" + groupLine(first, names: result.names, labels: labels, minN: minN) + "\n"))
            // A group whose every row is suppressed shows only its line (the `all` level too).
            if !rows[index..<end].allSatisfy(\.suppressed) {
                let showItems = first.group.level == .all || (first.group.level == .municipality && first.group.breakdown.isEmpty)
                try output.write(
                    TerminalText.escaped(block(rows[index..<end], set: set, showItems: showItems, labels: labels, minN: minN)))
            }
            index = end
        }
    }

    private func groupLine(_ row: ScoreRow, names: GroupNames, labels: Labels, minN: Int) -> String {
        var line = labels.level(row.group, names: names) + " · \(labels.responses): \(row.respondents)"
        if let invited = row.invited, let rate = row.responseRate {
            line += " \(labels.of) \(invited) (\(labels.percent(rate)))"
        }
        if row.suppressed && row.kind == .total {
            line += " · " + (row.respondents < minN ? labels.fewerThan(minN) : labels.protectsSmallGroup)
        }
        return line
    }

    private func block(
        _ rows: ArraySlice<ScoreRow>, set: (any IndicatorSet)?, showItems: Bool, labels: Labels, minN: Int
    ) -> String {
        var table: [[String]] = [[labels.dimension, "n", labels.mean, labels.interval, labels.positive]]
        for row in rows where row.kind != .item || showItems {
            let name: String
            switch row.kind {
            case .total: name = labels.total
            case .dimension:
                name = set?.dimensions.first { $0.id == row.dimension }?.title.text(labels.language) ?? row.dimension
            case .item: name = "  " + row.item
            }
            if row.suppressed {
                table.append([name, "", labels.hiddenNote(row, minN: minN), "", ""])
                continue
            }
            let interval: String
            if let low = row.ciLow, let high = row.ciHigh {
                interval = labels.decimal(low) + "–" + labels.decimal(high)
            } else {
                interval = ""
            }
            table.append([
                name, row.n.map(String.init) ?? "", row.mean.map { labels.decimal($0) } ?? "", interval,
                row.positiveShare.map { labels.percent($0) } ?? "",
            ])
        }
        return Self.align(table)
    }

    /// Pads columns to equal width: the `left` columns (text) left-aligned, the others (figures) right.
    static func align(_ table: [[String]], left: Set<Int> = [0]) -> String {
        guard let columns = table.first?.count else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in table { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        var out = ""
        for row in table {
            var cells: [String] = []
            for (c, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                cells.append(left.contains(c) ? cell + pad : pad + cell)
            }
            var line = "  " + cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
