import Foundation
import Testing

@testable import Kvalitet

/// Reading a CSV file in parts at once must give exactly what one sequential read gives: the
/// same scores, the same rejects report in the same order, the same summary, the same error.
@Suite struct PartsReadingTests {
    /// Scores `paths` with the given parts (tiny parts force many boundaries in small files).
    static func run(
        _ paths: [String], parts: Int, sets: String? = nil, register: String? = nil, breakdown: String? = nil,
        strict: Bool = false, idsOnDisk: Bool = false, cellsAsText: Bool = false
    ) throws(KvalitetError)
        -> (scores: String, rejects: String, summary: RunSummary)
    {
        var catalog = try IndicatorSetCatalog.builtIn()
        if let sets { try catalog.addDirectory(URL(fileURLWithPath: sets)) }
        var registers = try RegisterIndex()
        if let register { try registers.add(try Register.load(file: URL(fileURLWithPath: register))) }
        var options = ScorePipeline.Options(
            breakdown: breakdown, parts: parts, minimumPartBytes: 64, idsOnDiskBytes: idsOnDisk ? 0 : .max)
        options.cellsAsText = cellsAsText
        let pipeline = ScorePipeline(catalog: catalog, registers: registers, options: options)
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rejectsPath = folder.appendingPathComponent("rejects.csv").path
        let log = try ProblemLog(rejects: try AtomicFile(path: rejectsPath), strict: strict)
        let result = try pipeline.score(try pipeline.inputFiles(paths), problems: log)
        try log.commit()
        var output = StringOutput()
        try CSVScoresWriter().write(result, language: .nb, to: &output)
        return (output.text, (try? String(contentsOfFile: rejectsPath, encoding: .utf8)) ?? "", result.summary)
    }

    static func expectSame(
        _ paths: [String], sets: String? = nil, register: String? = nil, breakdown: String? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let sequential = try run(paths, parts: 1, sets: sets, register: register, breakdown: breakdown)
        // Every row through the general path, its fields as text (the bytes' path must agree).
        let text = try run(paths, parts: 1, sets: sets, register: register, breakdown: breakdown, cellsAsText: true)
        #expect(text.scores == sequential.scores, "scores with cells as text", sourceLocation: sourceLocation)
        #expect(text.rejects == sequential.rejects, "rejects with cells as text", sourceLocation: sourceLocation)
        #expect(text.summary == sequential.summary, "summary with cells as text", sourceLocation: sourceLocation)
        // In parts, and with respondent ids kept on disk (sequentially and in parts).
        for (parts, idsOnDisk) in [(2, false), (3, false), (7, false), (1, true), (2, true), (7, true)] {
            let split = try run(paths, parts: parts, sets: sets, register: register, breakdown: breakdown, idsOnDisk: idsOnDisk)
            let way = "\(parts) parts\(idsOnDisk ? ", ids on disk" : "")"
            #expect(split.scores == sequential.scores, "scores with \(way)", sourceLocation: sourceLocation)
            #expect(split.rejects == sequential.rejects, "rejects with \(way)", sourceLocation: sourceLocation)
            #expect(split.summary == sequential.summary, "summary with \(way)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ReferenceScoresTests.cases)
    func referenceCases(seed: Int) throws {
        let folder = Support.resource("reference")
        let sets = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: sets) }
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("case-\(seed).set.yaml"),
            to: sets.appendingPathComponent("case.yaml"))
        for name in ["case-\(seed).csv", "case-\(seed).cp1252.csv"] {
            try Self.expectSame(
                [folder.appendingPathComponent(name).path], sets: sets.path,
                register: folder.appendingPathComponent("case-\(seed).register.yaml").path, breakdown: "gruppe")
        }
    }

    @Test func samples() throws {
        try Self.expectSame(
            [Support.repository.appendingPathComponent("Samples").path],
            register: Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path, breakdown: "trinn")
    }

    /// Quoted line breaks and quotes everywhere (so boundaries fall inside quoted fields), a BOM,
    /// duplicates across parts (counted, without answers, with invalid cells), an unknown column,
    /// blank lines, a row with too many fields, and CRLF.
    @Test func hostileLayout() throws {
        var rows = ["respondent;municipality;service;unit;period;set;Merknad;trivsel-1;trivsel-2;trivsel-3"]
        for index in 0..<400 {
            let note = index % 3 == 0 ? "\"linje 1\r\nlinje 2; \"\"sitat\"\"\r\n\"" : (index % 3 == 1 ? "\"a;b\"" : "")
            let answers = index % 7 == 0 ? "x;vet ikke;" : "\(index % 6 + 1);\((index + 2) % 6 + 1);5"
            rows.append("r\(index % 150);M;SFO;u\(index % 4);2024;sfo-foresatte;\(note);\(answers)")
            if index % 50 == 0 { rows.append("") }
            if index % 97 == 0 { rows.append("r999;M;SFO;u1;2024;sfo-foresatte;;1;2;3;extra") }
            if index % 61 == 0 { rows.append("r\(index % 150);M;SFO;u1;2024;sfo-foresatte;;;;") }
        }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(
            bytes: [0xEF, 0xBB, 0xBF] + Array((rows.joined(separator: "\r\n") + "\r\n").utf8),
            to: "hostile.csv", in: folder)
        try Self.expectSame([path])
        let sequential = try Self.run([path], parts: 1)
        #expect(sequential.summary.rejectedByKind["duplicate-respondent", default: 0] > 100)
    }

    /// A stray quote makes the quote count wrong for the boundaries after it: the part that runs
    /// over its end reads on, the parts after it are dropped, and the result stays the same.
    @Test func strayQuoteFallsBackSafely() throws {
        var rows = ["respondent,municipality,service,unit,period,set,trivsel-1"]
        for index in 0..<300 {
            rows.append("r\(index),M,SFO,u\(index % 3),2024,sfo-foresatte,\(index == 20 ? "5\"" : "\(index % 6 + 1)")")
        }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.expectSame([Support.write(rows.joined(separator: "\n") + "\n", to: "stray.csv", in: folder)])
    }

    /// The errors `--strict` stops with on a file of `rows`, read each of the `ways`.
    static func strictErrors(_ rows: [String], ways: [(parts: Int, idsOnDisk: Bool)]) throws -> [String] {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(rows.joined(separator: "\n") + "\n", to: "strict.csv", in: folder)
        var messages: [String] = []
        for (parts, idsOnDisk) in ways {
            do {
                _ = try Self.run([path], parts: parts, strict: true, idsOnDisk: idsOnDisk)
                Issue.record("expected --strict to stop")
            } catch {
                messages.append(error.description)
            }
        }
        return messages
    }

    @Test func strictStopsAtTheSameFirstProblem() throws {
        var rows = ["respondent,municipality,service,unit,period,set,trivsel-1"]
        for index in 0..<300 { rows.append("r\(index),M,SFO,u,2024,sfo-foresatte,\(index == 250 || index == 40 ? "x" : "4")") }
        let messages = try Self.strictErrors(rows, ways: [(1, false), (4, false), (1, true), (4, true)])
        #expect(messages.count == 4 && Set(messages).count == 1)
        // Row 40 (line 42) has only an invalid answer: that cell is its first problem (then that it
        // has no valid answer).
        #expect(messages.first?.contains(":42: error: invalid answer \"x\" for item trivsel-1") == true, "\(messages)")
    }

    /// With ids on disk the first read assumes no duplicates; `--strict` must still stop at a
    /// duplicate before the first other problem (row 6 repeats row 2's id; row 41 is invalid).
    @Test func strictStopsAtAnEarlierDuplicate() throws {
        var rows = ["respondent,municipality,service,unit,period,set,trivsel-1"]
        for index in 0..<300 { rows.append("r\(index == 5 ? 1 : index),M,SFO,u,2024,sfo-foresatte,\(index == 40 ? "x" : "4")") }
        let messages = try Self.strictErrors(rows, ways: [(1, false), (1, true), (4, true)])
        #expect(messages.count == 3)
        for message in messages {
            #expect(message.contains(":7: error: respondent r1 appears more than once"), "\(message)")
        }
    }

    /// Duplicates within a file, across files and periods, a file given twice (every response of
    /// its second reading a duplicate), aborted interviews (never registered, so a later complete
    /// one with the same id counts), rows of another set or with a field missing (not registered).
    @Test func idsOnDiskAcrossFiles() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = "respondent;municipality;service;unit;period;set;status;trivsel-1;trivsel-2"
        var a = [header]
        for index in 0..<120 {
            let status = index % 10 == 3 ? "aborted" : "complete"
            let set = index % 17 == 5 ? "skole-foresatte" : "sfo-foresatte"
            let unit = index % 23 == 7 ? "" : "u\(index % 3)"
            a.append("r\(index % 90);M;SFO;\(unit);2024;\(set);\(status);\(index % 6 + 1);\(index % 5 == 0 ? "x" : "3")")
        }
        var b = [header]
        for index in 60..<200 {
            b.append("r\(index);M;SFO;u1;\(index % 4 == 0 ? 2023 : 2024);sfo-foresatte;;4;\(index % 7 == 0 ? "" : "5")")
        }
        let pathA = Support.write(a.joined(separator: "\n") + "\n", to: "a.csv", in: folder)
        let pathB = Support.write(b.joined(separator: "\n") + "\n", to: "b.csv", in: folder)
        try Self.expectSame([pathA, pathB, pathA])
        let once = try Self.run([pathA, pathB], parts: 1, idsOnDisk: true)
        let twice = try Self.run([pathA, pathB, pathA], parts: 1, idsOnDisk: true)
        // By hand: a.csv has 120 rows; 12 aborted (index % 10 == 3); 7 of another set (index % 17
        // == 5: 5, 22, 39, 56, 73, 90, 107), 73 of them aborted too → 6 more; 5 without a unit
        // (index % 23 == 7: 7, 30, 53, 76, 99), 53 aborted → 4 more; so 120 − 12 − 6 − 4 = 98
        // registered. In its second reading every registered response is a duplicate.
        let duplicates = { (summary: RunSummary) in summary.rejectedByKind["duplicate-respondent", default: 0] }
        #expect(twice.summary.counted == once.summary.counted)
        #expect(duplicates(twice.summary) == duplicates(once.summary) + 98)
    }

    /// A file that cannot be read to its end stops the run with the same error either way.
    @Test func idsOnDiskKeepsTheErrors() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var rows = ["respondent,municipality,service,unit,period,set,trivsel-1"]
        for index in 0..<200 { rows.append("r\(index % 150),M,SFO,u,2024,sfo-foresatte,\(index == 170 ? "\"4" : "4")") }
        let broken = Support.write(rows.joined(separator: "\n") + "\n", to: "broken.csv", in: folder)
        let noSet = Support.write(
            "respondent,municipality,service,unit,period,trivsel-1\nr1,M,SFO,u,2024,4\n", to: "noset.csv", in: folder)
        for paths in [[broken], [noSet], [broken, noSet]] {
            var messages: [String] = []
            for (parts, idsOnDisk) in [(1, false), (1, true), (3, true)] {
                do {
                    _ = try Self.run(paths, parts: parts, idsOnDisk: idsOnDisk)
                    Issue.record("expected an error for \(paths)")
                } catch {
                    messages.append(error.description)
                }
            }
            #expect(Set(messages).count == 1, "\(messages)")
        }
    }

    @Test func validationAgrees() throws {
        let path = Support.repository.appendingPathComponent("Samples/medarbeidere-eksempelvik.csv").path
        var outputs: [String] = []
        for parts in [1, 3] {
            let pipeline = ScorePipeline(
                catalog: try IndicatorSetCatalog.builtIn(), options: .init(parts: parts, minimumPartBytes: 64))
            let result = try pipeline.validate(
                try pipeline.inputFiles([path]), problems: try ProblemLog(rejects: nil, strict: false))
            var output = StringOutput()
            try CSVValidationWriter().write(result, language: .nb, to: &output)
            outputs.append(output.text)
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test func splitPointsStartRecords() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text =
            "respondent,municipality,service,unit,period,note\n" + (0..<100).map { "r\($0),M,S,u,2024,\"a\nb\"\n" }.joined()
        let file = InputFile(url: URL(fileURLWithPath: Support.write(text, to: "s.csv", in: folder)))
        let reader = CSVResponseReader()
        let layout = try #require(try reader.layout(of: file))
        let points = try #require(try reader.splitPoints(of: file, layout: layout, parts: 4, minimumPartBytes: 16))
        let bytes = Array(text.utf8)
        #expect(points.count == 4)
        for point in points {
            #expect(bytes[point.offset] == UInt8(ascii: "r"), "a record starts at \(point.offset)")
            let lineBreaks = bytes[..<point.offset].filter { $0 == 0x0A }.count
            #expect(point.line == lineBreaks + 1)
        }
    }
}

/// Taking back many responses rewrites a part's problems in one pass; it must give what taking
/// them back one at a time gave (the earlier code, kept here as the reference).
@Suite struct RetractionTests {
    static func oneAtATime(_ buffer: [Problem], _ retracted: [(line: Int, problem: Problem)], file: String) -> [Problem] {
        var buffer = buffer
        let own: Set<Problem.Kind> = [.invalidAnswer, .noValidAnswers]
        for (line, duplicate) in retracted {
            let first = buffer.firstIndex { $0.file == file && $0.line == line && own.contains($0.kind) }
            buffer.removeAll { $0.file == file && $0.line == line && own.contains($0.kind) }
            let position = first ?? (buffer.firstIndex { ($0.line ?? 0) > line } ?? buffer.endIndex)
            buffer.insert(duplicate, at: min(position, buffer.endIndex))
        }
        return buffer
    }

    /// Buffers as parts make them: problems in file order, a response's own problems (invalid
    /// answers, or none valid) after its other ones; the header's unknown-column warning (line 1)
    /// just before the problems of the first response classified. Retracted responses are
    /// registered ones, so never on a line whose response was rejected before classification.
    @Test func onePassAgreesWithOneAtATime() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            var buffer: [Problem] = []
            var rejectedLines: Set<Int> = []
            var warned = false
            for line in 2..<Int.random(in: 3...30, using: &generator) {
                func add(_ kind: Problem.Kind, _ at: Int = line) {
                    buffer.append(Problem(kind, file: "f.csv", line: at, column: "c\(buffer.count)", message: "m"))
                }
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: continue
                case 1:
                    add(Bool.random(using: &generator) ? .aborted : .missingField)
                    rejectedLines.insert(line)
                default:
                    if !warned && Bool.random(using: &generator) {
                        add(.unknownColumn, 1)
                        warned = true
                    }
                    if Bool.random(using: &generator) { add(.duplicateAnswer) }
                    if Bool.random(using: &generator) {
                        add(.noValidAnswers)
                    } else {
                        for _ in 0..<Int.random(in: 0...3, using: &generator) { add(.invalidAnswer) }
                    }
                }
            }
            // Retracted responses in file order; now and then two on one line (XML allows that).
            var retracted: [(line: Int, problem: Problem)] = []
            var at = 2
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                at += Int.random(in: 0...4, using: &generator)
                if rejectedLines.contains(at) { continue }
                retracted.append(
                    (at, Problem(.duplicateRespondent, file: "f.csv", line: at, column: "d\(retracted.count)", message: "d")))
            }
            var byLine: [Int: [Problem]] = [:]
            for (line, problem) in retracted { byLine[line, default: []].append(problem) }
            let expected = Self.oneAtATime(buffer, retracted, file: "f.csv")
            #expect(
                ResponseCollector.replacingOwnProblems(buffer, with: byLine, file: "f.csv") == expected,
                "\(buffer.map { "\($0.kind)@\($0.line!)" }) taking back \(retracted.map(\.line))")
        }
    }
}
