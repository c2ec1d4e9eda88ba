import Foundation
import Testing

@testable import Kvalitet

/// Faults around a run: a file that changes or disappears, an output that cannot be written,
/// Ctrl-C. Each ends with a clear message and exit code, and no output is left half-written.
@Suite struct FaultTests {
    /// The `kvalitet` tool built beside the tests (`swift test` builds every target).
    static var tool: URL {
        let folder = Bundle.main.executableURL!.deletingLastPathComponent()
        return folder.appendingPathComponent("kvalitet")
    }

    /// Runs the tool with `arguments` through bash (for `ulimit`), returns exit status and stderr.
    static func run(_ script: String, signalAfter delay: Double? = nil) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        if let delay {
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGINT)
        }
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func files(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test func aFileThatChangesWhileReadIsRefused() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(String(repeating: "x", count: 3 << 20), to: "big.csv", in: folder)
        let source = try ByteSource(InputFile(url: URL(fileURLWithPath: path), name: "big.csv"))
        #expect(try source.refill())
        #expect(truncate(path, 1 << 20) == 0)
        do {
            while try source.refill() {}
            Issue.record("a truncated file was read to its end without a word")
        } catch {
            #expect(
                error.code == .inputRefused && error.location?.file == "big.csv" && error.message.contains("changed while"),
                "\(error)")
        }
    }

    @Test func aFileThatDisappearsIsNamed() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = Support.repository.appendingPathComponent("Samples")
        for name in ["sfo-foresatte-eksempelvik.csv", "medarbeidere-eksempelvik.csv"] {
            try FileManager.default.copyItem(at: samples.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let pipeline = ScorePipeline(catalog: try IndicatorSetCatalog.builtIn())
        let files = try pipeline.inputFiles([folder.path])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("sfo-foresatte-eksempelvik.csv"))
        do {
            _ = try pipeline.score(files, problems: try ProblemLog(rejects: nil, strict: false))
            Issue.record("a vanished file went unnoticed")
        } catch {
            #expect(
                error.code == .inputRefused && error.location?.file.hasSuffix("sfo-foresatte-eksempelvik.csv") == true
                    && error.message.contains("No such file"), "\(error)")
        }
    }

    /// A full disk, simulated by a file-size limit: the write fails with a message, exit 2, and
    /// neither the output nor its temporary file is left.
    @Test func anOutputThatCannotBeWrittenLeavesNothing() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = Support.repository.appendingPathComponent("Samples").path
        let output = folder.appendingPathComponent("scores.csv").path
        let (status, errors) = try Self.run(
            "ulimit -f 8; exec '\(Self.tool.path)' score --format csv --output '\(output)' '\(samples)'")
        #expect(status == 2, "\(errors)")
        #expect(errors.contains("scores.csv") && errors.contains("cannot write the output: File too large"), "\(errors)")
        #expect(Self.files(in: folder).isEmpty, "left behind: \(Self.files(in: folder))")
        // A folder that cannot be written to, and an output path that is a folder.
        let (status2, errors2) = try Self.run("exec '\(Self.tool.path)' score --output /proc/nowhere/x.csv '\(samples)'")
        #expect(status2 == 2 && errors2.contains("/proc/nowhere/x.csv"), "\(errors2)")
    }

    /// Ctrl-C during a long run: exit 130, "interrupted", the earlier output untouched and no
    /// temporary file left.
    @Test func interruptStopsCleanly() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 400,000 responses (about 30 MB): 2,000 generated ones, repeated with new ids.
        let lines = try Support.generated(responses: 2_000, units: 20).split(separator: "\n", omittingEmptySubsequences: true)
        let input = folder.appendingPathComponent("big.csv")
        let file = try AtomicFile(path: input.path)
        try file.write(lines[0] + "\n")
        for block in 0..<200 {
            var text = ""
            for line in lines.dropFirst() { text += "b\(block)-" + line + "\n" }
            try file.write(text)
        }
        try file.commit()
        let output = folder.appendingPathComponent("scores.csv")
        try Data("earlier scores\n".utf8).write(to: output)
        let rejects = folder.appendingPathComponent("rejects.csv")
        let (status, errors) = try Self.run(
            "exec '\(Self.tool.path)' score --format csv --output '\(output.path)' --rejects '\(rejects.path)' '\(input.path)'",
            signalAfter: 0.4)
        #expect(status == 130, "\(errors)")
        #expect(errors.contains("avbrutt under lesing; ingenting ble skrevet"), "\(errors)")
        #expect(try String(contentsOf: output, encoding: .utf8) == "earlier scores\n")
        #expect(Self.files(in: folder) == ["big.csv", "scores.csv"], "left behind: \(Self.files(in: folder))")
    }
}
