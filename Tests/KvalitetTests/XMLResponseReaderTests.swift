import Foundation
import Testing

@testable import Kvalitet

@Suite struct XMLResponseReaderTests {
    let folder = Support.temporaryFolder()
    let reader = XMLResponseReader()

    func read(_ text: String) throws -> CollectingSink {
        try reader.collect(Support.write(text, to: "t.xml", in: folder))
    }

    @Test func readsTheFormat() throws {
        let sink = try read(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <survey set="sfo-foresatte" municipality="3024 Bærum" period="2024">
              <unit id="bryn" name="Bryn SFO" service="SFO" subproject="medvirkning" invited="34">
                <response id="r0001" status="complete">
                  <background name="grade">1</background>
                  <answer item="trivsel-1">5</answer>
                  <answer item="info-2">vet ikke</answer>
                  <answer item="info-3"/>
                  <comment>Free text is kept but not scored.</comment>
                </response>
                <response id="r0002"><answer item="trivsel-1"><![CDATA[ 4 ]]></answer></response>
              </unit>
            </survey>
            """)
        #expect(sink.records.count == 2)
        let first = sink.records[0]
        #expect(first.line == 4)
        #expect(first.respondent == "r0001")
        #expect(first.set == "sfo-foresatte")
        #expect(first.municipality == "3024 Bærum")
        #expect(first.unit == "bryn")
        #expect(first.subproject == "medvirkning")
        #expect(first.invited == "34")
        #expect(first.unitName == "Bryn SFO")
        #expect(first.background == [.init(name: "grade", value: "1")])
        #expect(
            first.answers == [
                .init(name: "trivsel-1", value: "5"), .init(name: "info-2", value: "vet ikke"),
                .init(name: "info-3", value: ""),
            ])
        #expect(sink.records[1].answers == [.init(name: "trivsel-1", value: " 4 ")])
        #expect(sink.problems.isEmpty)
    }

    @Test func latin1DeclaredEncodingIsHonoured() throws {
        let body = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<survey set=\"s\" municipality=\"B".utf8
        let bytes =
            Array(body) + [0xE6]
            + Array("rum\" period=\"2024\"><unit id=\"u\" service=\"S\"><response id=\"r\"/></unit></survey>".utf8)
        let sink = try reader.collect(Support.write(bytes: bytes, to: "l.xml", in: folder))
        #expect(sink.records.first?.municipality == "Bærum")
    }

    @Test func malformedFileIsRefusedWithLineAndColumn() throws {
        let error = #expect(throws: KvalitetError.self) {
            try read(
                "<survey set=\"s\" municipality=\"m\" period=\"p\">\n  <unit id=\"u\" service=\"S\">\n    <response id=\"r\">\n  </unit>\n</survey>\n"
            )
        }
        #expect(error?.code == .inputRefused)
        #expect(error?.location?.line == 4)
        #expect(error?.message.hasPrefix("not well-formed XML") == true)
    }

    @Test func aCutOffFileSaysSo() throws {
        let error = #expect(throws: KvalitetError.self) {
            try read(
                "<survey set=\"s\" municipality=\"m\" period=\"p\">\n<unit id=\"u\" service=\"S\">\n<response id=\"r\">\n<answer item=\"q\">5</answer>\n"
            )
        }
        #expect(
            error?.message
                == "not well-formed XML: the file ends before its elements are closed (cut off?); nothing of the file is counted")
    }

    @Test func billionLaughsIsRefused() throws {
        var doctype = "<!DOCTYPE survey [\n<!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            doctype += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        doctype += "]>\n"
        let error = #expect(throws: KvalitetError.self) {
            try read(
                "<?xml version=\"1.0\"?>\n" + doctype
                    + "<survey set=\"s\" municipality=\"&lol9;\" period=\"2024\"><unit id=\"u\" service=\"S\"><response id=\"r\"/></unit></survey>"
            )
        }
        #expect(error?.code == .inputRefused)
    }

    @Test func externalEntityCannotReadLocalFiles() throws {
        let secret = Support.write("TOPSECRET-42", to: "secret.txt", in: folder)
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE survey [<!ENTITY xxe SYSTEM "file://\(secret)">]>
            <survey set="s" municipality="m" period="2024"><unit id="u" service="S">
            <response id="r"><answer item="q">&xxe;</answer></response></unit></survey>
            """
        var sink = CollectingSink()
        var thrown: KvalitetError?
        do {
            try reader.read(InputFile(url: URL(fileURLWithPath: Support.write(document, to: "x.xml", in: folder))), into: &sink)
        } catch let error as KvalitetError {
            thrown = error
        }
        #expect(thrown?.code == .inputRefused)
        #expect(!sink.records.contains { $0.answers.contains { $0.value.contains("TOPSECRET") } })
        #expect(thrown?.message.contains("TOPSECRET") != true)
    }

    @Test func responseOutsideAUnitIsReported() throws {
        let sink = try read("<survey set=\"s\" municipality=\"m\" period=\"p\"><response id=\"r9\"/></survey>")
        #expect(sink.records.isEmpty)
        #expect(sink.problems.map(\.kind) == [.unknownElement, .missingField])
    }

    @Test func wrongRootIsRefused() throws {
        #expect(throws: KvalitetError.self) { try read("<responses/>") }
    }
}
