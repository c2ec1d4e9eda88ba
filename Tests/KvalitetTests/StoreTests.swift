import Foundation
import Testing

@testable import Kvalitet
@testable import KvalitetStore

/// The results store (issue #5), the same tests on SQLite and on PostgreSQL. Expected results come
/// from scoring the files themselves (the file pipeline is tested against independent figures
/// elsewhere), or are counted by hand from the few rows each test writes.
@Suite(.serialized) struct StoreTests {
    @Test(arguments: StoreKind.allCases)
    func samplesImportedTwiceScoreAsTheFiles(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        let first = try store.importFiles([Support.samples], registers: [Support.sampleRegister])
        #expect(first.reports.count == 4)
        #expect(first.reports.allSatisfy { if case .imported = $0.outcome { true } else { false } })
        let second = try store.importFiles([Support.samples], registers: [Support.sampleRegister])
        #expect(second.reports.allSatisfy { if case .unchanged = $0.outcome { true } else { false } }, "\(second.reports)")
        #expect(second.errors.contains("0 filer importert, 4 uendret"))
        #expect(try store.open().history().count == 4)

        let rejectsFiles = store.folder.appendingPathComponent("files-rejects.csv").path
        let rejectsStore = store.folder.appendingPathComponent("store-rejects.csv").path
        let files = try Support.scoreFilesCSV([Support.samples], registers: [Support.sampleRegister], rejects: rejectsFiles)
        let stored = try store.scoreCSV(rejects: rejectsStore)
        #expect(stored.output == files.output)
        #expect(stored.result.summary == files.result.summary)
        #expect(
            try String(contentsOfFile: rejectsStore, encoding: .utf8) == String(contentsOfFile: rejectsFiles, encoding: .utf8))
        #expect(files.output.split(separator: "\n").count > 100)

        // validate and report from the store equal them from the files too.
        let opened = try store.open()
        defer { opened.close() }
        var validateFiles = ValidateJob()
        validateFiles.inputs = [Support.samples]
        validateFiles.format = "csv"
        var validateStore = validateFiles
        validateStore.inputs = []
        validateStore.source = opened.selection()
        var a = StringOutput()
        var b = StringOutput()
        _ = try validateFiles.run(standardOutput: &a) { _ in }
        _ = try validateStore.run(standardOutput: &b) { _ in }
        #expect(a.text == b.text && a.text.count > 1000)

        var reportFiles = ReportJob()
        reportFiles.inputs = [Support.samples]
        reportFiles.registerFiles = [Support.sampleRegister]
        reportFiles.output = store.folder.appendingPathComponent("files.html").path
        var reportStore = reportFiles
        reportStore.inputs = []
        reportStore.registerFiles = []
        reportStore.source = opened.selection()
        reportStore.output = store.folder.appendingPathComponent("store.html").path
        try reportFiles.run { _ in }
        try reportStore.run { _ in }
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: reportFiles.output!))
                == Data(contentsOf: URL(fileURLWithPath: reportStore.output!)))
    }

    @Test(arguments: StoreKind.allCases)
    func filtersSelectASetMunicipalityAndPeriod(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        try store.importFiles([Support.samples], registers: [Support.sampleRegister])
        // The expected: the sample file's 2025 rows alone (duplicates are per set and period, so
        // leaving 2024 out changes nothing else), scored as a file.
        // The sample is Windows-1252, as Norwegian Excel writes it; the part stays so.
        let lines = try String(contentsOfFile: Support.samples + "/sfo-foresatte-eksempelvik.csv", encoding: .windowsCP1252)
        let records = try CSVTestRecords.split(lines)
        let kept = [records[0]] + records.dropFirst().filter { $0.contains(";2025;") }
        #expect(kept.count > 50 && kept.count < records.count - 50)
        let only2025 = store.folder.appendingPathComponent("sfo-2025.csv").path
        try kept.joined().data(using: .windowsCP1252)!.write(to: URL(fileURLWithPath: only2025))
        let expected = try Support.scoreFilesCSV([only2025], registers: [Support.sampleRegister])
        for municipality in ["9999", "9999 Eksempelvik (fiktiv)"] {
            let stored = try store.scoreCSV(.init(sets: ["sfo-foresatte"], municipalities: [municipality], periods: ["2025"]))
            #expect(stored.output == expected.output)
        }
        do {
            _ = try store.scoreCSV(.init(municipalities: ["0301"]))
            Issue.record("an unknown municipality selected nothing without a word")
        } catch let error as KvalitetError {
            #expect(error.code == .usage && error.message.contains("9999 Eksempelvik (fiktiv)"), "\(error)")
        }
        for filter in [ResultsStore.Filter(periods: ["2099"]), ResultsStore.Filter(sets: ["skole-elever"])] {
            do {
                _ = try store.scoreCSV(filter)
                Issue.record("a filter that selects nothing went unnoticed: \(filter)")
            } catch let error as KvalitetError {
                #expect(error.code == .usage && error.message.contains("it has:"), "\(error)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func problemsOutsideResponsesComeBackInFileOrder(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        // A CSV row with more fields than the header, and XML elements the format does not know
        // (one a response outside a unit): the readers report these, not the rules.
        var csv = Support.sfoCSV(Support.sfoRows("u1", 3))
        csv += "extra;3024 Bærum;SFO;u1;2024;sfo-foresatte;1;2;3;4;5\n"
        csv +=
            Support.sfoCSV(Support.sfoRows("u2", 2)).split(separator: "\n", omittingEmptySubsequences: true).dropFirst()
            .joined(separator: "\n") + "\n"
        let csvPath = Support.write(csv, to: "a.csv", in: store.folder)
        let xmlPath = Support.write(
            """
            <survey set="sfo-foresatte" municipality="3024 Bærum" period="2025">
              <note>x</note>
              <unit id="u1" service="SFO">
                <response id="x1"><answer item="trivsel-1">5</answer><extra/></response>
              </unit>
              <response id="loose"><answer item="trivsel-1">4</answer></response>
              <unit id="u2" service="SFO">
                <response id="x2"><answer item="trivsel-1">''</answer></response>
              </unit>
            </survey>
            """, to: "b.xml", in: store.folder)
        try store.importFiles([csvPath, xmlPath])
        let rejectsFiles = store.folder.appendingPathComponent("files.csv").path
        let rejectsStore = store.folder.appendingPathComponent("store.csv").path
        let files = try Support.scoreFilesCSV([csvPath, xmlPath], rejects: rejectsFiles)
        let stored = try store.scoreCSV(rejects: rejectsStore)
        let expectedRejects = try String(contentsOfFile: rejectsFiles, encoding: .utf8)
        #expect(try String(contentsOfFile: rejectsStore, encoding: .utf8) == expectedRejects)
        for kind in ["field-count", "unknown-element", "missing-field", "no-valid-answers"] {
            #expect(expectedRejects.contains(kind), "\(kind) missing from\n\(expectedRejects)")
        }
        #expect(stored.output == files.output && stored.result.summary == files.result.summary)
    }

    @Test(arguments: StoreKind.allCases)
    func aDamagedStoredResponseIsNamed(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        let file = Support.write(Support.sfoCSV(Support.sfoRows("u1", 6)), to: "round.csv", in: store.folder)
        try store.importFiles([file])
        let opened = try store.open()
        defer { opened.close() }
        try opened.database.write { try $0.execute("UPDATE responses SET record = ? WHERE seq = 3", [.blob([1, 200])]) }
        do {
            _ = try store.scoreCSV()
            Issue.record("a damaged response was read without a word")
        } catch let error as KvalitetError {
            #expect(error.code == .store && error.message.contains("import 1, response 3"), "\(error)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCorrectedFileReplacesTheUnitsItCovers(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        let folder = store.folder
        let original = Support.write(
            Support.sfoCSV(Support.sfoRows("u1", 6) + Support.sfoRows("u2", 6) + Support.sfoRows("u3", 6)),
            to: "round.csv", in: folder)
        try store.importFiles([original])
        // The corrected export covers u1 and u2 only, with other answers and counts.
        let correctedText = Support.sfoCSV(Support.sfoRows("u1", 5, shift: 2) + Support.sfoRows("u2", 7, shift: 3))
        let corrected = Support.write(correctedText, to: "round-corrected.csv", in: folder)
        let (reports, errors) = try store.importFiles([corrected])
        #expect(reports.first?.outcome == .imported(id: 2, replaced: [.init(importID: 1, fileName: original, responses: 12)]))
        #expect(errors.contains("erstatter 12 svar fra import 1"))
        let history = try store.open().history()
        #expect(history.map(\.id) == [1, 2])
        #expect(history[0].stored == 18 && history[0].remaining == 6 && history[0].replacedBy == [2])
        #expect(history[1].replaced == [1: 12] && history[1].remaining == 12)

        // Expected: u3 of the original, then the corrected file, scored as files.
        let rest = Support.write(Support.sfoCSV(Support.sfoRows("u3", 6)), to: "rest.csv", in: folder)
        let expected = try Support.scoreFilesCSV([rest, corrected])
        #expect(try store.scoreCSV().output == expected.output)

        // The original again: no longer current, so it is imported and takes every unit back.
        let (again, _) = try store.importFiles([original])
        #expect(
            again.first?.outcome
                == .imported(
                    id: 3,
                    replaced: [
                        .init(importID: 1, fileName: original, responses: 6),
                        .init(importID: 2, fileName: corrected, responses: 12),
                    ]))
        #expect(try store.scoreCSV().output == Support.scoreFilesCSV([original]).output)
        #expect(try store.open().history().map(\.remaining) == [0, 0, 18])
        #expect(try store.storedResponses() == 18)
    }

    /// A problem read back from the store is said in the run's language, as from the file
    /// (migration 5 keeps the bokmål sentence beside the English one).
    @Test(arguments: StoreKind.allCases)
    func storedProblemsKeepBothLanguages(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        var rows = Support.sfoRows("u1", 6)
        rows[2].answers[0] = "5,0"
        let file = Support.write(Support.sfoCSV(rows), to: "komma.csv", in: store.folder)
        try store.importFiles([file])
        let opened = try store.open()
        defer { opened.close() }
        let error = Support.scoreError { job in
            job.source = opened.selection(.init())
            job.strict = true
        }
        #expect(error?.code == .strict)
        #expect(
            error?.norwegian?.hasPrefix("ugyldig svar «5,0» på spørsmålet trivsel-1 (skala 1–6)") == true,
            "\(String(describing: error))")
        #expect(error?.message.hasPrefix("invalid answer \"5,0\" for item trivsel-1") == true)
    }

    @Test(arguments: StoreKind.allCases)
    func aFileThatFailsLeavesNothing(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        let good = Support.write(Support.sfoCSV(Support.sfoRows("u1", 6)), to: "good.csv", in: store.folder)
        try store.importFiles([good])
        let before = try store.scoreCSV().output
        // Well-formed for two responses, then broken: refused whole, after rows were written.
        let broken = Support.write(
            """
            <survey set="sfo-foresatte" municipality="3024 Bærum" period="2025">
              <unit id="u1" service="SFO">
                <response id="x1"><answer item="trivsel-1">5</answer></response>
                <response id="x2"><answer item="trivsel-1">4</answer></response>
                <response id="x3"><answer item="trivsel-1">4</answer>
              </unit
            </survey>
            """, to: "broken.xml", in: store.folder)
        do {
            try store.importFiles([broken])
            Issue.record("a malformed file was imported")
        } catch {
            #expect(error.code == .inputRefused && error.location?.file.hasSuffix("broken.xml") == true, "\(error)")
        }
        // Under --strict the first problem stops the file: nothing of it is kept.
        var rows = Support.sfoRows("u2", 4)
        rows[2].answers[0] = "7"
        let invalid = Support.write(Support.sfoCSV(rows), to: "invalid.csv", in: store.folder)
        do {
            try store.importFiles([invalid], strict: true)
            Issue.record("--strict imported a file with an invalid answer")
        } catch {
            #expect(error.code == .strict, "\(error)")
        }
        #expect(try store.open().history().count == 1)
        #expect(try store.storedResponses() == 6)
        #expect(try store.scoreCSV().output == before)
    }

    /// Bulk loads (PostgreSQL: a binary COPY stream) keep every value as it was: texts with
    /// COPY's text-format specials, an empty text apart from NULL, bytes with zeros, negative
    /// and large integers; and a load left unfinished rolls back with its transaction.
    @Test func bulkLoadsKeepEveryValue() throws {
        let values: [[SQLValue]] = [
            [.integer(-1), .text("tab\there\nline\\back\\N \u{1B}ø😀"), .blob([0, 1, 0xFF, 0x5C, 0x0A])],
            [.integer(Int64.max), .text(""), .blob([])],
            [.integer(Int64.min), .null, .null],
        ]
        for kind in StoreKind.allCases {
            guard let store = StoreFixture.make(kind) else { continue }
            defer { store.cleanUp() }
            let database = try store.database()
            defer { database.close() }
            let create =
                kind == .sqlite ? "CREATE TABLE t (a INTEGER, b TEXT, c BLOB)" : "CREATE TABLE t (a BIGINT, b TEXT, c BYTEA)"
            try database.write { session in
                try session.execute(create, [])
                let load = try session.bulkInsert(into: "t", columns: ["a", "b", "c"])
                try load.add(Array(values[0..<2]))
                try load.add(Array(values[2...]))
                try load.finish()
            }
            #expect(
                try database.read { try $0.rows("SELECT a, b, c FROM t ORDER BY a", []) } == [values[2], values[0], values[1]])
            struct Stop: Error {}
            #expect(throws: (any Error).self) {
                try database.write { session in
                    let load = try session.bulkInsert(into: "t", columns: ["a", "b", "c"])
                    try load.add([[.integer(7), .text("x"), .null]])
                    throw Stop()
                }
            }
            #expect(try database.read { try $0.rows("SELECT COUNT(*) FROM t", [])[0][0].int } == 3, "\(kind)")
        }
    }

    @Test func migrationsRunFromEmptyAndFromEveryEarlierVersion() throws {
        for kind in StoreKind.allCases {
            guard let store = StoreFixture.make(kind) else { continue }
            defer { store.cleanUp() }
            let database = try store.database()
            defer { database.close() }
            for version in 0...StoreSchema.latestVersion {
                // A store left at `version`, with responses in it where the schema allows.
                if version > 0 { try StoreSchema.migrate(database, upTo: version) }
                #expect(try database.read { try StoreSchema.version($0) } == version)
                if kind == .postgres && version >= 1 {
                    // Version 4 drops the per-row reference check of responses on PostgreSQL.
                    let references = try database.read {
                        try $0.rows(
                            """
                            SELECT COUNT(*) FROM information_schema.table_constraints WHERE table_schema = current_schema()
                            AND table_name = 'responses' AND constraint_type = 'FOREIGN KEY'
                            """, [])[0][0].int
                    }
                    #expect(references == (version >= 4 ? 0 : 1), "version \(version)")
                }
                if version == 0 { continue }
            }
            let opened = try ResultsStore(database: database)
            #expect(try opened.schemaVersion() == StoreSchema.latestVersion)
            // From version 1 with data: the coverage table of version 2 is filled from the responses.
            try store.importFiles([Support.samples], registers: [Support.sampleRegister])
            let scopes =
                "SELECT import_id, set_id, municipality, period, unit, responses FROM import_scopes ORDER BY 1, 2, 3, 4, 5"
            let expected = try database.read { try $0.rows(scopes, []) }
            #expect(expected.count > 10)
            try database.write { session in
                try session.execute("DROP TABLE absence_months", [])
                try session.execute("DROP TABLE import_scopes", [])
                try session.execute("ALTER TABLE import_problems DROP COLUMN message_nb", [])
                try session.execute("DELETE FROM kvalitet_schema WHERE version >= 2", [])
            }
            #expect(try database.read { try StoreSchema.version($0) } == 1)
            let migrated = try ResultsStore(database: database)
            #expect(try migrated.schemaVersion() == StoreSchema.latestVersion)
            #expect(try database.read { try $0.rows("SELECT COUNT(*) FROM absence_months", [])[0][0].int } == 0)
            #expect(try database.read { try $0.rows(scopes, []) } == expected)
            #expect(
                try store.scoreCSV().output
                    == Support.scoreFilesCSV([Support.samples], registers: [Support.sampleRegister]).output)
            // A store from a newer kvalitet is refused, not changed.
            try database.write { try $0.execute("INSERT INTO kvalitet_schema (version, applied_at) VALUES (99, 'x')", []) }
            do {
                _ = try ResultsStore(database: database)
                Issue.record("a newer schema was accepted")
            } catch {
                #expect(error.code == .store && error.message.contains("newer kvalitet"), "\(error)")
            }
        }
    }

    @Test func theSQLiteFileIsTheOwnersOnly() throws {
        guard let store = StoreFixture.make(.sqlite) else { return }
        defer { store.cleanUp() }
        let opened = try store.open()
        defer { opened.close() }
        try store.importFiles([Support.samples])
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: store.location + suffix) {
            let mode = try FileManager.default.attributesOfItem(atPath: store.location + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(suffix): \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test func recordsSurviveTheirCodingUnchanged() throws {
        var record = ResponseRecord(
            line: 123_456, respondent: "'; DROP TABLE responses; --", municipality: " 3024 Bærum ",
            service: nil, unit: "enhet \u{1F}\u{0}", period: "2024-H1", set: "", subproject: "æøå", status: "complete",
            invited: "x", unitName: "Navn \"med\" sitat", background: [.init(name: "alder", value: "80+")],
            answers: [.init(name: "trivsel-1", value: "5"), .init(name: "Kommentar", value: String(repeating: "ø", count: 300))])
        record.namesLine = 1
        var bytes: [UInt8] = []
        RecordCoding.encode(record, into: &bytes)
        let names = try RecordCoding.decodeNames(RecordCoding.encodeNames(record.answerNames))
        let decoded = try RecordCoding.decode(bytes, names: names)
        #expect(decoded == record)
        #expect(throws: (any Error).self) { try RecordCoding.decode(Array(bytes.dropLast()), names: names) }
        #expect(throws: (any Error).self) { try RecordCoding.decode(bytes, names: ["one"]) }

        // Damaged bytes (every truncation, and many random changes) are refused or read, never
        // a crash: a stored record is input too.
        var generator = SplitMix64(seed: 5)
        var accepted = 0
        for length in 0..<bytes.count {
            if (try? RecordCoding.decode(Array(bytes[..<length]), names: names)) != nil { accepted += 1 }
        }
        #expect(accepted == 0)
        for _ in 0..<20_000 {
            var damaged = bytes
            for _ in 0...(generator.next() % 4) {
                damaged[Int(generator.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if (try? RecordCoding.decode(damaged, names: names)) != nil { accepted += 1 }
            _ = try? RecordCoding.decodeNames(Array(damaged.prefix(Int(generator.next() % 40))))
        }
        #expect(accepted < 20_000)
    }
}

/// Splits a CSV text into its records (quoted line breaks kept inside), each with its line end.
enum CSVTestRecords {
    static func split(_ text: String) throws -> [String] {
        var records: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            current.append(character)
            if character == "\"" { quoted.toggle() }
            if (character == "\n" || character == "\r\n") && !quoted {
                records.append(current)
                current = ""
            }
        }
        if !current.isEmpty { records.append(current) }
        return records
    }
}
