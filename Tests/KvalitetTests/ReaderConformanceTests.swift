import Foundation
import Testing

@testable import Kvalitet

/// What every `ResponseReader` must do, run against each reader with the same three responses
/// written in its format. A new reader adds its case to `Self.cases`.
@Suite struct ReaderConformanceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let reader: any ResponseReader
        let fileName: String
        /// The three responses below in the reader's format.
        let content: String
        /// A broken file the reader must refuse.
        let malformed: String
        var testDescription: String { reader.name }
    }

    static let cases = [
        Case(
            reader: CSVResponseReader(), fileName: "c.csv",
            content: "respondent,municipality,service,unit,period,set,bg.alder,q1,q2\n"
                + "r1,M,S,u1,2024,s,30-49,5,vet ikke\nr2,M,S,u1,2024,s,,4,\nr3,M,S,u2,2024,s,under 30,6,2\n",
            malformed: "respondent,municipality,service,unit,period\nr1,\"M,S,u,2024\n"),
        Case(
            reader: XMLResponseReader(), fileName: "x.xml",
            content: """
                <survey set="s" municipality="M" period="2024">
                  <unit id="u1" service="S">
                    <response id="r1"><background name="alder">30-49</background><answer item="q1">5</answer><answer item="q2">vet ikke</answer></response>
                    <response id="r2"><answer item="q1">4</answer><answer item="q2"></answer></response>
                  </unit>
                  <unit id="u2" service="S">
                    <response id="r3"><background name="alder">under 30</background><answer item="q1">6</answer><answer item="q2">2</answer></response>
                  </unit>
                </survey>
                """,
            malformed: "<survey set=\"s\" municipality=\"M\" period=\"2024\"><unit id=\"u\" service=\"S\">"),
    ]

    /// The facts of a record that every format carries, after the collector's trimming.
    static func facts(_ record: ResponseRecord) -> [String] {
        var facts = [record.respondent, record.municipality, record.service, record.unit, record.period, record.set]
            .map { $0?.trimmingSpaces ?? "-" }
        facts += record.background.filter { !$0.value.isEmpty }.map { "bg \($0.name)=\($0.value)" }
        facts += record.answers.map { "\($0.name)=\($0.value.trimmingSpaces)" }
        return facts
    }

    @Test(arguments: cases)
    func readsTheSameResponsesInOrder(_ test: Case) throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sink = try test.reader.collect(Support.write(test.content, to: test.fileName, in: folder))
        #expect(
            sink.records.map(Self.facts) == [
                ["r1", "M", "S", "u1", "2024", "s", "bg alder=30-49", "q1=5", "q2=vet ikke"],
                ["r2", "M", "S", "u1", "2024", "s", "q1=4", "q2="],
                ["r3", "M", "S", "u2", "2024", "s", "bg alder=under 30", "q1=6", "q2=2"],
            ])
        let lines = sink.records.map(\.line)
        #expect(lines.allSatisfy { $0 >= 1 } && lines == lines.sorted() && Set(lines).count == lines.count)
        #expect(sink.problems.isEmpty)
    }

    @Test(arguments: cases)
    func refusesAMalformedFileNamingIt(_ test: Case) {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(test.malformed, to: test.fileName, in: folder)
        let error = #expect(throws: KvalitetError.self) { try test.reader.collect(path) }
        #expect(error?.code == .inputRefused)
        #expect(error?.location?.file == path)
        #expect(error?.location?.line != nil)
    }

    @Test(arguments: cases)
    func refusesAMissingFile(_ test: Case) {
        let path = "/nonexistent/\(test.fileName)"
        let error = #expect(throws: KvalitetError.self) { try test.reader.collect(path) }
        #expect(error?.code == .inputRefused)
        #expect(error?.description.hasPrefix("\(path): error: cannot open the file") == true)
    }

    @Test(arguments: cases)
    func rethrowsWhatTheSinkThrows(_ test: Case) throws {
        struct Stop: Error {}
        struct StoppingSink: ResponseSink {
            var seen = 0
            mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
                seen += 1
                throw Stop()
            }
            mutating func report(_ problem: Problem) throws {}
        }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(test.content, to: test.fileName, in: folder)
        var sink = StoppingSink()
        #expect(throws: Stop.self) { try test.reader.read(InputFile(url: URL(fileURLWithPath: path)), into: &sink) }
        #expect(sink.seen == 1)
    }
}
