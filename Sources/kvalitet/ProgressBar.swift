import Foundation
import Kvalitet

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar on standard error while a job reads its files: redrawn in place five times a
/// second from the read's ``ReadProgress`` (``ReadProgress/Snapshot/line(elapsed:width:language:)``
/// makes the line), from half a second on (a short run shows none), and gone once every file is
/// read or a line is printed over it. Only on a terminal: a log, a pipe or CI gets nothing.
final class ProgressBar: @unchecked Sendable {
    // @unchecked: `drawn`, `stopped` and the terminal are used under `condition` only.
    let progress = ReadProgress()
    private let language: Language
    private let delay: Double
    private let started = Date()
    private let condition = NSCondition()
    private var drawn = false
    private var stopped = false
    private var finished = false

    private init(language: Language, delay: Double) {
        self.language = language
        self.delay = delay
    }

    /// A running bar, or nil when standard error is not a terminal (or a dumb one) or `quiet`.
    /// `KVALITET_PROGRESS_DELAY_MS` moves the half second before it shows (for tests).
    static func start(quiet: Bool, language: Language) -> ProgressBar? {
        let environment = ProcessInfo.processInfo.environment
        guard !quiet, isatty(STDERR_FILENO) == 1, environment["TERM"] != "dumb" else { return nil }
        let delay = environment["KVALITET_PROGRESS_DELAY_MS"].flatMap(Double.init).map { $0 / 1000 } ?? 0.5
        let bar = ProgressBar(language: language, delay: delay)
        let thread = Thread { bar.run() }
        thread.start()
        return bar
    }

    /// Prints `line` as ``printError`` does, the bar cleared first (it is drawn again after).
    func print(_ line: String) {
        condition.lock()
        defer { condition.unlock() }
        clear()
        printError(line)
    }

    /// Clears the bar and ends its thread (waiting for it).
    func stop() {
        condition.lock()
        stopped = true
        clear()
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        defer {
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        while !stopped {
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
            if stopped { return }
            let elapsed = Date().timeIntervalSince(started)
            let snapshot = progress.snapshot
            guard elapsed >= delay, snapshot.totalFiles > 0 else { continue }
            if snapshot.isDone {
                clear()
                continue
            }
            let line = snapshot.line(elapsed: elapsed, width: Self.terminalWidth, language: language)
            Self.emit("\r" + line + "\u{1B}[K")
            drawn = true
        }
    }

    private func clear() {
        guard drawn else { return }
        Self.emit("\r\u{1B}[K")
        drawn = false
    }

    private static func emit(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// The terminal's columns (80 when it does not say).
    private static var terminalWidth: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 80
    }
}

/// Runs `body` with a progress bar when standard error is a terminal and not `quiet`: `body`
/// gets the read's progress to give the job (nil: no bar) and how to print a line on standard
/// error. The bar is gone when this returns or throws, before anything else is printed.
func withProgressBar<Result, Failure: Error>(
    quiet: Bool, language: Language, _ body: (ReadProgress?, @escaping (String) -> Void) throws(Failure) -> Result
) throws(Failure) -> Result {
    guard let bar = ProgressBar.start(quiet: quiet, language: language) else { return try body(nil, printError) }
    defer { bar.stop() }
    return try body(bar.progress, { bar.print($0) })
}
