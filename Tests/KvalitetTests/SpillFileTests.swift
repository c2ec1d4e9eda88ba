import Foundation
import Testing

@testable import Kvalitet

/// The temporary files large runs keep respondent ids and problems in.
@Suite struct SpillFileTests {
    /// Nothing is left in the folder, even while the file is open, and what was written comes
    /// back whole and in order (across the write buffer's boundary).
    @Test func leavesNoTraceAndReadsBack() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spill = try SpillFile(in: folder.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        var expected: [String] = []
        for index in 0..<20_000 {
            let text = "respondent-\(index)-" + String(repeating: "æ", count: index % 7)
            expected.append(text)
            try spill.append(text)
        }
        var reader = try spill.reader()
        var read: [String] = []
        while !reader.isAtEnd { read.append(try reader.text()) }
        #expect(read == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func anUnwritableFolderIsAClearError() {
        do {
            _ = try SpillFile(in: "/nonexistent-kvalitet-folder")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .output)
            #expect(error.message.contains("TMPDIR"))
        }
    }

    /// A large run's problems kept on disk come back as they were recorded (once-keys too).
    @Test func problemsComeBackAsRecorded() throws {
        let log = ProblemLog.buffering(spilling: true)
        var problems: [Problem] = []
        for index in 0..<3_000 {
            var problem = Problem(
                index % 2 == 0 ? .invalidAnswer : .unknownColumn, file: "a.csv", line: index % 5 == 0 ? nil : index,
                respondent: "r\(index)", column: "c\(index % 3)", value: "v,\"\(index)\"", message: "m \(index)")
            if index % 2 == 1 { problem.onceKey = "c\(index % 3)" }
            problems.append(problem)
            try log.record(problem)
        }
        var back: [Problem] = []
        try log.forEachKept { back.append($0) }
        #expect(back == problems)
        #expect(back.map(\.onceKey) == problems.map(\.onceKey))
    }
}
