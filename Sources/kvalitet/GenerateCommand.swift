import ArgumentParser
import Foundation
import Kvalitet

extension ResponseGenerator.Format: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic synthetic responses for a set (to try a set before piloting it, or for benchmarks).",
        discussion:
            "Example: kvalitet generate --set sfo-foresatte --responses 2000 --units 8 --periods 2024,2025 --output proeve.csv")

    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set to answer.")
    var set: String
    @Option(help: "How many responses.")
    var responses: Int
    @Option(help: "How many municipalities.")
    var municipalities = 1
    @Option(help: "Units per municipality.")
    var units = 5
    @Option(help: "Periods, comma-separated, for example 2024,2025.")
    var periods = "2024"
    @Option(help: "csv or xml.")
    var format: ResponseGenerator.Format = .csv
    @Option(help: "Seed of the random numbers: the same seed gives the same file.")
    var seed: UInt64 = 1
    @Option(help: "The file to write.")
    var output: String

    func run() throws {
        do {
            let catalog = try ScoreJob.catalog(setDirectories)
            guard let chosen = catalog[set] else {
                throw KvalitetError(.inputRefused, "unknown set \"\(set)\" (see kvalitet sets list)", nb: "ukjent skjema «\(set)» (se kvalitet sets list)")
            }
            var generator = ResponseGenerator(set: chosen, responses: responses)
            generator.municipalities = municipalities
            generator.units = units
            generator.periods = periods.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            generator.format = format
            generator.seed = seed
            try generator.validate()
            let file = try AtomicFile(path: output)
            var out = AnyTextOutput { (text: String) throws(KvalitetError) in try file.write(text) }
            try generator.write(to: &out)
            try file.commit()
        } catch let error as KvalitetError {
            fail(with: error)
        }
    }
}
