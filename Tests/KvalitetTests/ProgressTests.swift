import Foundation
import Testing

@testable import Kvalitet

/// Issue #11, part 4: the progress bar of long reads. The line's figures are worked out by hand
/// below; the counters are checked against the files' sizes and the run's summary; the bar itself
/// through a pseudo-terminal (`script`), and its absence on a pipe and with `--quiet`.
@Suite struct ProgressTests {
    typealias Snapshot = ReadProgress.Snapshot

    /// Half of 122 MB in 2 s, 500 000 responses: 250 000 per second, 2 s left. At 100 columns the
    /// bar is 100/6 = 16 cells, 8 of them full.
    @Test func theLineSaysFileBytesRateAndTimeLeft() {
        let snapshot = Snapshot(files: 0, totalFiles: 2, bytes: 61_000_000, totalBytes: 122_000_000, responses: 500_000)
        #expect(
            snapshot.line(elapsed: 2, width: 100, language: .nb)
                == "▕████████        ▏  50 %  fil 1 av 2 · 61 av 122 MB · 250 000 svar/s · ca. 2 s igjen")
        // 60 columns: a 10-cell bar; the rate goes first, then the megabytes, until it fits.
        #expect(
            snapshot.line(elapsed: 2, width: 60, language: .en) == "▕█████     ▏  50 %  file 1 of 2 · about 2 s left")
        // Before one second there is no rate and no time left; one file says no file number.
        let early = Snapshot(files: 0, totalFiles: 1, bytes: 0, totalBytes: 3_400_000, responses: 0)
        #expect(early.line(elapsed: 0.5, width: 80, language: .nb) == "▕             ▏   0 %  0 av 3 MB")
        // A pipe has no size: the responses so far.
        let pipe = Snapshot(files: 0, totalFiles: 1, bytes: 0, totalBytes: 0, responses: 1500)
        #expect(pipe.line(elapsed: 0.5, width: 80, language: .nb) == "1 500 svar")
        #expect(pipe.line(elapsed: 0.5, width: 80, language: .en) == "1,500 responses")
        let again = Snapshot(files: 1, totalFiles: 2, bytes: 0, totalBytes: 10_000_000, responses: 0, pass: 2)
        #expect(again.line(elapsed: 0.2, width: 120, language: .nb).hasSuffix("%  leser igjen · fil 2 av 2 · 0 av 10 MB"))
    }

    @Test func barsDurationsAndNumbers() {
        #expect(Snapshot.bar(0.3, width: 10) == "███       ")
        // 0.33 · 80 = 26.4 eighths: 3 full cells and 2/8 of the next.
        #expect(Snapshot.bar(0.33, width: 10) == "███▎      ")
        #expect(Snapshot.bar(1, width: 4) == "████")
        #expect(Snapshot.duration(0.2, nb: true) == "1 s")
        // Seconds rounded up; from 90 s on, minutes rounded.
        #expect(Snapshot.duration(88.5, nb: true) == "89 s")
        #expect(Snapshot.duration(89.5, nb: true) == "2 min")
        #expect(Snapshot.duration(95, nb: true) == "2 min")
        #expect(Snapshot.duration(3600, nb: true) == "1 t")
        #expect(Snapshot.duration(3700, nb: false) == "1 h 2 min")
        #expect(Snapshot.rounded(9876) == 9876)
        #expect(Snapshot.rounded(12_345) == 12_000)
        #expect(Snapshot.rounded(987_654) == 990_000)
        #expect(Snapshot.grouped(1_234_567, nb: true) == "1 234 567")
        #expect(Snapshot.grouped(1_234_567, nb: false) == "1,234,567")
        #expect(Snapshot.grouped(999, nb: true) == "999")
    }

    /// Two files, the larger read in two parts at once: at the end the counters are the files'
    /// bytes and the responses the summary read.
    @Test func theCountersEndAtTheFilesAndResponses() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try Support.generated(responses: 6000, units: 12)
        let big = Support.write(text, to: "big.csv", in: folder)
        let small = Support.write(
            String(text.prefix(2000).split(separator: "\n").dropLast().joined(separator: "\n")) + "\n", to: "small.csv",
            in: folder)
        let progress = ReadProgress()
        var options = ScorePipeline.Options(parts: 2, minimumPartBytes: 1 << 16)
        options.progress = progress
        let pipeline = ScorePipeline(
            readers: ScorePipeline.standardReaders, catalog: try IndicatorSetCatalog.builtIn(), registers: try RegisterIndex(),
            options: options)
        let files = [big, small].map { InputFile(url: URL(fileURLWithPath: $0)) }
        let result = try pipeline.score(files, problems: try ProblemLog(rejects: nil, strict: false))
        let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }
        let snapshot = progress.snapshot
        #expect(snapshot.isDone && snapshot.files == 2 && snapshot.totalFiles == 2)
        #expect(snapshot.bytes == (try size(big) + size(small)) && snapshot.totalBytes == snapshot.bytes)
        #expect(snapshot.responses == result.summary.read && result.summary.read > 6000)
    }

    /// On a terminal (a pseudo-terminal made by `script`) the bar is drawn and cleared; on a pipe,
    /// and with `--quiet`, standard error holds the summary only.
    @Test func drawnOnATerminalOnly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux's script")
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(try Support.generated(responses: 60_000, units: 40), to: "svar.csv", in: folder)
        let command = "$K score --format csv --output '\(folder.path)/s.csv' '\(path)'"
        // Drawn from the start, five times a second, while the read takes a few tenths of a second.
        let terminal = try CommandLineTests.run(
            "KVALITET_PROGRESS_DELAY_MS=0 KVALITET_THREADS=1 script -qec \"\(command)\" /dev/null 2>&1")
        #expect(terminal.status == 0)
        #expect(terminal.output.contains("▏") && terminal.output.contains("MB"), "\(terminal.output)")
        // Cleared before the summary: the summary starts at the line's start.
        #expect(terminal.output.contains("\r\u{1B}[Kkvalitet: 1 fil, 60000 svar lest"), "\(terminal.output)")
        let quiet = try CommandLineTests.run(
            "KVALITET_PROGRESS_DELAY_MS=0 script -qec \"\(command) --quiet\" /dev/null 2>&1")
        #expect(quiet.status == 0 && !quiet.output.contains("▏") && quiet.output.contains("kvalitet: 1 fil"))
        let pipe = try CommandLineTests.run("KVALITET_PROGRESS_DELAY_MS=0 \(command)")
        #expect(pipe.status == 0 && pipe.errors.hasPrefix("kvalitet: 1 fil, 60000 svar lest"), "\(pipe.errors)")
    }
}
