/// The text of `kvalitet sets list` and `kvalitet sets show`.
public enum SetDescriptions {
    public static func list(_ catalog: IndicatorSetCatalog, language: Language) -> String {
        var table: [[String]] = [
            [
                "id", "v", language == .nb ? "tittel" : "title",
                language == .nb ? "dimensjoner" : "dimensions", language == .nb ? "spørsmål" : "items",
                language == .nb ? "kilde" : "source",
            ]
        ]
        for set in catalog.sorted {
            table.append([
                set.id, String(set.version), set.title.text(language), String(set.dimensions.count),
                String(set.items.count), catalog.origins[set.id] ?? "",
            ])
        }
        return TableScoresWriter.align(table, left: [0, 2, 5])
    }

    public static func show(_ set: any IndicatorSet, language: Language) -> String {
        let nb = language == .nb
        var out = "\(set.title.text(language)) (\(set.id), v\(set.version))\n"
        let scale = set.scale
        out += (nb ? "Skala" : "Scale") + ": \(scale.min)–\(scale.max)"
        let labels = scale.codes.compactMap { code in scale.labels[code].map { "\(code) = \($0.text(language))" } }
        if !labels.isEmpty { out += " (" + labels.joined(separator: ", ") + ")" }
        out += "\n"
        if !scale.dontKnow.isEmpty {
            out += (nb ? "Vet ikke" : "Don't know") + ": " + scale.dontKnow.joined(separator: ", ") + "\n"
        }
        out +=
            (nb ? "Skåring" : "Scoring") + ": \(set.scoring.name), positive: \(set.scoring.positive); min_n: \(set.minN); "
            + "min_answered: \(set.minAnswered); report_items: \(set.reportItems)\n"
        for dimension in set.dimensions {
            out += "\n\(dimension.title.text(language)) [\(dimension.id)]\n"
            for item in dimension.items {
                out +=
                    "  \(item.id)\(item.reverse ? " (" + (nb ? "snudd" : "reversed") + ")" : ""): \(item.text.text(language))\n"
            }
        }
        return out
    }
}
