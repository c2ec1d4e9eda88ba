import Foundation
import Testing

@testable import Kvalitet

/// The collector reads the usual CSV row from its bytes (`collectRaw`) and every other row as
/// text (`collect`): both must come to exactly what reading every row as text comes to.
@Suite struct CellsAsBytesTests {
    /// Characters key fields are made of: white space of several kinds (ASCII, no-break space,
    /// ideographic space, line separator), letters beyond ASCII at the edges, a combining mark.
    static let pieces = [
        "r", "1", "2", " ", "\t", "\u{00A0}", "ø", "Ø", "é", "e\u{0301}", "\u{3000}", "\u{2028}", "x", "\u{0085}", "\u{1F}",
    ]

    /// Trimming a cell's bytes leaves the bytes of what `trimmingSpaces` leaves of its text,
    /// in both encodings, for cells of every mix of the pieces above.
    @Test func trimmingBytesAgreesWithTrimmingText() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            let length = Int(random.next() % 6)
            let text = (0..<length).map { _ in Self.pieces[Int(random.next() % UInt64(Self.pieces.count))] }.joined()
            var cells = RawCells(encoding: .utf8)
            cells.append(Array(text.utf8))
            cells.append(Array("a".utf8))
            #expect(cells.trimmedText(0) == text.trimmingSpaces, "\(Array(text.unicodeScalars))")
            #expect(String(decoding: cells.bytes[cells.trimmedRange(0)], as: UTF8.self) == text.trimmingSpaces)
            #expect(cells.isBlank == false)
            var blank = RawCells(encoding: .utf8)
            blank.append(Array(text.utf8))
            #expect(blank.isBlank == text.trimmingSpaces.isEmpty, "\(Array(text.unicodeScalars))")
            // The same text in Windows-1252, where it can be written so.
            if let bytes = Self.windows1252(text) {
                var cells = RawCells(encoding: .windows1252)
                cells.append(bytes)
                #expect(cells.trimmedText(0) == text.trimmingSpaces, "\(bytes)")
                #expect(cells.isBlank == text.trimmingSpaces.isEmpty, "\(bytes)")
            }
        }
    }

    /// A cell classified from its bytes means what its text means, for every set, every byte
    /// alone and pairs of them, in both encodings.
    @Test func cellsFromBytesMeanWhatTheirTextMeans() throws {
        let catalog = try IndicatorSetCatalog.builtIn()
        let pool: [UInt8] = [0x20, 0x30, 0x31, 0x34, 0x36, 0x37, 0x39, 0x78, 0x2D, 0x2E, 0x09, 0xA0, 0xC3, 0xB8]
        for set in catalog.sets.values.map(CompiledSet.init) {
            var cells: [[UInt8]] = (0..<256).map { [UInt8($0)] }
            for a in pool { for b in pool { cells.append([a, b]) } }
            cells.append(Array("vet ikke".utf8))
            cells.append(Array(" Vet ikke ".utf8))
            for cell in cells {
                for encoding in [TextEncoding.utf8, .windows1252] {
                    let fromBytes = cell.withUnsafeBufferPointer { set.classify(bytes: $0, encoding: encoding) }
                    let fromText = set.classify(cell.withUnsafeBufferPointer { encoding.decode($0) })
                    #expect(fromBytes == fromText, "\(set.id) \(cell) \(encoding)")
                }
            }
        }
    }

    /// `text` in Windows-1252, or nil when it has a character the code page lacks.
    static func windows1252(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) {
                bytes.append(UInt8(scalar.value))
            } else if let index = TextEncoding.windows1252High.firstIndex(of: scalar.value) {
                bytes.append(UInt8(0x80 + index))
            } else {
                return nil
            }
        }
        return bytes
    }

    /// Rows whose key fields vary in every way the rules look at: white space around them,
    /// letters beyond ASCII, the same unit in two Unicode forms, the status in other cases and
    /// with spaces, another set named, fields missing, ids repeated after trimming, a breakdown
    /// variable and sub-projects; in UTF-8 and in Windows-1252, each alone and both together
    /// (the same ids in both encodings are duplicates of each other).
    @Test func hostileKeyFields() throws {
        let respondents = ["r1", " r1", "r1\u{00A0}", "\tr2", "ø3", "Ø3", "ø3 ", "", " ", "r4"]
        let municipalities = ["Bø", " Bø", "Bø\u{00A0}", "Bö", "Bo\u{0308}", "M", ""]
        let units = ["u1", "u1 ", "enhet ø", "Enhet ø", "\u{00A0}u2"]
        let statuses = ["", "complete", "Complete", " complete ", "aborted", "ABORTED", "done", "complete\u{00A0}"]
        let sets = ["", "sfo-foresatte", " sfo-foresatte", "skole-foresatte", "ukjent"]
        let periods = ["2024", " 2024", "2025", "2024\u{00A0}", ""]
        let groups = ["a", " a", "b", "", "ø"]
        let subprojects = ["", "", "Bedre SFO", " Bedre SFO"]
        let answers = ["1", "6", " 4", "x", "", "vet ikke", "7", "3"]
        var random = SplitMix64(seed: 11)
        func pick(_ list: [String]) -> String { list[Int(random.next() % UInt64(list.count))] }
        var rows = ["respondent;kommune;tjeneste;enhet;periode;skjema;status;bg.gruppe;delprosjekt;trivsel-1;trivsel-2;trivsel-3"]
        for index in 0..<900 {
            // Mostly usual rows (the bytes' path), with every kind of unusual one among them.
            let usual = index % 3 != 0
            let respondent = usual ? "id\(index % 400)" : pick(respondents)
            let fields = [
                respondent, usual ? "Bø" : pick(municipalities), "SFO", usual ? pick(["u1", "enhet ø"]) : pick(units),
                usual ? "2024" : pick(periods), usual ? "sfo-foresatte" : pick(sets),
                usual ? pick(["", "complete"]) : pick(statuses),
                pick(groups), pick(subprojects), pick(answers), pick(answers), pick(answers),
            ]
            rows.append(fields.joined(separator: ";"))
            if index % 101 == 0 { rows.append(";;;;;;;;;;;") }
            if index % 131 == 0 { rows.append("short;Bø;SFO;u1;2024") }
        }
        let text = rows.joined(separator: "\r\n") + "\r\n"
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let utf8 = Support.write(text, to: "utf8.csv", in: folder)
        // Windows-1252: the rows it can hold.
        let encodable = rows.compactMap { Self.windows1252($0) }
        #expect(encodable.count > 800)
        let cp1252 = Support.write(
            bytes: Array(encodable.joined(separator: [0x0D, 0x0A])) + [0x0D, 0x0A], to: "cp1252.csv", in: folder)
        for paths in [[utf8], [cp1252], [utf8, cp1252]] {
            try PartsReadingTests.expectSame(paths, breakdown: "gruppe")
        }
        let both = try PartsReadingTests.run([utf8, cp1252], parts: 1, breakdown: "gruppe")
        let first = try PartsReadingTests.run([utf8], parts: 1, breakdown: "gruppe")
        // Every row of the second file that the first counted is counted there and not again.
        #expect(both.summary.counted == first.summary.counted)
    }

    /// A small file worked through by hand: ids equal after trimming are one respondent; a
    /// unit in two Unicode forms is one group; status and set compare as the rules say.
    @Test func smallFileByHand() throws {
        let rows = [
            "respondent,municipality,service,unit,period,set,status,trivsel-1",
            "r1,M,SFO,Bö,2024,sfo-foresatte,complete,6",  // counted: group Bö
            " r1 ,M,SFO,Bö,2024,sfo-foresatte,,5",  // duplicate of r1
            "r2,M,SFO,Bo\u{0308},2024,sfo-foresatte,Complete,4",  // counted: the same group Bö
            "r3,M,SFO,Bö,2024, sfo-foresatte ,aborted,4",  // aborted
            "r4,M,SFO,Bö,2024,skole-foresatte,,4",  // another set
            "r5,M,SFO,Bö,2024\u{00A0},sfo-foresatte,,2",  // counted: period 2024
            "r1,M,SFO,Bö,2025,sfo-foresatte,,x",  // another period, but no valid answer
        ]
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(rows.joined(separator: "\n") + "\n", to: "small.csv", in: folder)
        let result = try PartsReadingTests.run([path], parts: 1)
        #expect(result.summary.counted == 3)
        #expect(
            result.summary.rejectedByKind == ["duplicate-respondent": 1, "aborted": 1, "set-mismatch": 1, "no-valid-answers": 1])
        // One unit: its rows all have the three respondents (suppressed, so no mean is shown).
        let unitRows = Support.parseCSV(result.scores).filter { $0.first == "unit" }
        #expect(!unitRows.isEmpty && unitRows.allSatisfy { $0[3] == "Bö" && $0[11] == "3" }, "\(unitRows)")
        #expect(Set(unitRows.map { Array($0[3].unicodeScalars) }).count == 1)
        try PartsReadingTests.expectSame([path])
    }
}

extension RawCells {
    mutating func append(_ cell: [UInt8]) { cell.withUnsafeBufferPointer { append($0) } }
}
