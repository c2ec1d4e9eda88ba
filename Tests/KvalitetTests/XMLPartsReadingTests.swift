import Foundation
import Testing

@testable import Kvalitet

/// Reading an XML file in parts at once must give exactly what one read gives (scores, rejects
/// report and its order, summary, errors with their lines), and must actually split an ordinary
/// export (or the speed-up would be lost without a test noticing).
@Suite struct XMLPartsReadingTests {
    typealias Parts = PartsReadingTests

    /// An export of `units` units with `perUnit` responses each; `extra` adds hostile content
    /// to response `index` of unit `unit` (it returns the text to put before that response).
    static func export(
        units: Int = 6, perUnit: Int = 40, encoding: String = "UTF-8", bom: Bool = false,
        invited: (Int) -> String = { "\($0 * 10 + 30)" }, extra: (Int, Int) -> String = { _, _ in "" }
    ) -> [UInt8] {
        var text = "<?xml version=\"1.0\" encoding=\"\(encoding)\"?>\n<!-- made for a test -->\n"
        text += "<survey set=\"sfo-foresatte\" municipality=\"3024 B>rum\" period=\"2024\">\n"
        for unit in 0..<units {
            text += "  <unit id=\"u\(unit)\" service=\"SFO\"\n        name=\"Enhet \(unit)\" invited=\"\(invited(unit))\">\n"
            for index in 0..<perUnit {
                text += extra(unit, index)
                let id = "r\((unit * perUnit + index) % 170)"
                text += "    <response id=\"\(id)\" status=\"\(index % 13 == 4 ? "aborted" : "complete")\">"
                text += "<background name=\"trinn\">\(index % 4 + 1)</background>"
                text += "<answer item=\"trivsel-1\">\(index % 6 + 1)</answer>"
                text += "<answer item=\"trivsel-2\">\(index % 9 == 0 ? "x" : "\((index + 3) % 6 + 1)")</answer>"
                text += index % 5 == 0 ? "<answer item=\"info-2\">vet ikke</answer>" : "<answer item=\"trivsel-3\">4</answer>"
                text += "</response>\n"
            }
            text += "  </unit>\n"
        }
        text += "</survey>\n"
        return (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
    }

    static func write(_ bytes: [UInt8], in folder: URL, name: String = "export.xml") -> String {
        Support.write(bytes: bytes, to: name, in: folder)
    }

    @Test func ordinaryExportIsSplitAndAgrees() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Self.write(Self.export(), in: folder)
        // The boundaries hold (the parts are used, not read again in one go).
        let file = InputFile(url: URL(fileURLWithPath: path))
        let reader = XMLResponseReader()
        for parts in [2, 3, 7] {
            let starts = try #require(try reader.partStarts(of: file, parts: parts, minimumPartBytes: 64))
            #expect(starts.count == parts)
            var outcomes: [XMLResponseReader.PartOutcome] = []
            for index in starts.indices {
                var sink = CollectingSink()
                outcomes.append(reader.readPart(file, starts: starts, index: index, into: &sink))
            }
            for index in 1..<starts.count {
                let (stop, first) = (try #require(outcomes[index - 1].stop), try #require(outcomes[index].first))
                #expect(stop.mark == first.mark && stop.context != nil && stop.context == first.context)
            }
        }
        try Parts.expectSame([path], breakdown: "trinn")
        // Duplicates across parts (ids repeat every 170 responses) were there to take back.
        #expect(try Parts.run([path], parts: 1).summary.rejectedByKind["duplicate-respondent", default: 0] > 50)
    }

    /// `<response` in comments and CDATA at line starts, unknown elements at several depths (each
    /// warned once per file), an invalid `invited` on a unit parts share, a response outside a
    /// unit, a BOM: whatever the split finds, the result is that of one read.
    @Test func hostileContentAgrees() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = Self.export(units: 5, perUnit: 60, bom: true, invited: { $0 == 2 ? "mange" : "40" }) { unit, index in
            switch (unit * 60 + index) % 11 {
            case 0: return "<!--\n    <response id=\"fake\">\n-->\n"
            case 3: return "    <note>\n    <response id=\"inside-note\"/></note>\n"
            case 5: return "    <![CDATA[\n    <response id=\"cdata\">]]>\n"
            case 7: return "    <ekstra><dypere/></ekstra>\n"
            default: return ""
            }
        }
        let path = Self.write(bytes, in: folder)
        try Parts.expectSame([path])
        let sequential = try Parts.run([path], parts: 1)
        #expect(sequential.rejects.contains("invalid-invited"))
        #expect(sequential.rejects.components(separatedBy: "unknown-element").count - 1 == 4)
    }

    /// A file declared in another encoding (its opening cannot be copied as bytes) or XML version
    /// is not split, and still reads the same.
    @Test func otherEncodingIsReadInOneGo() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let latin1 = Self.write(Self.export(encoding: "ISO-8859-1"), in: folder, name: "latin1.xml")
        let version11 = Self.write(
            Array(
                String(decoding: Self.export(), as: UTF8.self)
                    .replacingOccurrences(of: "version=\"1.0\"", with: "version=\"1.1\"").utf8), in: folder, name: "v11.xml")
        for path in [latin1, version11] {
            #expect(
                try XMLResponseReader().partStarts(of: InputFile(url: URL(fileURLWithPath: path)), parts: 2, minimumPartBytes: 64)
                    == nil)
            try Parts.expectSame([path])
        }
    }

    /// Malformed XML late in the file, or early: the same error, at the same line and column.
    @Test func errorsKeepTheirPlace() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let late = Self.export(extra: { unit, index in unit == 5 && index == 30 ? "    <answer item=\"a\">1</wrong>\n" : "" })
        let early = Self.export(extra: { unit, index in unit == 0 && index == 3 ? "    <x a=\"1\" a=\"2\"/>\n" : "" })
        var truncated = Self.export()
        truncated.removeLast(40)
        for (name, bytes) in [("late.xml", late), ("early.xml", early), ("truncated.xml", truncated)] {
            let path = Self.write(bytes, in: folder, name: name)
            var messages: [String] = []
            for parts in [1, 2, 3, 7] {
                do {
                    _ = try Parts.run([path], parts: parts)
                    Issue.record("expected \(name) to be refused")
                } catch {
                    messages.append("\(error)")
                }
            }
            #expect(Set(messages).count == 1, "\(name): \(messages.joined(separator: " / "))")
        }
    }

    /// The starts found in an export: each at a line's start before a `<response>`, with the
    /// survey's and its unit's start tags (a `>` inside an attribute value included) as the opening.
    @Test func startsAreLineStartsWithTheirOpening() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = Self.export()
        let path = Self.write(bytes, in: folder)
        let starts = try #require(
            try XMLResponseReader().partStarts(of: InputFile(url: URL(fileURLWithPath: path)), parts: 4, minimumPartBytes: 64))
        for start in starts.dropFirst() {
            #expect(bytes[start.offset - 1] == 0x0A)
            #expect(String(decoding: bytes[start.offset...].prefix(14), as: UTF8.self) == "    <response ")
            let opening = String(decoding: start.prefix, as: UTF8.self)
            #expect(opening.contains("<survey set=\"sfo-foresatte\" municipality=\"3024 B>rum\" period=\"2024\">"))
            // The unit before the start, as the file has it (its tag spans two lines).
            let before = String(decoding: bytes[..<start.offset], as: UTF8.self)
            let unitTag = before[before.range(of: "<unit ", options: .backwards)!.lowerBound...].prefix { $0 != ">" } + ">"
            #expect(opening.hasSuffix(unitTag + "\n"))
        }
    }
}
