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
        let text = ["respondent", "municipality", "service", "unit", "period", "q1"].joined(separator: delimiter) + "\n"
            + ["r1", "3024 Bærum", "SFO", "bryn", "2024", "5"].joined(separator: delimiter) + "\n"
        let sink = try read(text)
        #expect(sink.records.count == 1)
        #expect(sink.records[0].municipality == "3024 Bærum")
        #expect(sink.records[0].answers == [.init(name: "q1", value: "5")])
    }

    @Test func norwegianHeaderNamesAndAliases() throws {
        let sink = try read("Besvarelse;KOMMUNE;Tjeneste;Enhet;År;Skjema;Delprosjekt;Status;bakgrunn.Trinn;bg.kjønn;q1\n"
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
        let sink = try read("respondent,municipality,service,unit,period,note,q1\r\n"
            + "r1,\"Oslo, sentrum\",SFO,u,2024,\"sa \"\"hei\"\"\r\nog ha det\",6\r\n"
            + "r2,Oslo,SFO,u,2024,,5\r\n")
        #expect(sink.records.count == 2)
        #expect(sink.records[0].municipality == "Oslo, sentrum")
        #expect(sink.records[0].answers[0].value == "sa \"hei\"\r\nog ha det")
        // The second record starts on physical line 4: the first spans lines 2 and 3.
        #expect(sink.records.map(\.line) == [2, 4])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let sink = try read(bytes: [0xEF, 0xBB, 0xBF] + Array("respondent,municipality,service,unit,period\nr1,K,S,U,2024\n".utf8))
        #expect(sink.records.first?.respondent == "r1")
    }

    @Test func windows1252IsReadWhenTheFileIsNotUTF8() throws {
        // "Bærum – sør" in Windows-1252: æ = E6, – = 96, ø = F8.
        let header = Array("respondent;municipality;service;unit;period\n".utf8)
        let row = Array("r1;B".utf8) + [0xE6] + Array("rum ".utf8) + [0x96] + Array(" s".utf8) + [0xF8] + Array("r;SFO;u;2024\n".utf8)
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
        let path = Support.write("respondent,municipality,service,unit,period\nr1,K,S,U,\"" + String(repeating: "x", count: 40), to: "long.csv", in: folder)
        #expect(throws: KvalitetError.self) { try small.collect(path) }
    }

    @Test func emptyFileHoldsNoResponses() throws {
        #expect(try read("").records.isEmpty)
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
        let pieces: [[UInt8]] = [Array("Bærum ".utf8), Array("€".utf8), Array("𝄞".utf8), Array("plain ascii text".utf8),
            [0xC3], [0xA6], [0xE2, 0x82], [0xAC], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xFF], [0x80]]
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
