/// `--format table`: the report a pilot tester acts on. Per dimension a verdict line (alpha with
/// its interval, omega, unit ICC, n), the items with what weakens them and their distribution of
/// answers as a text bar, then a closing list of suggested actions. Norwegian by default.
public struct TableValidationWriter: ValidationWriter {
    public var name: String { "table" }
    public init() {}

    public func write(_ result: ValidationResult, language: Language, to output: inout some TextOutput) throws(KvalitetError) {
        let text = ValidationText(language: language)
        var index = 0
        let rows = result.rows
        var first = true
        while index < rows.count {
            var end = index + 1
            while end < rows.count, rows[end].set == rows[index].set, rows[end].period == rows[index].period { end += 1 }
            let slice = Array(rows[index..<end])
            let set = result.sets[slice[0].set]
            let respondents = result.respondents["\(slice[0].set)\u{1F}\(slice[0].period)"] ?? 0
            try output.write(
                TerminalText.escaped((first ? "" : "\n") + report(slice, set: set, respondents: respondents, text: text)))
            first = false
            index = end
        }
    }

    private func report(_ rows: [ValidationRow], set: (any IndicatorSet)?, respondents: Int, text: ValidationText) -> String {
        let heading = text.heading(
            set?.title.text(text.language) ?? rows[0].set, period: rows[0].period, respondents: respondents)
        var out = heading + "\n" + String(repeating: "═", count: heading.count) + "\n"
        var actions: [String] = []
        var index = 0
        while index < rows.count {
            let dimension = rows[index]
            var end = index + 1
            while end < rows.count, !rows[end].isDimension { end += 1 }
            let items = Array(rows[(index + 1)..<end])
            let title = set?.dimensions.first { $0.id == dimension.dimension }?.title.text(text.language) ?? dimension.dimension
            let weak = items.filter { item in
                (item.itemTotalR.map { $0 < ValidationThresholds.itemTotalLow } ?? false)
                    || (item.alphaIfDeleted.flatMap { deleted in
                        dimension.alpha.map { deleted > $0 + ValidationThresholds.alphaGain }
                    } ?? false)
            }.sorted { ($0.itemTotalR ?? 0) < ($1.itemTotalR ?? 0) }
            out += "\n" + text.verdict(title, dimension, weak: weak) + "\n"
            out += table(items, set: set, text: text)
            let reversed = Set(set?.dimensions.first { $0.id == dimension.dimension }?.items.filter(\.reverse).map(\.id) ?? [])
            actions += text.actions(title, dimension, items: items, weak: weak, reversed: reversed)
            index = end
        }
        out += "\n" + text.actionsHeading + "\n"
        out += actions.isEmpty ? "  " + text.noActions + "\n" : actions.map { "  • " + $0 + "\n" }.joined()
        return out
    }

    private func table(_ items: [ValidationRow], set: (any IndicatorSet)?, text: ValidationText) -> String {
        let scale = set.map { "\($0.scale.min)–\($0.scale.max)" } ?? ""
        var table: [[String]] = [text.itemHeader(scale: scale)]
        for item in items {
            let weakMark = item.flags.contains { $0 == "item-total-low" || $0 == "item-negative" } ? " !" : ""
            table.append([
                item.item + weakMark, "\(item.n)", item.itemTotalR.map(text.decimal2) ?? "",
                item.alphaIfDeleted.map(text.alphaText) ?? "", item.floor.map(text.percent) ?? "",
                item.ceiling.map(text.percent) ?? "", item.dontKnowShare.map(text.percent) ?? "",
                item.unansweredShare.map(text.percent) ?? "", Self.bar(item),
            ])
        }
        return TableScoresWriter.align(table, left: [0, 8])
    }

    /// Counts per code as block heights (`·` for none), then don't know: "▁▂▃▅█▆ | ▂  (2 5 9 14 30 20 | 4)".
    static func bar(_ item: ValidationRow) -> String {
        guard let counts = item.distribution else { return "" }
        let dontKnow = item.dontKnow ?? 0
        let largest = max(1, (counts + [dontKnow]).max() ?? 1)
        let blocks = Array("▁▂▃▄▅▆▇█")
        func block(_ count: Int) -> String {
            guard count > 0 else { return "·" }
            let level = Int((Double(count) / Double(largest) * 8).rounded(.up)) - 1
            return String(blocks[min(7, max(0, level))])
        }
        return counts.map(block).joined() + " | " + block(dontKnow)
            + "  (" + counts.map(String.init).joined(separator: " ") + " | \(dontKnow))"
    }
}

/// Texts of the validation report, in Norwegian bokmål or English.
struct ValidationText {
    let language: Language
    private var nb: Bool { language == .nb }
    private func pick(_ nb: String, _ en: String) -> String { self.nb ? nb : en }

    func decimal2(_ value: Double) -> String { decimal(value, places: 2) }

    /// Alpha with two decimals, or as many more (up to five) as it takes not to look equal to a
    /// threshold it is below or above (else "0,70 — lav" would puzzle).
    func alphaText(_ alpha: Double) -> String {
        var places = 2
        while places < 5,
            [ValidationThresholds.alphaLow, ValidationThresholds.alphaHigh].contains(where: { threshold in
                alpha != threshold && decimal(alpha, places: places) == decimal(threshold, places: places)
            })
        {
            places += 1
        }
        return decimal(alpha, places: places)
    }

    /// Rounded half away from zero, decimal comma in Norwegian, a real minus sign.
    func decimal(_ value: Double, places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded(.toNearestOrAwayFromZero))
        let sign = scaled < 0 ? "−" : ""
        let fraction = String(abs(scaled) % scale)
        return "\(sign)\(abs(scaled) / scale)\(nb ? "," : ".")" + String(repeating: "0", count: places - fraction.count)
            + fraction
    }

    func percent(_ share: Double) -> String { "\(Int((share * 100).rounded(.toNearestOrAwayFromZero))) %" }

    func heading(_ title: String, period: String, respondents: Int) -> String {
        pick(
            "Validering: \(title) · \(period) · \(respondents) respondenter",
            "Validation: \(title) · \(period) · \(respondents) respondents")
    }

    func itemHeader(scale: String) -> [String] {
        [
            pick("spørsmål", "item"), "n", "r", pick("α uten", "α w/o"), pick("gulv", "floor"), pick("tak", "ceiling"),
            pick("vet ikke", "don't know"), pick("ubesvart", "unanswered"),
            pick("svar \(scale) | vet ikke", "answers \(scale) | don't know"),
        ]
    }

    private func few(_ n: Int) -> String {
        n < ValidationThresholds.fewAnswers ? pick(" (få svar!)", " (few answers!)") : ""
    }

    /// "Brukermedvirkning: α = 0,64 [0,58–0,70] — lav; sjekk medvirkning-2 (r = 0,12)".
    func verdict(_ title: String, _ row: ValidationRow, weak: [ValidationRow]) -> String {
        guard let alpha = row.alpha else {
            let reason =
                row.k < 2
                ? pick("ett spørsmål: α kan ikke beregnes", "one item: α cannot be computed")
                : pick(
                    "α kan ikke beregnes (for få svar eller ingen variasjon)",
                    "α cannot be computed (too few answers or no variation)")
            return "\(title): \(reason) · n = \(row.n)\(few(row.n))"
        }
        var line = "\(title): α = \(alphaText(alpha))"
        if let low = row.alphaCILow, let high = row.alphaCIHigh { line += " [\(decimal2(low))–\(decimal2(high))]" }
        let word: String
        if alpha < ValidationThresholds.alphaLow {
            word = pick("lav", "low")
        } else if alpha > ValidationThresholds.alphaHigh {
            word = pick("svært høy", "very high")
        } else {
            word = pick("god", "good")
        }
        line += " — " + word
        if let worst = weak.first {
            line += pick("; sjekk ", "; check ") + worst.item + (worst.itemTotalR.map { " (r = \(decimal2($0)))" } ?? "")
        }
        if let omega = row.omega { line += " · ω = \(decimal2(omega))" }
        if let icc = row.unitICC {
            line += " · ICC = \(decimal2(icc))" + (row.units.map { pick(" (\($0) enheter)", " (\($0) units)") } ?? "")
        }
        return line + " · n = \(row.n)\(few(row.n))"
    }

    var actionsHeading: String { pick("Forslag", "Suggested actions") }
    var noActions: String { pick("Ingen: settet ser bra ut på disse dataene.", "None: the set looks sound on these data.") }

    func actions(
        _ title: String, _ dimension: ValidationRow, items: [ValidationRow], weak: [ValidationRow],
        reversed: Set<String>
    ) -> [String] {
        var out: [String] = []
        if let alpha = dimension.alpha, alpha < ValidationThresholds.alphaLow {
            let named = weak.map { item in
                "\(item.item) (r = \(item.itemTotalR.map(decimal2) ?? "–")"
                    + (item.alphaIfDeleted.map { pick("; α uten = ", "; α without = ") + alphaText($0) } ?? "") + ")"
            }
            out.append(
                pick("\(title): α = \(alphaText(alpha)) er lav.", "\(title): α = \(alphaText(alpha)) is low.")
                    + (named.isEmpty
                        ? pick(" Vurder flere eller tydeligere spørsmål.", " Consider more or clearer items.")
                        : pick(" Skriv om eller bytt ut ", " Rewrite or replace ") + named.joined(separator: ", ") + "."))
        }
        if let alpha = dimension.alpha, alpha > ValidationThresholds.alphaHigh {
            out.append(
                pick(
                    "\(title): α = \(alphaText(alpha)) er svært høy: spørsmålene overlapper trolig; vurder å fjerne ett.",
                    "\(title): α = \(alphaText(alpha)) is very high: the items probably overlap; consider dropping one."))
        }
        if let icc = dimension.unitICC, icc < ValidationThresholds.iccNearZero {
            out.append(
                pick(
                    "\(title) skiller knapt mellom enhetene (ICC = \(decimal2(icc))): egner seg dårlig til å sammenligne enheter.",
                    "\(title) hardly tells units apart (ICC = \(decimal2(icc))): a poor basis for comparing units."))
        }
        if dimension.n < ValidationThresholds.fewAnswers {
            out.append(
                pick(
                    "\(title): tallene bygger på bare \(dimension.n) svar; ta dem med forbehold.",
                    "\(title): the figures rest on only \(dimension.n) answers; read them with caution."))
        }
        let lowAlpha = dimension.alpha.map { $0 < ValidationThresholds.alphaLow } ?? false
        for item in items {
            if item.flags.contains("item-negative"), let r = item.itemTotalR {
                out.append(
                    pick(
                        "\(item.item) peker motsatt vei av resten av \(title) (r = \(decimal2(r))): skal det være snudd (reverse: true)?",
                        "\(item.item) points the other way from the rest of \(title) (r = \(decimal2(r))): should it be reversed (reverse: true)?"
                    ))
            } else if item.flags.contains("item-total-low"), !lowAlpha, let r = item.itemTotalR {
                out.append(
                    pick(
                        "\(item.item) henger svakt sammen med resten av \(title) (r = \(decimal2(r))): skriv om eller flytt det.",
                        "\(item.item) relates weakly to the rest of \(title) (r = \(decimal2(r))): rewrite or move it."))
            }
        }
        // Floor and ceiling are on the raw answers; for a reversed item the lowest answer is the best.
        func list(_ rows: [ValidationRow], _ share: (ValidationRow) -> Double?) -> String {
            rows.map { "\($0.item) (\(share($0).map(percent) ?? ""))" }.joined(separator: ", ")
        }
        let best = items.filter { reversed.contains($0.item) ? $0.flags.contains("floor") : $0.flags.contains("ceiling") }
        let worst = items.filter { reversed.contains($0.item) ? $0.flags.contains("ceiling") : $0.flags.contains("floor") }
        let bestShare = { (row: ValidationRow) in reversed.contains(row.item) ? row.floor : row.ceiling }
        let worstShare = { (row: ValidationRow) in reversed.contains(row.item) ? row.ceiling : row.floor }
        if !best.isEmpty {
            out.append(
                pick(
                    "\(title): mange gir beste svar (takeffekt) på \(list(best, bestShare)); skjerp påstandene om endringer skal synes.",
                    "\(title): many give the best answer (ceiling effect) to \(list(best, bestShare)); sharpen the statements if change is to show."
                ))
        }
        if !worst.isEmpty {
            out.append(
                pick(
                    "\(title): mange gir dårligste svar (gulveffekt) på \(list(worst, worstShare)); sjekk formuleringen.",
                    "\(title): many give the worst answer (floor effect) to \(list(worst, worstShare)); check the wording."))
        }
        let unknown = items.filter { $0.flags.contains("dont-know-high") }
        if !unknown.isEmpty {
            out.append(
                pick(
                    "\(title): mange svarer «vet ikke» på \(list(unknown, \.dontKnowShare)); avgrens eller fjern spørsmålene.",
                    "\(title): many answer \"don't know\" to \(list(unknown, \.dontKnowShare)); narrow them down or drop them."))
        }
        let skipped = items.filter { $0.flags.contains("unanswered-high") }
        if !skipped.isEmpty {
            out.append(
                pick(
                    "\(title): mange hopper over \(list(skipped, \.unansweredShare)); er spørsmålene uklare eller ømfintlige?",
                    "\(title): many skip \(list(skipped, \.unansweredShare)); are the items unclear or sensitive?"))
        }
        return out
    }
}
