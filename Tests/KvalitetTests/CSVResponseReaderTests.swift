import Foundation
import Testing

@testable import Kvalitet

@Suite struct CSVResponseReaderTests {
    let folder = Support.temporaryFolder()
    let reader = CSVResponseReader()

    func read(_ text: String) throws -> CollectingSink {
        try reader.collect(Support.write(text, to: "t.csv", in: folder))
    }

    func read(bytes: [UInt8]) throws -> CollectingSink {
        try reader.collect(Support.write(bytes: bytes, to: "t.csv", in: folder))
    }

    @Test(arguments: [",", ";", "\t"])
    func detectsTheDelimiter(delimiter: String) throws {
        let text =
            ["respondent", "municipality", "service", "unit", "period", "q1"].joined(separator: delimiter) + "\n"
            + ["r1", "3024 Bærum", "SFO", "bryn", "2024", "5"].joined(separator: delimiter) + "\n"
        let sink = try read(text)
        #expect(sink.records.count == 1)
        #expect(sink.records[0].municipality == "3024 Bærum")
        #expect(sink.records[0].answers == [.init(name: "q1", value: "5")])
    }

    @Test func norwegianHeaderNamesAndAliases() throws {
        let sink = try read(
            "Besvarelse;KOMMUNE;Tjeneste;Enhet;År;Skjema;Delprosjekt;Status;bakgrunn.Trinn;bg.kjønn;q1\n"
                + "r1;3024 Bærum;SFO;bryn;2024;sfo-foresatte;medv;aborted;3;k;4\n")
        let record = try #require(sink.records.first)
        #expect(record.respondent == "r1")
        #expect(record.period == "2024")
        #expect(record.set == "sfo-foresatte")
        #expect(record.subproject == "medv")
        #expect(record.status == "aborted")
        #expect(record.background == [.init(name: "Trinn", value: "3"), .init(name: "kjønn", value: "k")])
    }

    @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws {
        let sink = try read(
            "respondent,municipality,service,unit,period,note,q1\r\n"
                + "r1,\"Oslo, sentrum\",SFO,u,2024,\"sa \"\"hei\"\"\r\nog ha det\",6\r\n"
                + "r2,Oslo,SFO,u,2024,,5\r\n")
        #expect(sink.records.count == 2)
        #expect(sink.records[0].municipality == "Oslo, sentrum")
        #expect(sink.records[0].answers[0].value == "sa \"hei\"\r\nog ha det")
        // The second record starts on physical line 4: the first spans lines 2 and 3.
        #expect(sink.records.map(\.line) == [2, 4])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let sink = try read(
            bytes: [0xEF, 0xBB, 0xBF] + Array("respondent,municipality,service,unit,period\nr1,K,S,U,2024\n".utf8))
        #expect(sink.records.first?.respondent == "r1")
    }

    @Test func windows1252IsReadWhenTheFileIsNotUTF8() throws {
        // "Bærum – sør" in Windows-1252: æ = E6, – = 96, ø = F8.
        let header = Array("respondent;municipality;service;unit;period\n".utf8)
        let row =
            Array("r1;B".utf8) + [0xE6] + Array("rum ".utf8) + [0x96] + Array(" s".utf8) + [0xF8] + Array("r;SFO;u;2024\n".utf8)
        let sink = try read(bytes: header + row)
        #expect(sink.records.first?.municipality == "Bærum – sør")
    }

    @Test func utf16IsRefusedWithAHint() throws {
        let error = #expect(throws: KvalitetError.self) { try read(bytes: [0xFF, 0xFE, 0x72, 0x00]) }
        #expect(error?.code == .inputRefused)
        #expect(error?.message.contains("UTF-16") == true)
    }

    @Test func unclosedQuoteIsRefusedAtTheLineItOpens() throws {
        let error = #expect(throws: KvalitetError.self) {
            try read("respondent,municipality,service,unit,period\nr1,K,S,U,2024\nr2,\"K,S,U,2024\nr3,K,S,U,2024\n")
        }
        #expect(error?.location?.line == 3)
        #expect(error?.message == "a quoted field is never closed")
    }

    @Test func missingRequiredColumnIsRefused() throws {
        let error = #expect(throws: KvalitetError.self) { try read("respondent,municipality,service,period\nr1,K,S,2024\n") }
        #expect(error?.description.hasSuffix("t.csv:1: error: the header has no column \"unit\" (required)") == true)
        #expect(error?.location?.field == "unit")
    }

    @Test func twoColumnsForOneFieldAreRefused() throws {
        let error = #expect(throws: KvalitetError.self) { try read("respondent,id,municipality,service,unit,period\n") }
        #expect(error?.message.contains("mean the same field") == true)
    }

    @Test func blankLinesAreSkippedAndShortRowsPadded() throws {
        let sink = try read("respondent,municipality,service,unit,period,q1,q2\n\nr1,K,S,U,2024,3\n;;\n")
        #expect(sink.records.count == 2)
        #expect(sink.records[0].answers == [.init(name: "q1", value: "3"), .init(name: "q2", value: "")])
    }

    @Test func rowsWithExtraFieldsAreReportedNotCounted() throws {
        let sink = try read("respondent,municipality,service,unit,period\nr1,K,S,U,2024,,\nr2,K,S,U,2024,oops\n")
        #expect(sink.records.map(\.respondent) == ["r1"])
        #expect(sink.problems.map(\.kind) == [.fieldCount])
        #expect(sink.problems.first?.line == 3)
    }

    @Test func aFieldLongerThanTheLimitIsRefused() throws {
        let small = CSVResponseReader(maxFieldBytes: 16)
        let path = Support.write(
            "respondent,municipality,service,unit,period\nr1,K,S,U,\"" + String(repeating: "x", count: 40), to: "long.csv",
            in: folder)
        #expect(throws: KvalitetError.self) { try small.collect(path) }
    }

    /// FORMAT.md §7: an empty file is refused (it is no export); a header alone holds no responses.
    @Test func anEmptyFileIsRefusedAndAHeaderAloneHoldsNoResponses() throws {
        #expect(throws: KvalitetError.self) { try read("") }
        #expect(try read("respondent,municipality,service,unit,period\n").records.isEmpty)
    }

    /// A chunk boundary inside a quoted field, a CRLF and a UTF-8 sequence is handled.
    @Test func chunkBoundariesDoNotMatter() throws {
        var text = "respondent,municipality,service,unit,period,note\n"
        for index in 0..<3000 { text += "r\(index),Bærum,S,U,2024,\"a,\"\"b\"\"\r\nø\"\r\n" }
        let sink = try read(text)
        #expect(sink.records.count == 3000)
        #expect(sink.records.allSatisfy { $0.answers[0].value == "a,\"b\"\r\nø" && $0.municipality == "Bærum" })
        #expect(sink.records.last?.line == 1 + 2 * 2999 + 1)
    }
}

/// The UTF-8 check that decides a CSV file's encoding, against the standard library's own
/// validation, on random bytes cut into random chunks (a sequence may span two).
@Suite struct UTF8ValidatorTests {
    @Test func agreesWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            Array("Bærum ".utf8), Array("€".utf8), Array("𝄞".utf8), Array("plain ascii text".utf8),
            [0xC3], [0xA6], [0xE2, 0x82], [0xAC], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xFF], [0x80],
        ]
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) { bytes += pieces.randomElement(using: &generator)! }
            var validator = UTF8Validator()
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...9, using: &generator))
                bytes[start..<end].withUnsafeBufferPointer { validator.consume($0) }
                start = end
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(validator.isCompleteAndValid == expected, "\(bytes)")
        }
    }
}

/// The tokenizer reads most records whole from the chunk (`wholeRecord`) and the rest field by
/// field: on random files of quoted and unquoted fields, stray quotes, every kind of line end,
/// blank lines and fields near the limits, cut into chunks of every small size, both ways give
/// the same cells, lines, offsets and errors.
@Suite struct CSVTokenizerTests {
    struct Outcome: Equatable {
        var records: [[String]] = []
        var answers: [[String]] = []
        var lines: [Int] = []
        var offsets: [Int] = []
        var error: String?
    }

    static func tokenize(
        _ path: String, chunkSize: Int, whole: Bool, answerColumns: [Bool], maxFieldBytes: Int,
        maxRecordBytes: Int, maxFields: Int
    ) -> Outcome {
        var outcome = Outcome()
        do {
            let source = try ByteSource(InputFile(url: URL(fileURLWithPath: path)), chunkSize: chunkSize)
            guard try source.refill() else { return outcome }
            var tokenizer = CSVTokenizer(
                source: source, delimiter: UInt8(ascii: ";"), encoding: .utf8, startOffset: 0,
                maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxFields)
            tokenizer.readsWholeRecords = whole
            tokenizer.answerColumns = answerColumns
            var cells = RawCells()
            var answers = RawCells()
            while true {
                let offset = tokenizer.offset
                guard let line = try tokenizer.nextRecord(into: &cells, answers: &answers) else { break }
                outcome.records.append((0..<cells.count).map { cells.text($0) })
                outcome.answers.append((0..<answers.count).map { answers.text($0) })
                outcome.lines.append(line)
                outcome.offsets.append(offset)
            }
        } catch {
            outcome.error = error.description
        }
        return outcome
    }

    @Test func wholeRecordsAgreeWithFieldByField() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fields = [
            "a", "bø", "", " ", "12", "\"q;\"\"x\"\"\"", "x\"y", "\"multi\nline\"", "\"cr\r\"", "long-field-value", "6",
            "vet ikke",
        ]
        let ends = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"]
        var random = SplitMix64(seed: 5)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        for round in 0..<60 {
            var text = ""
            for _ in 0..<(1 + Int(random.next() % 12)) {
                text += (0..<(1 + Int(random.next() % 7))).map { _ in pick(fields) }.joined(separator: ";") + pick(ends)
            }
            if round % 4 == 0 { text.removeLast() }  // no line end after the last record (or a lone CR/LF left)
            let path = Support.write(text, to: "t\(round).csv", in: folder)
            let mask = (0..<7).map { _ in random.next() % 2 == 0 }
            let limits: [(field: Int, record: Int, fields: Int)] = [
                (1 << 20, 8 << 20, 10_000), (5, 1 << 20, 10_000),
                (1 << 20, 20, 10_000), (1 << 20, 1 << 20, 3),
            ]
            for limit in limits {
                let reference = Self.tokenize(
                    path, chunkSize: 1 << 16, whole: false, answerColumns: mask,
                    maxFieldBytes: limit.field, maxRecordBytes: limit.record, maxFields: limit.fields)
                for chunkSize in [1, 2, 3, 5, 8, 13, 64, 1 << 16] {
                    let whole = Self.tokenize(
                        path, chunkSize: chunkSize, whole: true, answerColumns: mask,
                        maxFieldBytes: limit.field, maxRecordBytes: limit.record, maxFields: limit.fields)
                    #expect(whole == reference, "chunks of \(chunkSize), limits \(limit): \(Array(text.utf8))")
                }
            }
        }
    }

    /// The tokenizer on a file cut by hand, as a check of the reference itself.
    @Test func aSmallFileByHand() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write("a;\"b;\"\"c\"\"\";d\r\n\ne;f\rg\n", to: "hand.csv", in: folder)
        for whole in [true, false] {
            let outcome = Self.tokenize(
                path, chunkSize: 4, whole: whole, answerColumns: [false, true], maxFieldBytes: 100,
                maxRecordBytes: 100, maxFields: 10)
            #expect(outcome.records == [["a", "d"], [""], ["e"], ["g"]])
            #expect(outcome.answers == [["b;\"c\""], [], ["f"], []])
            #expect(outcome.lines == [1, 2, 3, 4])
            #expect(outcome.offsets == [0, 15, 16, 20])
        }
    }

    /// A large file's encoding is checked in two halves at once: they meet where a character
    /// starts, so a letter across the middle is no error, and a bad byte in either half is found.
    @Test func utf8CheckedInHalves() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func check(_ bytes: [UInt8]) throws -> Bool {
            let path = Support.write(bytes: bytes, to: "h.csv", in: folder)
            return try CSVResponseReader.isUTF8InHalves(InputFile(url: URL(fileURLWithPath: path)), size: bytes.count)
        }
        let a = [UInt8](repeating: 0x61, count: 50)
        // 101 bytes, the middle (50) on the second byte of "ø" (C3 B8) and of "€" (E2 82 AC).
        #expect(try check(a[..<49] + [0xC3, 0xB8] + a))
        #expect(try check(a[..<48] + [0xE2, 0x82, 0xAC] + a[..<49]))
        #expect(try check(a + a))
        // A bad byte late, early, or a sequence cut off at the end of either half's text.
        #expect(try !check(a + a[..<40] + [0xF8] + a[..<9]))
        #expect(try !check(a[..<10] + [0xC3, 0x61] + a + a[..<38]))
        #expect(try !check(a + a + [0xC3]))
        #expect(try !check(a[..<49] + [0xC3] + a + a[..<1]))
    }
}
