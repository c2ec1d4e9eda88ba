import ArgumentParser
import Foundation
import Kvalitet
import KvalitetStore

/// `--db` and its filters, for the commands that read responses (score, validate, report).
struct StoreOptions: ParsableArguments {
    @Option(
        help:
            "Read the responses from this results store (an SQLite file or a postgres:// URL) instead of files; --set then selects sets."
    )
    var db: String?
    @Option(help: "With --db: only this period (repeat for several).")
    var period: [String] = []
    @Option(help: "With --db: only this municipality, by name or number (repeat for several).")
    var municipality: [String] = []

    func validate() throws {
        if db == nil && (!period.isEmpty || !municipality.isEmpty) {
            throw ValidationError("--period and --municipality select from a store: give --db too")
        }
    }

    /// With `--db`: makes `job` read the store's selected responses instead of files (`set`, the
    /// job's `--set`, then selects a set) and returns the selection, to `finish()` after the run.
    func attach(to job: inout some OptionsJob) throws(KvalitetError) -> StoreSelection? {
        guard let db else { return nil }
        let store = try openExistingStore(db)
        let selection = store.selection(
            ResultsStore.Filter(
                sets: job.common.defaultSet.map { [$0] } ?? [],
                municipalities: municipality, periods: period))
        job.common.source = selection
        job.common.defaultSet = nil
        if !PostgresDatabase.isURL(db) { job.common.storeFile = db }
        return selection
    }
}

extension StoreOptions {
    /// With `--db`: makes the sick-leave job read the store's months instead of files.
    func attach(to job: inout AbsenceJob) throws(KvalitetError) -> StoreSelection? {
        guard let db else { return nil }
        let store = try openExistingStore(db)
        let selection = store.selection(ResultsStore.Filter(municipalities: municipality, periods: period))
        job.source = selection
        if !PostgresDatabase.isURL(db) { job.storeFile = db }
        return selection
    }
}

/// Opens a store that must exist already: reading commands never make an empty one.
func openExistingStore(_ db: String) throws(KvalitetError) -> ResultsStore {
    if !PostgresDatabase.isURL(db) && !FileManager.default.fileExists(atPath: db) {
        throw KvalitetError(
            .inputRefused, "no results store here (make one with kvalitet import --db \(db) FILES)",
            nb: "ingen resultatlager her (lag et med kvalitet import --db \(db) FILER)",
            at: SourceLocation(file: db))
    }
    // Reading never turns a file into a store: it must be an SQLite database already.
    if !PostgresDatabase.isURL(db) {
        // Its first 16 bytes only (a national store is gigabytes).
        let handle = FileHandle(forReadingAtPath: db)
        let head = Array((try? handle?.read(upToCount: 16)) ?? Data())
        try? handle?.close()
        if head != Array("SQLite format 3\u{0}".utf8) {
            throw KvalitetError(
                .inputRefused,
                head.isEmpty
                    ? "the file is empty, not a results store (make one with kvalitet import --db \(db) FILES)"
                    : "not a results store (an SQLite file made by kvalitet import)",
                at: SourceLocation(file: db))
        }
    }
    return try ResultsStore.open(db)
}

extension StoreSelection {
    /// Prints the selection's notes and closes the store.
    func finish() {
        for note in notes { printError("kvalitet: \(note)") }
        store.close()
    }
}

/// Where `import` and `history` keep the store when `--db` is not given.
let defaultStoreLocation = ProcessInfo.processInfo.environment["KVALITET_DB"] ?? "kvalitet.sqlite"

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Keep survey rounds in a results store (SQLite file or PostgreSQL), one transaction per file.",
        discussion: """
            Reads the files as `score` does and stores every response as read, the set definitions and the \
            registers. The same file again changes nothing; a corrected file for the same set, municipality, \
            period and unit replaces the earlier responses there (see `kvalitet history`). The store is \
            \(defaultStoreLocation) unless --db (or KVALITET_DB) says otherwise. Exit codes: 0 done, 1 usage \
            error, 2 input refused or store failure, 3 problems found under --strict, 130 interrupted.

            Examples:
              kvalitet import --db resultater.sqlite --register register.yaml data/2024/
              kvalitet score --db resultater.sqlite --municipality 3024 --period 2024
              kvalitet import --db resultater.sqlite --register register.yaml --absence fravaer/
              kvalitet absence --db resultater.sqlite --municipality 3024
            """)

    @Option(
        help:
            "The store: an SQLite file (made readable by its owner only) or a postgres:// URL (credentials also from PG* variables)."
    )
    var db: String = defaultStoreLocation
    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set of files that name none.")
    var set: String?
    @Option(help: "A register of units and sub-projects (YAML) to keep with the responses.")
    var register: [String] = []
    @Flag(help: "Stop at the first problem (exit code 3); the file being read is not kept.")
    var strict = false
    @Option(help: "Language of messages: nb or en.")
    var lang: Language = .nb
    @OptionGroup(title: "Limits and safety") var limits: LimitOptions
    @Option(help: "A sick-leave file or folder (FORMAT.md §8) to import (repeat for several).")
    var absence: [String] = []
    @Flag(name: [.short, .long], help: "No progress bar on a terminal (the lines per file are still written).")
    var quiet = false
    @Argument(help: "Response files, or folders of *.csv and *.xml files.")
    var inputs: [String] = []

    func run() throws {
        var job = ImportJob()
        job.absenceInputs = absence
        job.absenceReader = AbsenceReader(
            maxFieldBytes: limits.maxFieldMiB << 20, maxRecordBytes: limits.maxRecordMiB << 20,
            maxColumns: limits.maxColumns)
        job.store = db
        job.setDirectories = setDirectories
        job.defaultSet = set
        job.registerFiles = register
        job.strict = strict
        job.language = lang
        job.inputs = inputs
        job.readers = limits.readers
        do {
            try withProgressBar(quiet: quiet, language: lang) { (progress, standardError) throws(KvalitetError) in
                job.progress = progress
                try job.run(standardError: standardError)
            }
        } catch {
            fail(with: error, language: lang)
        }
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the imports of a results store: files, content hashes, counts, replacements.",
        discussion: "Example: kvalitet history --db resultater.sqlite --format csv")

    @Option(help: "The store: an SQLite file or a postgres:// URL.")
    var db: String = defaultStoreLocation
    @Option(help: "table or csv.")
    var format = "table"
    @Option(help: "Language of the table: nb or en.")
    var lang: Language = .nb
    @OptionGroup var csv: CSVOptions

    func run() throws {
        do {
            try list()
        } catch {
            fail(with: error, language: lang)
        }
    }

    private func list() throws(KvalitetError) {
        guard ["table", "csv"].contains(format) else {
            throw KvalitetError(
                .usage, "unknown --format \(format) (known: table, csv)", nb: "ukjent --format \(format) (kjente: table, csv)")
        }
        let store = try openExistingStore(db)
        defer { store.close() }
        let entries = try store.history()
        var out = StandardOutput()
        try out.write(
            format == "csv" ? HistoryWriter.csv(entries, style: csv.style) : HistoryWriter.table(entries, language: lang))
    }
}
