import Foundation
import FuzzSupport
import Testing

/// Replays the fuzzers' seed corpus and every input they ever found a problem with
/// (Fuzz/Corpus, Fuzz/Crashes) through exactly what the fuzz targets run, without the sanitizer:
/// each must be handled (scored, or refused with an error) and, for CSV, read the same in parts.
@Suite struct FuzzRegressionTests {
    static func target(_ kind: String) -> (UnsafeRawBufferPointer) -> String? {
        switch kind {
        case "csv": return FuzzSupport.csv
        case "xml": return FuzzSupport.xml
        case "set": return FuzzSupport.setYAML
        case "xlsx": return FuzzSupport.xlsx
        case "sav": return FuzzSupport.sav
        case "sss": return FuzzSupport.tripleS
        default: return FuzzSupport.registerYAML
        }
    }

    static func inputs(_ kind: String) -> [URL] {
        ["Fuzz/Corpus", "Fuzz/Crashes"].flatMap { folder -> [URL] in
            let url = Support.repository.appendingPathComponent(folder).appendingPathComponent(kind)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map { url.appendingPathComponent($0) }
        }
    }

    @Test(arguments: ["csv", "xml", "set", "register", "xlsx", "sav", "sss"])
    func replay(kind: String) throws {
        let run = Self.target(kind)
        let inputs = Self.inputs(kind)
        #expect(!inputs.isEmpty, "no corpus for \(kind)")
        for input in inputs {
            let data = try Data(contentsOf: input)
            let finding = data.withUnsafeBytes { run($0) }
            #expect(finding == nil, "\(input.lastPathComponent): \(finding ?? "")")
        }
    }
}
