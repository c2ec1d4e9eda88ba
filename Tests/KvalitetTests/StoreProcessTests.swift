import Foundation
import Testing

@testable import Kvalitet
@testable import KvalitetStore

/// The store across processes: imports killed with SIGKILL, two imports at once, a reader during
/// an import, and credentials kept out of what the tool prints. Each runs the built `kvalitet`.
@Suite(.serialized) struct StoreProcessTests {
    /// Starts `kvalitet` with `arguments`; output and errors go to files in `folder`.
    static func start(_ arguments: [String], in folder: URL, environment: [String: String]? = nil) throws -> Process {
        let process = Process()
        process.executableURL = FaultTests.tool
        process.arguments = arguments
        if let environment { process.environment = environment }
        let name = UUID().uuidString
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("\(name).out").path, contents: nil)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("\(name).err").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("\(name).out"))
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("\(name).err"))
        try process.run()
        return process
    }

    /// Runs `kvalitet` to its end; returns the exit status and everything it printed.
    static func run(
        _ arguments: [String], in folder: URL, environment: [String: String]? = nil
    ) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = FaultTests.tool
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A generated response file of `responses` responses.
    static func generate(_ set: String, responses: Int, seed: UInt64, in folder: URL, name: String) throws -> String {
        var generator = ResponseGenerator(set: try IndicatorSetCatalog.builtIn()[set]!, responses: responses)
        generator.seed = seed
        generator.municipalities = 2
        let path = folder.appendingPathComponent(name).path
        let file = try AtomicFile(path: path)
        var out = AnyTextOutput { (text: String) throws(KvalitetError) in try file.write(text) }
        try generator.write(to: &out)
        try file.commit()
        return path
    }

    /// What a store holds, to compare before and after: the log and the scores.
    static func state(_ store: StoreFixture) throws -> (history: [ResultsStore.ImportEntry], responses: Int, scores: String) {
        (try store.open().history(), try store.storedResponses(), try store.scoreCSV().output)
    }

    @Test(arguments: StoreKind.allCases)
    func anImportKilledAtAnyPointLeavesTheEarlierState(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        try store.importFiles([Support.samples], registers: [Support.sampleRegister])
        let before = try Self.state(store)
        let big = try Self.generate("sfo-foresatte", responses: 100_000, seed: 7, in: store.folder, name: "big.csv")
        var killedWhileRunning = 0
        for delay in [0.02, 0.3, 0.8, 1.5, 2.5] {
            let process = try Self.start(["import", "--db", store.location, big], in: store.folder)
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                killedWhileRunning += 1
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            let after = try Self.state(store)
            #expect(after.history == before.history, "killed after \(delay) s")
            #expect(after.responses == before.responses, "killed after \(delay) s")
            #expect(after.scores == before.scores, "killed after \(delay) s")
        }
        // Most kills must land mid-import, or the test proves little (the file is big enough).
        #expect(killedWhileRunning >= 4)
        // Killed in the second file of one run: the first file, committed, stays whole.
        let small = Support.write(Support.sfoCSV(Support.sfoRows("u9", 8)), to: "small.csv", in: store.folder)
        let twoFiles = try Self.start(["import", "--db", store.location, small, big], in: store.folder)
        var committed = false
        for _ in 0..<200 where !committed {
            Thread.sleep(forTimeInterval: 0.05)
            committed = try store.open().history().count == before.history.count + 1
        }
        #expect(committed && twoFiles.isRunning)
        kill(twoFiles.processIdentifier, SIGKILL)
        twoFiles.waitUntilExit()
        let afterTwo = try store.open().history()
        #expect(afterTwo.count == before.history.count + 1 && afterTwo.last?.fileName == small && afterTwo.last?.stored == 8)
        #expect(try store.storedResponses() == before.responses + 8)
        // Ctrl-C: exit 130, the file's transaction rolled back, a message that says so.
        let interrupted = try Self.start(["import", "--db", store.location, "--lang", "en", big], in: store.folder)
        Thread.sleep(forTimeInterval: 1.0)
        #expect(interrupted.isRunning)
        kill(interrupted.processIdentifier, SIGINT)
        interrupted.waitUntilExit()
        #expect(interrupted.terminationStatus == 130)
        #expect(try store.open().history() == afterTwo)
        // The store still takes the file whole afterwards.
        let (status, text) = try Self.run(["import", "--db", store.location, "--lang", "en", big], in: store.folder)
        #expect(status == 0, "\(text)")
        let history = try store.open().history()
        #expect(history.count == before.history.count + 2)
        #expect(history.last?.read == 100_000 && history.last?.stored == 100_000)
    }

    @Test(arguments: StoreKind.allCases)
    func twoImportsAtOnceBothLandWhole(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        // An empty store made first, so the two processes do not race to create it.
        try store.open().close()
        let a = try Self.generate("sfo-foresatte", responses: 20_000, seed: 1, in: store.folder, name: "a.csv")
        let b = try Self.generate("medarbeidere", responses: 15_000, seed: 2, in: store.folder, name: "b.csv")
        let first = try Self.start(["import", "--db", store.location, a], in: store.folder)
        let second = try Self.start(["import", "--db", store.location, b], in: store.folder)
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        let history = try store.open().history()
        #expect(history.count == 2)
        #expect(Set(history.map(\.stored)) == [20_000, 15_000])
        #expect(history.allSatisfy { $0.remaining == $0.stored && $0.replaced.isEmpty })
        // Scored from the store as the files in the order the store took them.
        let expected = try Support.scoreFilesCSV(history.map(\.fileName))
        #expect(try store.scoreCSV().output == expected.output)
    }

    @Test(arguments: StoreKind.allCases)
    func aReaderDuringAnImportSeesTheOldOrTheNewRound(kind: StoreKind) throws {
        guard let store = StoreFixture.make(kind) else { return }
        defer { store.cleanUp() }
        try store.importFiles([Support.samples])
        let old = try store.storedResponses()
        let big = try Self.generate("sfo-foresatte", responses: 60_000, seed: 3, in: store.folder, name: "big.csv")
        let process = try Self.start(["import", "--db", store.location, big], in: store.folder)
        var seen: [Int] = []
        var answeredWhileRunning = 0
        while process.isRunning {
            // A store opened anew each time (as each `score --db` does): opening must not wait
            // for the import, and the read is one transaction.
            let opened = try store.open()
            defer { opened.close() }
            let summary = try opened.database.read { session in
                (
                    try session.rows("SELECT COUNT(*) FROM responses", [])[0][0].int!,
                    try session.rows("SELECT COUNT(*) FROM imports", [])[0][0].int!
                )
            }
            seen.append(summary.0)
            if process.isRunning { answeredWhileRunning += 1 }
            #expect([old, old + 60_000].contains(summary.0), "a reader saw \(summary.0) responses")
            #expect(summary.1 == (summary.0 == old ? 3 : 4))
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(process.terminationStatus == 0)
        #expect(answeredWhileRunning >= 3 && seen.contains(old))
        #expect(try store.storedResponses() == old + 60_000)
    }

    @Test func credentialsNeverReachTheOutput() throws {
        guard let store = StoreFixture.make(.postgres) else { return }
        defer { store.cleanUp() }
        let url = URLComponents(string: store.location)!
        let password = try #require(url.password)
        let user = try #require(url.user)
        try #require(user.count >= 6 && !"kvalitet postgres".contains(user), "a user name the tool would never print by itself")
        var environment = ProcessInfo.processInfo.environment
        var runs: [(status: Int32, text: String)] = []
        runs.append(
            try Self.run(
                ["import", "--db", store.location, "--register", Support.sampleRegister, Support.samples], in: store.folder))
        runs.append(try Self.run(["history", "--db", store.location], in: store.folder))
        runs.append(try Self.run(["score", "--db", store.location, "--format", "csv"], in: store.folder))
        #expect(runs.allSatisfy { $0.status == 0 }, "\(runs)")
        // The password from PGPASSWORD instead of the URL.
        var withoutPassword = url
        withoutPassword.password = nil
        environment["PGPASSWORD"] = password
        let fromEnvironment = try Self.run(
            ["history", "--db", withoutPassword.string!], in: store.folder, environment: environment)
        #expect(fromEnvironment.status == 0 && fromEnvironment.text.contains("sfo-foresatte"), "\(fromEnvironment.text)")
        // A wrong password: a clear message, exit 2, neither password named.
        var wrong = url
        wrong.password = "not-the-\(password)"
        environment["PGPASSWORD"] = nil
        let refused = try Self.run(["history", "--db", wrong.string!], in: store.folder, environment: environment)
        #expect(refused.status == 2 && refused.text.contains("cannot connect to PostgreSQL"), "\(refused.text)")
        runs += [fromEnvironment, refused]
        for run in runs {
            #expect(!run.text.contains(password) && !run.text.contains(user), "\(run.text)")
        }
    }
}
