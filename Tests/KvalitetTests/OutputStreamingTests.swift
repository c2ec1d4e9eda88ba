import Foundation
import Testing

@testable import Kvalitet

/// A run's rows are streamed to the CSV and JSON writers (never all in memory) and written as
/// bytes: the output must be what writing the whole list of rows as text gave.
@Suite struct OutputStreamingTests {
    /// The samples scored by the pipeline, and the same rows as a plain list.
    static func results() throws -> (streamed: ScoreResult, listed: ScoreResult) {
        let run = try Support.score { job in
            job.registerFiles = [Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path]
            job.inputs = [Support.repository.appendingPathComponent("Samples").path]
            job.breakdown = "trinn"
            job.format = "csv"
        }
        // The CSV writer streamed the rows: none are kept yet, so both ways below make them.
        let streamed = run.result
        var rows: [ScoreRow] = []
        streamed.forEachRow { rows.append($0) }
        let listed = ScoreResult(rows: rows, sets: streamed.sets, summary: streamed.summary, names: streamed.names)
        return (streamed, listed)
    }

    @Test func streamedRowsAreTheListedRows() throws {
        let (streamed, listed) = try Self.results()
        #expect(listed.rows.count > 1000)
        #expect(streamed.rows == listed.rows)  // made from the builder now, and kept
        var again: [ScoreRow] = []
        streamed.forEachRow { again.append($0) }  // from the kept list
        #expect(again == listed.rows)
    }

    /// Every writer's output from a streamed result equals the text made cell by cell as before
    /// (`csv(style:)` joined, the JSON writer's members), for both `--excel-safe` choices.
    @Test func writersGiveTheSameTextStreamedOrListed() throws {
        let (streamed, listed) = try Self.results()
        for excelSafe in [false, true] {
            var fromStream = StringOutput()
            try CSVScoresWriter(style: CSVStyle(excelSafe: excelSafe)).write(streamed, language: .nb, to: &fromStream)
            var expected = ScoreRow.columnNames.joined(separator: ",") + "\n"
            for row in listed.rows {
                expected += row.columnValues.map { $0.csv(style: CSVStyle(excelSafe: excelSafe)) }.joined(separator: ",") + "\n"
            }
            #expect(fromStream.text == expected)
        }
        var json = StringOutput()
        try JSONScoresWriter().write(streamed, language: .nb, to: &json)
        var listedJSON = StringOutput()
        try JSONScoresWriter().write(listed, language: .nb, to: &listedJSON)
        #expect(json.text == listedJSON.text)
        #expect(json.text.hasPrefix("[\n  {\"level\":\"all\""))
    }

    /// Numbers and integers written as bytes have the characters `description` gives them.
    @Test func numbersAsBytesReadAsTheirDescription() {
        var random = SplitMix64(seed: 9)
        var doubles: [Double] = [
            0, -0.0, 0.1, 0.2, 1.0 / 3, 5, 4.5, 1e-7, 1e16, 1e21, 123_456_789_012_345_680, 5e-324,
            Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, -2.5, 0.49231343262682387,
        ]
        for _ in 0..<20_000 {
            doubles.append(Double(bitPattern: random.next()))
            doubles.append(random.uniform() * 6)
            doubles.append(Double(Int(random.next() % 1000)) / 7)
        }
        for value in doubles where value.isFinite {
            var bytes: [UInt8] = []
            ColumnValue.number(value).appendCSV(to: &bytes, style: .standard)
            #expect(String(decoding: bytes, as: UTF8.self) == value.description, "\(value.bitPattern)")
        }
        var integers = [0, 1, -1, 9, 10, 99, 100, Int.max, Int.min, Int.min + 1]
        for _ in 0..<10_000 { integers.append(Int(bitPattern: UInt(random.next())) >> Int(random.next() % 64)) }
        for value in integers {
            var bytes: [UInt8] = [0x41]
            ColumnValue.appendDecimal(value, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "A" + String(value))
        }
    }

    /// Texts written as bytes are quoted and neutralised as `CSVText.field` has it.
    @Test func textsAsBytesAreTheFieldsText() {
        let texts = [
            "", "plain", "Bø", "a,b", "say \"hi\"", "line\nbreak", "cr\r", "=SUM(A1)", "+47", "-5", "@x", "\tx",
            "\rx", "'quoted", "=a,\"b\"",
        ]
        for text in texts {
            for excelSafe in [false, true] {
                var bytes: [UInt8] = []
                ColumnValue.text(text).appendCSV(to: &bytes, style: CSVStyle(excelSafe: excelSafe))
                #expect(
                    String(decoding: bytes, as: UTF8.self) == CSVText.field(text, style: CSVStyle(excelSafe: excelSafe)),
                    "\(text) \(excelSafe)")
            }
        }
        var bytes: [UInt8] = []
        ColumnValue.text("=1+1").appendCSV(to: &bytes, style: CSVStyle(excelSafe: true))
        #expect(String(decoding: bytes, as: UTF8.self) == "'=1+1")
    }

    /// Groups sort as their key lists did, texts equal in Swift's sense included.
    @Test func groupOrderIsTheListOrder() {
        let texts = ["", "a", "A", "b", "ø", "o\u{0308}", "ö", "10", "9", "a b"]
        var random = SplitMix64(seed: 4)
        func pick() -> String { texts[Int(random.next() % UInt64(texts.count))] }
        for _ in 0..<20_000 {
            let l = GroupKey(
                level: .unit, municipality: pick(), service: pick(), unit: pick(), subproject: pick(),
                breakdown: pick(), breakdownValue: pick())
            let r = GroupKey(
                level: .unit, municipality: pick(), service: pick(), unit: pick(), subproject: pick(),
                breakdown: pick(), breakdownValue: pick())
            #expect(l.precedesInRowOrder(r) == ScoreBuilder.textOrder(l.sortKeys, r.sortKeys))
        }
    }
}
