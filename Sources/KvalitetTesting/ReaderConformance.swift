import Foundation
import Kvalitet

/// What every ``ResponseReader`` must do (its "Implementation requirements"), checked on files of
/// the reader's own format. A reader's tests make one with an `encode` that writes responses in
/// the format, a malformed file, and files it must refuse (beyond its limits, hostile), and call
/// ``run()``:
///
/// ```swift
/// @Test func conformance() throws {
///     try ReaderConformance(reader: MyReader(), fileExtension: "sss", encode: MyReader.write,
///         malformed: Array("<sss".utf8)).run()
/// }
/// ```
///
/// Checked: the sample responses read in order with their fields, each record with its first line;
/// an empty (0-byte) file, a malformed file, a missing file and every `refused` file refused
/// (``KvalitetError/Code/inputRefused``, exit 2) naming the file (and the line where there is one);
/// an error the sink throws rethrown unchanged; record offsets unique when the reader declares
/// ``ReaderCapabilities/recordOffsets``; and for a ``SplittableReader``, a file of thousands of
/// responses read in parts gives exactly the records (fields, offsets, lines) of one read, and a
/// part's record is found again by its start.
public struct ReaderConformance {
    /// A response as every format can hold it.
    public struct Response: Sendable, Hashable {
        public var respondent: String
        public var municipality: String
        public var service: String
        public var unit: String
        public var period: String
        public var set: String
        /// Background variables (name, value), in order; an empty value may be left out.
        public var background: [[String]]
        /// Answers (item, value), in order.
        public var answers: [[String]]

        public init(
            respondent: String, municipality: String, service: String, unit: String, period: String, set: String,
            background: [[String]] = [], answers: [[String]]
        ) {
            (self.respondent, self.municipality, self.service, self.unit) = (respondent, municipality, service, unit)
            (self.period, self.set, self.background, self.answers) = (period, set, background, answers)
        }
    }

    /// Three responses of set `s`, items `q1` and `q2`: a background variable, a don't-know word,
    /// an empty answer, two units.
    public static let sample: [Response] = [
        Response(
            respondent: "r1", municipality: "M", service: "S", unit: "u1", period: "2024", set: "s",
            background: [["alder", "30-49"]], answers: [["q1", "5"], ["q2", "vet ikke"]]),
        Response(
            respondent: "r2", municipality: "M", service: "S", unit: "u1", period: "2024", set: "s",
            answers: [["q1", "4"], ["q2", ""]]),
        Response(
            respondent: "r3", municipality: "M", service: "S", unit: "u2", period: "2024", set: "s",
            background: [["alder", "under 30"]], answers: [["q1", "6"], ["q2", "2"]]),
    ]

    /// `count` responses in 20 units (consecutive ones in one unit, as exports have them), for
    /// reading in parts.
    public static func many(_ count: Int) -> [Response] {
        (0..<count).map { index in
            Response(
                respondent: "r\(index)", municipality: "M", service: "S", unit: "u\(index / 150 % 20)", period: "2024",
                set: "s", background: [["alder", index % 3 == 0 ? "under 30" : "30-49"]],
                answers: [["q1", String(1 + index % 6)], ["q2", index % 7 == 0 ? "vet ikke" : String(1 + index * 5 % 6)]])
        }
    }

    public var reader: any ResponseReader
    /// The extension of the files written for it (no dot).
    public var fileExtension: String
    /// Writes responses in the reader's format (one file).
    public var encode: ([Response]) -> [UInt8]
    /// A file the reader must refuse as malformed.
    public var malformed: [UInt8]
    /// Further files it must refuse (beyond its limits, hostile), by a name for the message.
    public var refused: [(name: String, bytes: [UInt8])]
    /// For a format that comes as two files (Triple-S: metadata and data), the second: its
    /// extension and how responses are written into it; written beside each encoded file.
    public var companion: (fileExtension: String, encode: ([Response]) -> [UInt8])?

    public init(
        reader: any ResponseReader, fileExtension: String, encode: @escaping ([Response]) -> [UInt8],
        malformed: [UInt8], refused: [(name: String, bytes: [UInt8])] = [],
        companion: (fileExtension: String, encode: ([Response]) -> [UInt8])? = nil
    ) {
        self.companion = companion
        self.reader = reader
        self.fileExtension = fileExtension
        self.encode = encode
        self.malformed = malformed
        self.refused = refused
    }

    /// Runs every check; throws a ``ConformanceFailure`` naming each requirement not met.
    public func run() throws {
        var checks = Checks(subject: "reader \(reader.name)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kvalitet-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ name: String, _ bytes: [UInt8]) throws -> InputFile {
            let url = folder.appendingPathComponent("\(name).\(fileExtension)")
            try Data(bytes).write(to: url)
            return InputFile(url: url, name: url.path)
        }

        checks.expect(
            reader.companions(of: "x.\(fileExtension)", in: ["x.\(fileExtension)"]) != nil,
            "takes a file named *.\(fileExtension)")

        // The sample, in order, each record with its first line.
        let sampleFile = try file("sample", encode(Self.sample))
        if let companion {
            try Data(companion.encode(Self.sample)).write(to: folder.appendingPathComponent("sample.\(companion.fileExtension)"))
        }
        do {
            var sink = Collecting()
            try reader.read(sampleFile, into: &sink)
            checks.expect(
                sink.records.map(Self.facts) == Self.sample.map(Self.facts),
                "reads the sample's responses in order with their fields (got \(sink.records.map(Self.facts)))")
            let lines = sink.records.map(\.line)
            checks.expect(
                lines.allSatisfy { $0 >= 1 } && lines == lines.sorted() && Set(lines).count == lines.count,
                "gives each record the line where it starts (got \(lines))")
            checks.expect(sink.problems.isEmpty, "reports no problem in the sample (got \(sink.problems.map(\.message)))")
            if reader.capabilities.contains(.recordOffsets) {
                let offsets = sink.records.compactMap(\.offset)
                checks.expect(
                    offsets.count == sink.records.count && Set(offsets).count == offsets.count,
                    "declares record offsets: every record has one, each its own (got \(sink.records.map(\.offset)))")
            }
        } catch {
            checks.failures.append("reads the sample without error (got \(error))")
        }

        // Refusals: empty, malformed, missing, and the reader's own.
        try expectRefusal(of: file("empty", []), what: "an empty (0-byte) file", line: false, &checks)
        try expectRefusal(of: file("malformed", malformed), what: "a malformed file", line: true, &checks)
        expectRefusal(
            of: InputFile(url: folder.appendingPathComponent("missing/none.\(fileExtension)")), what: "a missing file",
            line: false, &checks)
        for (index, refusal) in refused.enumerated() {
            try expectRefusal(of: file("refused-\(index)", refusal.bytes), what: refusal.name, line: true, &checks)
        }

        // An error the sink throws comes back unchanged.
        struct Stop: Error {}
        struct Stopping: ResponseSink {
            mutating func receive(_ record: ResponseRecord, from file: InputFile) throws { throw Stop() }
            mutating func report(_ problem: Problem) throws {}
        }
        var stopping = Stopping()
        do {
            try reader.read(sampleFile, into: &stopping)
            checks.failures.append("rethrows what the sink throws (it read on)")
        } catch is Stop {
        } catch {
            checks.failures.append("rethrows what the sink throws unchanged (got \(error))")
        }

        if let splittable = reader as? any SplittableReader {
            try checkParts(splittable, file: file("many", encode(Self.many(3000))), &checks)
        }
        try checks.finish()
    }

    private func expectRefusal(of file: InputFile, what: String, line: Bool, _ checks: inout Checks) {
        var sink = Collecting()
        do {
            try reader.read(file, into: &sink)
            checks.failures.append("refuses \(what) (it was read: \(sink.records.count) records)")
        } catch let error as KvalitetError {
            checks.expect(error.code == .inputRefused, "refuses \(what) as input refused, exit 2 (got \(error.code))")
            checks.expect(error.location?.file == file.name, "names the file when it refuses \(what) (got \(error))")
            if line { checks.expect(error.location?.line != nil, "names the line when it refuses \(what) (got \(error))") }
        } catch {
            checks.failures.append("refuses \(what) with a KvalitetError (got \(error))")
        }
    }

    /// Reading in parts (each joined with its line shift, up to the first that read on to the
    /// end) equals one read; a record is found again by its start.
    private func checkParts<Reader: SplittableReader>(_ reader: Reader, file: InputFile, _ checks: inout Checks) throws {
        var whole = Collecting()
        try reader.read(file, into: &whole)
        guard let plan = try reader.plan(file, parts: 4, minimumPartBytes: 256) else {
            return checks.failures.append("plans parts for a file of \(whole.records.count) responses")
        }
        var reads: [PartRead<Reader.End>] = []
        var parts: [Collecting] = []
        for index in 0..<reader.partCount(of: plan) {
            var part = Collecting()
            let read = reader.readPart(file, plan: plan, index: index, into: &part)
            reads.append(read)
            parts.append(part)
            if read.error != nil {
                return checks.failures.append("reads part \(index) of a well-formed file without error (got \(read.error!))")
            }
            if read.readToEnd { break }
        }
        guard let shifts = reader.lineShifts(plan, ends: reads.map(\.end)) else {
            return checks.failures.append("joins the parts of a well-formed file")
        }
        var joined: [[String]] = []
        for (index, part) in parts.enumerated() {
            joined += part.records.map { Self.facts($0) + ["line \($0.line + shifts[index])", "offset \($0.offset ?? -1)"] }
        }
        let expected = whole.records.map { Self.facts($0) + ["line \($0.line)", "offset \($0.offset ?? -1)"] }
        checks.expect(
            joined == expected, "reads in parts exactly what it reads at once (\(joined.count) and \(expected.count) records)")
        checks.expect(
            parts.allSatisfy { $0.problems.isEmpty } && whole.problems.isEmpty, "reports no problem in a well-formed file")
        // The middle record of the last part used, found again by its start.
        if let index = parts.indices.last, let record = parts[index].records.dropFirst(parts[index].records.count / 2).first,
            let offset = record.offset
        {
            let found = try reader.records(file, plan: plan, part: index, at: [RecordStart(offset: offset, line: record.line)])
            checks.expect(found.map(Self.facts) == [Self.facts(record)], "finds a part's record again by its start")
        }
    }

    /// A record's fields as every format gives them (trimmed; empty background values left out).
    static func facts(_ record: ResponseRecord) -> [String] {
        var facts = [record.respondent, record.municipality, record.service, record.unit, record.period, record.set]
            .map { $0?.trimmingCharacters(in: .whitespaces) ?? "-" }
        facts += record.background.filter { !$0.value.isEmpty }.map { "bg \($0.name)=\($0.value)" }
        facts += record.answers.map { "\($0.name)=\($0.value.trimmingCharacters(in: .whitespaces))" }
        return facts
    }

    static func facts(_ response: Response) -> [String] {
        [response.respondent, response.municipality, response.service, response.unit, response.period, response.set]
            + response.background.filter { !$0[1].isEmpty }.map { "bg \($0[0])=\($0[1])" }
            + response.answers.map { "\($0[0])=\($0[1])" }
    }

    struct Collecting: ResponseSink {
        var records: [ResponseRecord] = []
        var problems: [Problem] = []
        mutating func receive(_ record: ResponseRecord, from file: InputFile) throws { records.append(record) }
        mutating func report(_ problem: Problem) throws { problems.append(problem) }
    }
}
