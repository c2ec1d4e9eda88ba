import CReadStat
import Foundation
import KvalitetTesting
import Testing

@testable import Kvalitet

/// Reading SPSS data files through ReadStat: names with `_` for `-`, codes, labels of keys,
/// user-missing "vet ikke", the same scores as the CSV a file was made from. Fixtures are made by
/// pyreadstat (Tests/Reference/make_sav_fixtures.py).
@Suite struct SPSSReaderTests {
    static func read(_ url: URL, dontKnow: Set<String> = ["vet ikke"]) throws -> XLSXReaderTests.Collecting {
        var sink = XLSXReaderTests.Collecting()
        try SPSSResponseReader(dontKnowWords: dontKnow).read(InputFile(url: url), into: &sink)
        return sink
    }

    @Test func codesLabelsAndMissingValuesReadAsACSVExportHoldsThem() throws {
        let sink = try Self.read(Support.resource("spss/kinds.sav"))
        var expected = Support.parseCSV(try String(contentsOf: Support.resource("spss/kinds.expected.csv"), encoding: .utf8))
        let header = expected.removeFirst()
        let got = sink.records.map { record -> [String] in
            let keys = [record.respondent, record.municipality, record.service, record.unit, record.period, record.set]
                .map { $0 ?? "" }
            let age: String = record.background.first { $0.name == "alder" }?.value ?? ""
            var answers: [String] = []
            for name in header.suffix(3) {
                let answer: ResponseRecord.Field? = record.answers.first { $0.name == name }
                answers.append(answer?.value ?? "")
            }
            return keys + [age] + answers
        }
        #expect(got == expected)
        #expect(sink.records.map(\.line) == [2, 3, 4, 5])
        #expect(sink.records.first?.answerNames == ["innsendt", "resultat-1", "TRIVSEL-1"])
    }

    @Test func damagedAndOtherFilesAreRefused() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let whole = try Data(contentsOf: Support.resource("spss/kinds.sav"))
        for (name, bytes) in [
            ("cut.sav", Array(whole.prefix(whole.count / 2))), ("text.sav", Array("respondent,municipality\n".utf8)),
        ] {
            let path = Support.write(bytes: bytes, to: name, in: folder)
            let error = #expect(throws: KvalitetError.self) { try Self.read(URL(fileURLWithPath: path)) }
            #expect(error?.code == .inputRefused)
            #expect(error?.message.contains("not a readable SPSS data file") == true, "\(error?.message ?? "")")
        }
    }

    /// The public conformance kit, on files ReadStat's own writer makes.
    @Test func spssReaderConforms() throws {
        try ReaderConformance(
            reader: SPSSResponseReader(), fileExtension: "sav", encode: Self.sav,
            malformed: Array(try Data(contentsOf: Support.resource("spss/kinds.sav")).prefix(300))
        ).run()
    }

    /// Responses as an SPSS file written by ReadStat: string variables, `_` for `-`.
    static func sav(_ responses: [ReaderConformance.Response]) -> [UInt8] {
        var background: [String] = []
        for response in responses {
            for pair in response.background where !background.contains(pair[0]) { background.append(pair[0]) }
        }
        let items = responses.first?.answers.map { $0[0] } ?? []
        let names = ["respondent", "municipality", "service", "unit", "period", "set"] + background.map { "bg_\($0)" } + items
        final class Bytes { var data: [UInt8] = [] }
        let bytes = Bytes()
        let writer = readstat_writer_init()!
        defer { readstat_writer_free(writer) }
        readstat_set_data_writer(writer) { data, count, context in
            let target = Unmanaged<Bytes>.fromOpaque(context!).takeUnretainedValue()
            target.data += UnsafeRawBufferPointer(start: data, count: count)
            return count
        }
        let variables = names.map {
            readstat_add_variable(writer, $0.replacingOccurrences(of: "-", with: "_"), READSTAT_TYPE_STRING, 64)!
        }
        readstat_begin_writing_sav(writer, Unmanaged.passUnretained(bytes).toOpaque(), responses.count)
        for response in responses {
            readstat_begin_row(writer)
            let values =
                [response.respondent, response.municipality, response.service, response.unit, response.period, response.set]
                + background.map { name in response.background.first { $0[0] == name }?[1] ?? "" }
                + response.answers.map { $0[1] }
            for (variable, value) in zip(variables, values) { readstat_insert_string_value(writer, variable, value) }
            readstat_end_row(writer)
        }
        readstat_end_writing(writer)
        return bytes.data
    }
}
