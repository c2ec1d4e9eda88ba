import Foundation
import Testing

@testable import Kvalitet
@testable import KvalitetStore

/// Sick-leave files in the results store (FORMAT.md §8, Docs/Store.md), on SQLite and PostgreSQL:
/// the store gives what the files give, the same file again changes nothing, a corrected file
/// replaces those units' months.
@Suite(.serialized) struct AbsenceStoreTests {
    func importAbsence(_ store: StoreFixture, _ inputs: [String], registers: [String] = []) throws -> String {
        var job = ImportJob()
        job.store = store.location
        job.absenceInputs = inputs
        job.registerFiles = registers
        var errors = ""
        try job.run { errors += $0 + "\n" }
        return errors
    }

    func absenceCSV(_ configure: (inout AbsenceJob) -> Void) throws -> (output: String, result: AbsenceResult) {
        let run = try AbsenceTests.absence(configure)
        return (run.output, run.result)
    }

    /// A reference case's file (bad rows of every kind) and the sample export, with their
    /// registers: imported twice, then read from the store, they give the files' rows and
    /// rejects. (Files that overlap are not the same: in the store a later file replaces the
    /// earlier one's months, as a correction; read together, the later row is a duplicate.)
    @Test(arguments: StoreKind.allCases)
    func storeGivesWhatTheFilesGive(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        let folder = Support.resource("absence")
        let inputs = [
            folder.appendingPathComponent("case-17.0.csv").path,
            Support.repository.appendingPathComponent("Samples/fravaer/fravaer-eksempelvik.csv").path,
        ]
        let registers = [folder.appendingPathComponent("case-17.register.yaml").path, Support.sampleRegister]
        let first = try importAbsence(store, inputs, registers: registers)
        #expect(first.contains("4 filer importert"), "\(first)")
        let second = try importAbsence(store, inputs, registers: registers)
        #expect(second.contains("0 filer importert, 4 uendret"), "\(second)")

        let rejectsFiles = store.folder.appendingPathComponent("files.csv").path
        let rejectsStore = store.folder.appendingPathComponent("store.csv").path
        let files = try absenceCSV {
            $0.inputs = inputs
            $0.registerFiles = registers
            $0.rejects = rejectsFiles
        }
        let opened = try store.open()
        defer { opened.close() }
        let stored = try absenceCSV {
            $0.source = opened.selection()
            $0.rejects = rejectsStore
        }
        #expect(stored.output == files.output)
        #expect(stored.result.summary.read == files.result.summary.read)
        #expect(stored.result.summary.rejected == files.result.summary.rejected)
        #expect(stored.result.goals == files.result.goals && !files.result.goals.isEmpty)
        // The rejects name the files as they were imported (the same paths here).
        #expect(
            try String(contentsOfFile: rejectsStore, encoding: .utf8) == String(contentsOfFile: rejectsFiles, encoding: .utf8))
        #expect(files.output.split(separator: "\n").count > 500)
    }

    /// A corrected export for some months of a unit replaces just those months.
    @Test(arguments: StoreKind.allCases)
    func correctedFileReplacesThoseMonths(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        let header = AbsenceTests.header
        var original = header
        for month in 1...6 { original += "K,S,a,2024-0\(month),10,200,2,8\nK,S,b,2024-0\(month),12,240,3,9\n" }
        let first = AbsenceTests.file(original, name: "fravaer-2024.csv")
        // The correction: unit a's March and April again, with other figures.
        let corrected = AbsenceTests.file(header + "K,S,a,2024-03,10,200,1,4\nK,S,a,2024-04,10,200,1,4\n", name: "rettet.csv")
        _ = try importAbsence(store, [first])
        let errors = try importAbsence(store, [corrected])
        #expect(errors.contains("erstatter 2"), "\(errors)")
        let opened = try store.open()
        defer { opened.close() }
        let stored = try absenceCSV { $0.source = opened.selection() }.result
        // What the files give when the corrected months are taken out of the first file.
        var expectedText = header
        for month in 1...6 {
            expectedText +=
                (month == 3 || month == 4 ? "K,S,a,2024-0\(month),10,200,1,4\n" : "K,S,a,2024-0\(month),10,200,2,8\n")
                + "K,S,b,2024-0\(month),12,240,3,9\n"
        }
        let expected = try absenceCSV { $0.inputs = [AbsenceTests.file(expectedText)] }.result
        #expect(stored.rows() == expected.rows())
        let march = stored.rows().first { $0.group.unit == "a" && $0.period.description == "2024-03" }!
        #expect(abs(march.absencePct! - 2.5) < 1e-12)
        let history = try opened.history()
        #expect(history.map(\.kind) == ["absence", "absence"])
        #expect(history[0].remaining == 10 && history[1].replaced == [1: 2])
    }

    /// Reading sick leave from a store made only of survey imports says so, not "0 rows".
    @Test func storeWithoutSickLeaveIsEmpty() throws {
        guard let store = StoreFixture.make(.sqlite) else { return }
        defer { store.cleanUp() }
        _ = try store.importFiles([Support.samples], registers: [Support.sampleRegister])
        let opened = try store.open()
        defer { opened.close() }
        let run = try absenceCSV { $0.source = opened.selection() }
        #expect(run.result.rows().isEmpty)
        #expect(run.result.summary.files == 0)
    }
}
