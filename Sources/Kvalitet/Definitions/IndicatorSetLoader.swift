import Foundation

/// Reads indicator set definitions (FORMAT.md §1) from YAML.
public struct IndicatorSetLoader: Sendable {
    /// Makes a scoring rule from a definition's `scoring:` name and `positive:` value.
    public typealias RuleFactory = @Sendable (_ positive: Int) -> any ScoringRule

    /// The scoring rules a definition may name. Add your own rule here, per loader.
    public var rules: [String: RuleFactory]

    public init(rules: [String: RuleFactory] = IndicatorSetLoader.standardRules) {
        self.rules = rules
    }

    /// `mean` and `share`.
    public static let standardRules: [String: RuleFactory] = [
        "mean": { MeanScoring(positive: $0) },
        "share": { ShareScoring(positive: $0) },
    ]

    static let topLevelKeys: Set<String> = [
        "id", "version", "title", "sector", "service", "respondent", "scale", "scoring", "positive",
        "min_n", "min_answered", "report_items", "dimensions",
    ]

    /// Parses one definition; `file` names it in errors.
    public func load(yaml text: String, file: String) throws(KvalitetError) -> DefinedIndicatorSet {
        let root = try YAMLNode.parse(text, file: file)
        try root.onlyKeys(Self.topLevelKeys)
        var nodes: [String: YAMLNode] = ["": root]
        func remember(_ node: YAMLNode) -> YAMLNode {
            nodes[node.path] = node
            return node
        }

        let id = try remember(root.required("id")).string()
        let version = try root.optional("version").map(remember)?.int() ?? 1
        let title = try root.required("title").localizedText()
        let metadata = IndicatorSetMetadata(
            sector: try root.optional("sector")?.string() ?? "",
            service: try root.optional("service")?.string() ?? "",
            respondent: try root.optional("respondent")?.string() ?? "")

        let scaleNode = try remember(root.required("scale"))
        try scaleNode.onlyKeys(["min", "max", "labels", "dont_know"])
        let min = try remember(scaleNode.required("min")).int()
        let max = try remember(scaleNode.required("max")).int()
        var labels: [Int: LocalizedText] = [:]
        if let labelNode = try scaleNode.optional("labels") {
            for (key, value) in try labelNode.mapping() {
                guard let code = Int(key.trimmingSpaces) else { throw value.refuse("a label's key must be a code of the scale") }
                labels[code] = try remember(value).localizedText()
            }
        }
        var dontKnow: [String] = []
        if let dontKnowNode = try scaleNode.optional("dont_know") {
            for entry in try dontKnowNode.sequence() { dontKnow.append(try remember(entry).string()) }
        }

        let scoringName = try root.optional("scoring").map(remember)?.string() ?? "mean"
        guard let factory = rules[scoringName] else {
            throw try root.required("scoring").refuse(
                "unknown scoring rule \"\(scoringName)\" (known: \(rules.keys.sorted().joined(separator: ", ")))")
        }
        let positiveNode = try root.optional("positive").map(remember)
        let positive: Int
        if let positiveNode {
            positive = try positiveNode.int()
        } else if scoringName == "share" {
            throw KvalitetError(
                .inputRefused, "positive: required with scoring: share (the code that counts as positive)",
                at: root.location)
        } else {
            // Top box by default: the two highest codes on a 1–6 scale, the highest on 1–5. (An
            // impossible scale, refused by the validator, must not overflow on the way there.)
            let (width, overflow) = max.subtractingReportingOverflow(min)
            positive = overflow ? max : max - width / 4
        }

        var dimensions: [QualityDimension] = []
        let dimensionList = try remember(root.required("dimensions"))
        for dimensionNode in try dimensionList.sequence() {
            _ = remember(dimensionNode)
            try dimensionNode.onlyKeys(["id", "title", "items"])
            let dimensionID = try remember(dimensionNode.required("id")).string()
            let dimensionTitle = try dimensionNode.required("title").localizedText()
            var items: [Item] = []
            for itemNode in try remember(dimensionNode.required("items")).sequence() {
                _ = remember(itemNode)
                try itemNode.onlyKeys(["id", "text", "reverse"])
                items.append(
                    Item(
                        id: try remember(itemNode.required("id")).string(),
                        text: try itemNode.required("text").localizedText(),
                        reverse: try itemNode.optional("reverse")?.bool() ?? false))
            }
            dimensions.append(QualityDimension(id: dimensionID, title: dimensionTitle, items: items))
        }

        let set = DefinedIndicatorSet(
            id: id, version: version, title: title,
            scale: Scale(min: min, max: max, labels: labels, dontKnow: dontKnow),
            scoring: factory(positive), dimensions: dimensions, metadata: metadata,
            minN: try root.optional("min_n").map(remember)?.int() ?? 5,
            minAnswered: try root.optional("min_answered").map(remember)?.double() ?? 0.5,
            reportItems: try root.optional("report_items")?.bool() ?? true)

        if let violation = IndicatorSetValidator.violations(in: set).first {
            // Point at the node the rule is about, or the nearest enclosing one.
            var path = violation.path
            while nodes[path] == nil, let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) {
                path = String(path[..<cut])
            }
            let node = nodes[path] ?? root
            var location = node.location
            location.field = violation.path
            throw KvalitetError(.inputRefused, violation.description, at: location)
        }
        return set
    }

    /// Reads one definition file.
    public func load(file url: URL) throws(KvalitetError) -> DefinedIndicatorSet {
        try load(yaml: try readDefinitionText(url), file: url.relativePath)
    }
}

/// Reads a small definition file (set or register) as UTF-8 text, refusing very large ones.
public func readDefinitionText(_ url: URL, limit: Int = 4 << 20) throws(KvalitetError) -> String {
    let location = SourceLocation(file: url.relativePath)
    let data: Data
    do {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        data = try handle.read(upToCount: limit + 1) ?? Data()
    } catch {
        throw KvalitetError(
            .inputRefused, "cannot read the file: \(describeFileError(error))",
            nb: "kan ikke lese filen: \(describeFileError(error))", at: location)
    }
    if data.count > limit {
        throw KvalitetError(
            .inputRefused, "a definition file may be at most \(limit >> 20) MiB",
            nb: "en definisjonsfil kan være høyst \(limit >> 20) MiB", at: location)
    }
    guard var text = String(data: data, encoding: .utf8) else {
        throw KvalitetError(.inputRefused, "definition files must be UTF-8", nb: "definisjonsfiler må være UTF-8", at: location)
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    return text
}

/// A short reason for a file system error, without Foundation's long domain text.
func describeFileError(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
        let code = POSIXErrorCode(rawValue: Int32(underlying.code))
    {
        return String(cString: strerror(code.rawValue))
    }
    if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
    if nsError.domain == NSCocoaErrorDomain {
        switch nsError.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        default: break
        }
    }
    return nsError.localizedDescription
}
