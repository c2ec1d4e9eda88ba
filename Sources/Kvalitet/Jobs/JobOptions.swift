/// The choices `score`, `validate` and `report` share, in one place: the tool, the tests and the
/// jobs themselves set them once (`job.inputs = …` reaches them through the job too).
public struct JobOptions: Sendable {
    /// Folders of extra set definitions (`--sets`).
    public var setDirectories: [String] = []
    /// The set of files that name none (`--set`).
    public var defaultSet: String?
    /// Registers of units and sub-projects (`--register`).
    public var registerFiles: [String] = []
    /// The background variable of the breakdown rows (`--breakdown`).
    public var breakdown: String?
    /// Overrides every set's `min_n` (`--min-n`).
    public var minN: Int?
    /// `--format`.
    public var format = "table"
    /// Output file; standard output when nil or `-`.
    public var output: String?
    /// The problems report (`--rejects`).
    public var rejects: String?
    /// Stop at the first problem (`--strict`).
    public var strict = false
    /// `--csv-style` and `--excel-safe`: how CSV outputs (scores and rejects) are written.
    public var csv = CSVStyle.standard
    public var language = Language.nb
    /// Response files and folders.
    public var inputs: [String] = []
    /// Responses from a results store (`--db`) instead of `inputs`.
    public var source: (any ResponseSource)?
    /// The store's file when `source` is an SQLite store: no output may replace it.
    public var storeFile: String?
    /// How many parts a large file is read in at once (nil: one per core, at most 8).
    public var parts: Int?
    /// Where the read says how far it has come (the command line's progress bar), if anywhere.
    public var progress: ReadProgress?
    /// The readers the pipeline uses.
    public var readers: [any ResponseReader] = ScorePipeline.standardReaders

    public init() {}
}

/// A job whose shared choices are a ``JobOptions`` (`common`), each reachable as the job's own
/// property (`job.inputs`).
public protocol OptionsJob {
    var common: JobOptions { get set }
}

extension OptionsJob {
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<JobOptions, Value>) -> Value {
        get { common[keyPath: keyPath] }
        set { common[keyPath: keyPath] = newValue }
    }
}
