import Foundation

/// The indicator sets of a run: the nine built-in ones, plus any from `--sets` folders or Swift.
public struct IndicatorSetCatalog: Sendable {
    /// The sets by id.
    public private(set) var sets: [String: any IndicatorSet] = [:]
    /// Where each set came from (a file path, or `built-in`), for `sets list` and messages.
    public private(set) var origins: [String: String] = [:]
    /// The YAML text of each set loaded from one (what a results store keeps with its responses).
    public private(set) var texts: [String: String] = [:]

    public init() {}

    /// The nine sets that ship with kvalitet (compiled in, so they are found from any folder).
    public static func builtIn(loader: IndicatorSetLoader = IndicatorSetLoader()) throws(KvalitetError) -> IndicatorSetCatalog {
        var catalog = IndicatorSetCatalog()
        for (name, text) in BuiltInIndicatorSets.definitions {
            let set = try loader.load(yaml: text, file: "IndicatorSets/\(name)")
            try catalog.add(set, origin: "built-in")
            catalog.texts[set.id] = text
        }
        return catalog
    }

    /// Sets ordered by id.
    public var sorted: [any IndicatorSet] {
        sets.keys.sorted().compactMap { sets[$0] }
    }

    public subscript(id: String) -> (any IndicatorSet)? { sets[id] }

    /// Adds a set; a second set with the same id from the same kind of origin is an error.
    public mutating func add(_ set: any IndicatorSet, origin: String) throws(KvalitetError) {
        try Self.check(set, origin: origin)
        if let earlier = origins[set.id], earlier != "built-in" {
            throw KvalitetError(
                .inputRefused, "set id \"\(set.id)\" is defined twice (also in \(earlier))",
                nb: "skjemaet «\(set.id)» er definert to ganger (også i \(earlier))",
                at: SourceLocation(file: origin, field: "id"))
        }
        put(set, origin: origin, text: nil)
    }

    /// Puts `set` in place of any set with its id (the definition a results store kept).
    public mutating func replace(_ set: any IndicatorSet, origin: String, text: String?) throws(KvalitetError) {
        try Self.check(set, origin: origin)
        put(set, origin: origin, text: text)
    }

    /// Refuses a set that breaks a rule of FORMAT.md §1.
    private static func check(_ set: any IndicatorSet, origin: String) throws(KvalitetError) {
        if let violation = IndicatorSetValidator.violations(in: set).first {
            throw KvalitetError(.inputRefused, "set \(set.id): \(violation)", at: SourceLocation(file: origin))
        }
    }

    private mutating func put(_ set: any IndicatorSet, origin: String, text: String?) {
        sets[set.id] = set
        origins[set.id] = origin
        texts[set.id] = text
    }

    /// Adds every `*.yaml` / `*.yml` file in `directory`. A set with the id of a built-in one
    /// replaces it (a pilot tester's edited copy); two files with one id is an error.
    public mutating func addDirectory(_ directory: URL, loader: IndicatorSetLoader = IndicatorSetLoader()) throws(KvalitetError) {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { ["yaml", "yml"].contains($0.pathExtension.lowercased()) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw KvalitetError(
                .inputRefused, "cannot read the folder of sets: \(describeFileError(error))",
                nb: "kan ikke lese mappen med skjemaer: \(describeFileError(error))",
                at: SourceLocation(file: directory.relativePath))
        }
        for file in files {
            let relative = directory.appendingPathComponent(file.lastPathComponent)
            let text = try readDefinitionText(relative)
            let set = try loader.load(yaml: text, file: relative.relativePath)
            try add(set, origin: relative.relativePath)
            texts[set.id] = text
        }
    }
}
