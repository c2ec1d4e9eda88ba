import Foundation
import Testing

@testable import Kvalitet

/// Limits: inputs beyond them are refused with the file, the line and a clear reason (exit 2),
/// instead of exhausting memory.
@Suite struct LimitsTests {
    static let header = "respondent,municipality,service,unit,period,set,resultat-1,trivsel-1\n"

    func refusal(_ name: String, _ content: String, readers: [any ResponseReader]) -> KvalitetError? {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(content, to: name, in: folder)
        return Support.scoreError {
            $0.inputs = [path]
            $0.readers = readers
        }
    }

    @Test func csvFieldRecordAndColumnLimits() {
        let small = [CSVResponseReader(maxFieldBytes: 64, maxRecordBytes: 256, maxColumns: 12)]
        let longField =
            Self.header
            + "r1,K,SFO,a,2024,sfo-foresatte,5,4\nr2,K,SFO,a,2024,sfo-foresatte,\(String(repeating: "x", count: 65)),4\n"
        var error = refusal("field.csv", longField, readers: small)
        #expect(
            error?.code == .inputRefused && error?.location?.line == 3 && error?.message.contains("64 bytes") == true,
            "\(String(describing: error))")
        // A quoted field the same way (the slow path).
        error = refusal(
            "quoted.csv", Self.header + "r1,K,SFO,a,2024,sfo-foresatte,\"\(String(repeating: "y", count: 70))\",4\n",
            readers: small)
        #expect(error?.location?.line == 2 && error?.message.contains("field") == true, "\(String(describing: error))")
        // 11 fields, the last 5 of 50 bytes: every field is short, the record is not.
        let wide =
            Self.header + "r1,K,SFO,a,2024,sfo-foresatte" + String(repeating: "," + String(repeating: "z", count: 50), count: 5)
            + "\n"
        error = refusal("record.csv", wide, readers: small)
        #expect(
            error?.location?.line == 2 && error?.message.contains("record is longer than 256 bytes") == true,
            "\(String(describing: error))")
        let columns = "respondent,municipality,service,unit,period,set" + (1...7).map { ",c\($0)" }.joined() + "\n"
        error = refusal("columns.csv", columns, readers: small)
        #expect(
            error?.location?.line == 1 && error?.message.contains("more than 12 fields") == true,
            "\(String(describing: error))")
        // Within the limits the same file shapes are read.
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fine = Support.write(Self.header + "r1,K,SFO,a,2024,sfo-foresatte,5,4\n", to: "fine.csv", in: folder)
        #expect(throws: Never.self) {
            _ = try Support.score {
                $0.inputs = [fine]
                $0.readers = small
            }
        }
    }

    @Test func xmlDepthAndTextLimits() {
        let reader = [XMLResponseReader(maxDepth: 8, maxTextBytes: 100)]
        let nested = """
            <survey set="sfo-foresatte" municipality="K" period="2024">
            <unit id="a" service="SFO"><response id="r1"><answer item="resultat-1">5</answer>
            <x><x><x><x><x><x></x></x></x></x></x></x>
            </response></unit></survey>
            """
        var error = refusal("deep.xml", nested, readers: reader)
        #expect(
            error?.code == .inputRefused && error?.location?.line == 3 && error?.message.contains("deeper than 8") == true,
            "\(String(describing: error))")
        let long = """
            <survey set="sfo-foresatte" municipality="K" period="2024">
            <unit id="a" service="SFO"><response id="r1">
            <answer item="resultat-1">\(String(repeating: "5", count: 101))</answer>
            </response></unit></survey>
            """
        error = refusal("long.xml", long, readers: reader)
        #expect(
            error?.location?.line == 3 && error?.message.contains("longer than 100 bytes") == true, "\(String(describing: error))"
        )
    }

    /// Issue #14: one element with 200,000 attributes took 32 s in libxml2 (its duplicate check is
    /// quadratic), and attribute values were under no limit. Both are refused before libxml2
    /// sees the tag, with line and column.
    @Test func xmlAttributeCountAndValueLimits() {
        let reader = [XMLResponseReader(maxDepth: 8, maxTextBytes: 300)]
        let many = (0..<200_000).map { "a\($0)=\"x\"" }.joined(separator: " ")
        let clock = ContinuousClock()
        var error: KvalitetError?
        let elapsed = clock.measure {
            error = refusal(
                "attributes.xml",
                "<?xml version=\"1.0\"?>\n<survey set=\"sfo-foresatte\" municipality=\"K\" period=\"2024\" \(many)>\n</survey>\n",
                readers: reader)
        }
        #expect(
            error?.code == .inputRefused && error?.location?.line == 2
                && error?.message == "an element has more than 64 attributes (the format needs at most 5)",
            "\(String(describing: error))")
        // At the 65th "=": set, municipality, period, then a0…a60 (10 of 7 bytes, 51 of 8), "a61=".
        #expect(error?.location?.column == 59 + 10 * 7 + 51 * 8 + 4, "\(String(describing: error))")
        #expect(elapsed < .seconds(5), "refused before the quadratic work")
        let value = String(repeating: "v", count: 301)
        error = refusal(
            "value.xml",
            "<survey set=\"sfo-foresatte\" municipality=\"K\" period=\"2024\">\n<unit id=\"\(value)\" service=\"SFO\"/>\n</survey>\n",
            readers: reader)
        #expect(
            error?.location?.line == 2
                && error?.message == "an attribute value is longer than 300 bytes (limit: --max-field-mib)",
            "\(String(describing: error))")
        // A '>' inside a quoted value, comments with quotes and long texts are no tags to count.
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fine = Support.write(
            """
            <?xml version="1.0"?>
            <!-- it's a "comment" with = = = signs -->
            <survey set="sfo-foresatte" municipality="K &gt; 1" period="2024">
            <unit id="a>b" service="SFO"><response id="r1"><answer item="resultat-1">5</answer>
            <comment>\(String(repeating: "long = \" text ", count: 15))</comment></response></unit></survey>
            """, to: "fine.xml", in: folder)
        #expect(throws: Never.self) {
            _ = try Support.score {
                $0.inputs = [fine]
                $0.readers = reader
            }
        }
    }

    @Test func setDefinitionLimits() throws {
        let base = try String(
            contentsOf: Support.repository.appendingPathComponent("IndicatorSets/sfo-foresatte.yaml"), encoding: .utf8)
        // A scale whose width overflows an integer: refused, not a crash (found while fuzzing).
        let overflow = base.replacingOccurrences(of: "  min: 1\n", with: "  min: -9223372036854775808\n")
            .replacingOccurrences(of: "  max: 6\n", with: "  max: 9223372036854775807\n")
        #expect(throws: KvalitetError.self) { try IndicatorSetLoader().load(yaml: overflow, file: "overflow.yaml") }
        // More items than a set may have.
        var many =
            "id: many\nversion: 1\ntitle: {nb: M, en: M}\nsector: oppvekst\nservice: SFO\nrespondent: foresatte\n"
            + "scale: {min: 1, max: 6}\nscoring: mean\ndimensions:\n  - id: d\n    title: {nb: D, en: D}\n    items:\n"
        for index in 0...IndicatorSetValidator.maxItems { many += "      - {id: i\(index), text: {nb: T, en: T}}\n" }
        do {
            _ = try IndicatorSetLoader().load(yaml: many, file: "many.yaml")
            Issue.record("a set of \(IndicatorSetValidator.maxItems + 1) items was accepted")
        } catch {
            #expect(error.message.contains("at most \(IndicatorSetValidator.maxItems) items"), "\(error)")
        }
    }
}

/// Keys that are not plain names are refused before Yams sees them: it compares such keys for
/// duplicates recursively, which made a 1 KB register take minutes (a fuzzer finding).
@Suite struct ComplexKeyTests {
    @Test func complexKeysAreFoundAndTextIsNot() {
        let refused: [(String, Int)] = [
            ("a: 1\n? b\n: 2\n", 2),
            ("a:\n  - ? x\n    : y\n", 2),
            ("a: {[x, y]: z}\n", 1),
            ("x: 1\n[a, b]: c\n", 2),
            ("{a: b}: c\n", 1),
        ]
        for (text, line) in refused { #expect(YAMLNode.complexKeyLine(text) == line, "\(text)") }
        let fine = [
            "title: {nb: \"Hva? Hvorfor?\", en: 'Why? ok'}\n",
            "text: \"? is a question\"\n",
            "a: 1 # ? not a key\n",
            "note: |\n  ? a line of text\n  [a]: b\nnext: 2\n",
            "name: Per's SFO ? ja\nlist: [a, b]\nmap: {a: b}\n",
            "labels:\n  1: {nb: \"I svært liten grad\"}\n",
        ]
        for text in fine { #expect(YAMLNode.complexKeyLine(text) == nil, "\(text)") }
    }
}
