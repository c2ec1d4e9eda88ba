import Foundation
import Testing

@testable import Kvalitet
@testable import KvalitetStore

/// The two stores every store test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A fresh, empty store of one kind for one test: an SQLite file in a temporary folder, or a
/// schema of its own on the PostgreSQL server `.ci/run` starts (KVALITET_TEST_POSTGRES). Without
/// a server the PostgreSQL cases are skipped, unless KVALITET_REQUIRE_POSTGRES=1 (CI) makes that
/// a failure: they never pass silently there.
struct StoreFixture {
    let kind: StoreKind
    let folder: URL
    /// What `--db` takes.
    let location: String
    private let schema: String?
    private let baseURL: String?

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["KVALITET_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func make(_ kind: StoreKind, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> StoreFixture? {
        let folder = Support.temporaryFolder()
        switch kind {
        case .sqlite:
            return StoreFixture(
                kind: kind, folder: folder, location: folder.appendingPathComponent("store.sqlite").path,
                schema: nil, baseURL: nil)
        case .postgres:
            guard let url = postgresURL else {
                if ProcessInfo.processInfo.environment["KVALITET_REQUIRE_POSTGRES"] == "1" {
                    Issue.record(
                        "KVALITET_REQUIRE_POSTGRES=1 but KVALITET_TEST_POSTGRES is not set: no PostgreSQL to test",
                        sourceLocation: sourceLocation)
                }
                try? FileManager.default.removeItem(at: folder)
                return nil
            }
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(24)
            return StoreFixture(
                kind: kind, folder: folder,
                location: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)", schema: String(schema), baseURL: url)
        }
    }

    func open() throws -> ResultsStore { try ResultsStore.open(location) }

    /// The database itself, without the store's migrations.
    func database() throws -> any StoreDatabase {
        kind == .sqlite ? try SQLiteDatabase(path: location) : try PostgresDatabase(url: location)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: folder)
        if let schema, let baseURL, let database = try? PostgresDatabase(url: baseURL) {
            _ = try? database.write { try $0.execute("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE", []) }
            database.close()
        }
    }

    /// Imports `inputs` (and `registers`) in process; returns the reports and what went to standard error.
    @discardableResult
    func importFiles(
        _ inputs: [String], registers: [String] = [], strict: Bool = false, setDirectories: [String] = []
    )
        throws(KvalitetError) -> (reports: [ResultsStore.ImportReport], errors: String)
    {
        var job = ImportJob()
        job.store = location
        job.inputs = inputs
        job.registerFiles = registers
        job.strict = strict
        job.setDirectories = setDirectories
        var errors = ""
        let reports = try job.run { errors += $0 + "\n" }
        return (reports, errors)
    }

    /// `score --format csv` on the store's selection (with `rejects`, when given).
    func scoreCSV(
        _ filter: ResultsStore.Filter = .init(), registers: [String] = [], rejects: String? = nil
    )
        throws -> (output: String, result: ScoreResult)
    {
        let store = try open()
        defer { store.close() }
        let (output, _, result) = try Support.score { job in
            job.format = "csv"
            job.source = store.selection(filter)
            job.registerFiles = registers
            job.rejects = rejects
        }
        return (output, result)
    }

    /// How many response rows the store holds (all imports).
    func storedResponses() throws -> Int {
        let store = try open()
        defer { store.close() }
        return try store.database.read { try $0.rows("SELECT COUNT(*) FROM responses", [])[0][0].int ?? -1 }
    }
}

extension Support {
    static var samples: String { repository.appendingPathComponent("Samples").path }
    static var sampleRegister: String { repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path }

    /// `score --format csv` on files.
    static func scoreFilesCSV(
        _ inputs: [String], registers: [String] = [], rejects: String? = nil
    ) throws -> (output: String, result: ScoreResult) {
        let (output, _, result) = try score { job in
            job.format = "csv"
            job.inputs = inputs
            job.registerFiles = registers
            job.rejects = rejects
        }
        return (output, result)
    }

    /// A small sfo-foresatte CSV: one row per (id, unit, period, answers to trivsel-1, trivsel-2, helhet-1).
    static func sfoCSV(
        _ rows: [(id: String, unit: String, period: String, answers: [String])],
        municipality: String = "3024 Bærum"
    ) -> String {
        var text = "respondent;municipality;service;unit;period;set;trivsel-1;trivsel-2;helhet-1\n"
        for row in rows {
            text +=
                ([row.id, municipality, "SFO", row.unit, row.period, "sfo-foresatte"] + row.answers).joined(separator: ";") + "\n"
        }
        return text
    }

    /// `n` rows for `unit` with answers that depend on `shift` (so a corrected file differs).
    static func sfoRows(
        _ unit: String, _ n: Int, period: String = "2024", shift: Int = 0, prefix: String = "r"
    )
        -> [(id: String, unit: String, period: String, answers: [String])]
    {
        (0..<n).map { i in
            (
                "\(prefix)-\(unit)-\(i)", unit, period,
                [String(1 + (i + shift) % 6), String(1 + (i * 2 + shift) % 6), String(6 - (i + shift) % 6)]
            )
        }
    }
}
