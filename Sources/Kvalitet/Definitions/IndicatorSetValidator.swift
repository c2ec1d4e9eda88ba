/// The rules every indicator set must follow (FORMAT.md §1), for YAML and Swift sets alike.
public enum IndicatorSetValidator {
    /// Codes on a scale, minus one (bedrekommune scales have 5 or 6 codes).
    public static let maxScaleWidth = 100
    /// Dimensions and items of one set (the largest real sets have about 10 and 50).
    public static let maxDimensions = 100
    public static let maxItems = 1_000

    /// One broken rule: the key path in the definition and the reason.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Column names the readers use for other things; an item may not take one.
    static let reservedColumns: Set<String> = [
        "respondent", "besvarelse", "respondent_id", "id", "municipality", "kommune", "service",
        "tjeneste", "unit", "enhet", "period", "periode", "year", "år", "set", "skjema",
        "subproject", "delprosjekt", "status",
    ]

    /// Every rule `set` breaks, in definition order; empty when it is valid.
    public static func violations(in set: any IndicatorSet) -> [Violation] {
        var found: [Violation] = []
        func fail(_ path: String, _ reason: String) { found.append(Violation(path: path, reason: reason)) }

        if !isIdentifier(set.id) { fail("id", "\"\(set.id)\" must be lowercase letters, digits and '-'") }
        if set.version < 1 { fail("version", "must be 1 or more") }
        let scale = set.scale
        // Not `scale.codes.contains`: the range traps when min > max, which is refused just below.
        func onScale(_ code: Int) -> Bool { code >= scale.min && code <= scale.max }
        let (width, overflow) = scale.max.subtractingReportingOverflow(scale.min)
        if scale.min >= scale.max {
            fail("scale.max", "must be greater than scale.min (\(scale.min))")
        } else if overflow || width > Self.maxScaleWidth {
            fail("scale.max", "a scale has at most \(Self.maxScaleWidth + 1) codes")
        }
        // Limits that keep memory bounded (each group keeps a count per item and code).
        if set.dimensions.count > Self.maxDimensions {
            fail("dimensions", "a set has at most \(Self.maxDimensions) dimensions")
        }
        if set.items.count > Self.maxItems { fail("dimensions", "a set has at most \(Self.maxItems) items") }
        for code in scale.labels.keys where !onScale(code) {
            fail("scale.labels.\(code)", "is not on the scale \(scale.min)–\(scale.max)")
        }
        for (index, answer) in scale.dontKnow.enumerated() {
            let trimmed = answer.trimmingSpaces
            if trimmed.isEmpty { fail("scale.dont_know[\(index)]", "must not be empty") }
            if let code = Int(trimmed), onScale(code) {
                fail("scale.dont_know[\(index)]", "\"\(answer)\" is a valid code of the scale")
            }
        }
        if !onScale(set.scoring.positive) {
            fail("positive", "\(set.scoring.positive) is not on the scale \(scale.min)–\(scale.max)")
        }
        if set.minN < 1 { fail("min_n", "must be 1 or more") }
        if !(set.minAnswered > 0 && set.minAnswered <= 1) { fail("min_answered", "must be above 0 and at most 1") }
        if set.dimensions.isEmpty { fail("dimensions", "a set needs at least one dimension") }

        var dimensionIDs: Set<String> = []
        var itemIDs: Set<String> = []
        for (d, dimension) in set.dimensions.enumerated() {
            let path = "dimensions[\(d)]"
            if !isIdentifier(dimension.id) {
                fail("\(path).id", "\"\(dimension.id)\" must be lowercase letters, digits and '-'")
            } else if !dimensionIDs.insert(dimension.id).inserted {
                fail("\(path).id", "\"\(dimension.id)\" is used by another dimension")
            }
            if dimension.items.isEmpty { fail("\(path).items", "a dimension needs at least one item") }
            for (i, item) in dimension.items.enumerated() {
                let itemPath = "\(path).items[\(i)].id"
                let folded = item.id.lowercased()
                if item.id.isEmpty || item.id.trimmingSpaces != item.id
                    || item.id.contains(where: { $0 == "," || $0 == ";" || $0 == "\"" })
                {
                    fail(itemPath, "\"\(item.id)\" must be non-empty, without spaces at the ends, commas, semicolons or quotes")
                } else if reservedColumns.contains(folded) || folded.hasPrefix("bg.") || folded.hasPrefix("bakgrunn.") {
                    fail(itemPath, "\"\(item.id)\" is a reserved column name")
                } else if !itemIDs.insert(folded).inserted {
                    fail(itemPath, "\"\(item.id)\" is used by another item (ids are compared ignoring case)")
                }
            }
        }
        return found
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}
