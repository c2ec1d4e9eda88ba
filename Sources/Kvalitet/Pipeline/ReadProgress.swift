import Foundation
import Synchronization

/// How far a read has come: files, bytes and responses, advanced by the collectors (on any core)
/// and read by a display on another thread (the command line's progress bar).
///
/// Collectors add in batches of ``batch`` responses, so both cores do not contend for the
/// counters on every row; within a file the bytes are where the latest batch's response starts
/// (summed over the parts read at once), and exact again when the file is done.
public final class ReadProgress: Sendable {
    /// What a display shows: done so far and the totals.
    public struct Snapshot: Sendable, Equatable {
        public var files: Int
        public var totalFiles: Int
        public var bytes: Int
        public var totalBytes: Int
        public var responses: Int
        /// 1, or 2 when the files are read again (duplicates found with ids on disk).
        public var pass: Int

        public init(files: Int, totalFiles: Int, bytes: Int, totalBytes: Int, responses: Int, pass: Int = 1) {
            (self.files, self.totalFiles, self.bytes, self.totalBytes) = (files, totalFiles, bytes, totalBytes)
            (self.responses, self.pass) = (responses, pass)
        }

        /// Whether every file has been read.
        public var isDone: Bool { totalFiles > 0 && files >= totalFiles }
    }

    /// Responses a collector counts before it adds them here.
    static let batch = 1024

    private let files = Atomic<Int>(0)
    private let totalFiles = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    /// The bytes of the files done (`bytes` is set to it when one is done).
    private let doneBytes = Atomic<Int>(0)
    private let totalBytes = Atomic<Int>(0)
    private let responses = Atomic<Int>(0)
    /// The responses of the files done.
    private let doneResponses = Atomic<Int>(0)
    private let pass = Atomic<Int>(1)
    /// Each file's size, as `begin` found it.
    private let sizes = Mutex<[URL: Int]>([:])

    public init() {}

    public var snapshot: Snapshot {
        Snapshot(
            files: files.load(ordering: .relaxed), totalFiles: totalFiles.load(ordering: .relaxed),
            bytes: bytes.load(ordering: .relaxed), totalBytes: totalBytes.load(ordering: .relaxed),
            responses: responses.load(ordering: .relaxed), pass: pass.load(ordering: .relaxed))
    }

    /// A read of `files` starts (`pass` 2: they are read again): nothing of them done yet.
    public func begin(_ files: [InputFile], pass: Int = 1) {
        var sizes: [URL: Int] = [:]
        for file in files {
            sizes[file.url] = ((try? FileManager.default.attributesOfItem(atPath: file.url.path))?[.size] as? Int) ?? 0
        }
        totalFiles.store(files.count, ordering: .relaxed)
        totalBytes.store(files.reduce(0) { $0 + sizes[$1.url]! }, ordering: .relaxed)
        self.sizes.withLock { $0 = sizes }
        self.files.store(0, ordering: .relaxed)
        bytes.store(0, ordering: .relaxed)
        doneBytes.store(0, ordering: .relaxed)
        responses.store(0, ordering: .relaxed)
        doneResponses.store(0, ordering: .relaxed)
        self.pass.store(pass, ordering: .relaxed)
    }

    /// `file` has been read whole, with `responses` responses: the counts are exact again.
    public func finish(_ file: InputFile, responses: Int) {
        let size = sizes.withLock { $0[file.url] } ?? 0
        bytes.store(doneBytes.add(size, ordering: .relaxed).newValue, ordering: .relaxed)
        self.responses.store(doneResponses.add(responses, ordering: .relaxed).newValue, ordering: .relaxed)
        files.add(1, ordering: .relaxed)
    }

    /// A collector read `responses` more, and `bytes` more of the file.
    func advance(bytes: Int, responses: Int) {
        if bytes > 0 { self.bytes.add(bytes, ordering: .relaxed) }
        self.responses.add(responses, ordering: .relaxed)
    }
}

extension ReadProgress.Snapshot {
    /// The progress bar's line for a terminal `width` columns wide, `elapsed` seconds into the
    /// read: the bar and percentage of bytes, the file, the megabytes, responses per second and
    /// the time left (the rate and the time left from one second on, when the bytes say it).
    /// Parts are left out from the right until the line fits, so it never wraps (a wrapped line
    /// cannot be redrawn in place).
    public func line(elapsed: Double, width: Int, language: Language) -> String {
        let nb = language == .nb
        // Each part with its rank: the lowest is left out first when the line is too long.
        var parts: [(text: String, rank: Int)] = []
        if pass > 1 { parts.append((nb ? "leser igjen" : "reading again", 5)) }
        if totalFiles > 1 {
            let file = Swift.min(files + 1, totalFiles)
            parts.append((nb ? "fil \(file) av \(totalFiles)" : "file \(file) of \(totalFiles)", 3))
        }
        let fraction = totalBytes > 0 ? Swift.min(1, Double(bytes) / Double(totalBytes)) : nil
        if totalBytes > 0 {
            let (done, total) = (Self.megabytes(bytes), Self.megabytes(totalBytes))
            parts.append((nb ? "\(done) av \(total) MB" : "\(done) of \(total) MB", 2))
        }
        if elapsed >= 1 {
            let rate = Self.grouped(Self.rounded(Double(responses) / elapsed), nb: nb)
            parts.append((nb ? "\(rate) svar/s" : "\(rate) responses/s", 1))
            if let fraction, bytes > 0, fraction < 1 {
                let left = Self.duration(elapsed * Double(totalBytes - bytes) / Double(bytes), nb: nb)
                parts.append((nb ? "ca. \(left) igjen" : "about \(left) left", 4))
            }
        } else if fraction == nil {
            parts.append((nb ? "\(Self.grouped(responses, nb: nb)) svar" : "\(Self.grouped(responses, nb: nb)) responses", 1))
        }
        var head = ""
        if let fraction {
            let percent = Int(fraction * 100)
            let bar = Self.bar(fraction, width: Swift.max(10, Swift.min(30, width / 6)))
            head = "▕" + bar + "▏ " + String(repeating: " ", count: 3 - "\(percent)".count) + "\(percent) %"
        }
        while true {
            let tail = parts.map(\.text).joined(separator: " · ")
            let line = head.isEmpty ? tail : tail.isEmpty ? head : head + "  " + tail
            guard line.count >= width, let lowest = parts.indices.min(by: { parts[$0].rank < parts[$1].rank }) else {
                return String(line.prefix(Swift.max(0, width - 1)))
            }
            parts.remove(at: lowest)
        }
    }

    /// `fraction` of `width` cells filled, in eighths of a cell.
    static func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int((fraction * Double(width * 8)).rounded(.down))
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let full = String(repeating: "█", count: eighths / 8)
        return full + partial + String(repeating: " ", count: width - eighths / 8 - (partial.isEmpty ? 0 : 1))
    }

    static func megabytes(_ bytes: Int) -> Int { (bytes + 500_000) / 1_000_000 }

    /// To two significant digits from 10 000 on (a rate's last digits only flicker).
    static func rounded(_ value: Double) -> Int {
        guard value >= 10_000 else { return Int(value.rounded()) }
        let unit = pow(10, (log10(value)).rounded(.down) - 1)
        return Int((value / unit).rounded() * unit)
    }

    /// Thousands apart: a space in bokmål (as Norwegian writes them), a comma in English.
    static func grouped(_ value: Int, nb: Bool) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text += nb ? " " : "," }
            text.append(digit)
        }
        return text
    }

    /// Seconds as people say them: "8 s", "3 min", "1 t 5 min" ("1 h 5 min").
    static func duration(_ seconds: Double, nb: Bool) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 90 { return "\(Swift.max(1, whole)) s" }
        let minutes = (whole + 30) / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = "\(minutes / 60) \(nb ? "t" : "h")"
        return minutes % 60 == 0 ? hours : "\(hours) \(minutes % 60) min"
    }
}
