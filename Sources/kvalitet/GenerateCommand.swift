import ArgumentParser
import Foundation
import Kvalitet

extension ResponseGenerator.Format: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract:
            "Write realistic synthetic responses for a set, or sick-leave exports (to try a set or the tool, or for benchmarks).",
        discussion: """
            Examples:
              kvalitet generate --set sfo-foresatte --responses 2000 --units 8 --periods 2024,2025 --output proeve.csv
              kvalitet generate --absence --register Samples/register-eksempelvik.yaml --from 2024-01 --months 24 --output fravaer.csv
            """)

    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set to answer.")
    var set: String?
    @Option(help: "How many responses.")
    var responses: Int?
    @Flag(help: "Write sick-leave exports (FORMAT.md §8) instead of responses: one row per unit and month.")
    var absence = false
    @Option(help: "With --absence: the register whose units to write (else --municipalities and --units).")
    var register: String?
    @Option(help: "With --absence: the first month, YYYY-MM.")
    var from = "2024-01"
    @Option(help: "With --absence: how many months.")
    var months = 24
    @Option(help: "How many municipalities.")
    var municipalities = 1
    @Option(help: "Units per municipality.")
    var units = 5
    @Option(help: "Services per municipality, its units split over them (responses only).")
    var services = 1
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
            if absence {
                try writeAbsence()
                return
            }
            guard let set, let responses else {
                throw KvalitetError(
                    .usage, "give --set and --responses (or --absence)", nb: "oppgi --set og --responses (eller --absence)")
            }
            let catalog = try ScoreJob.catalog(setDirectories)
            guard let chosen = catalog[set] else {
                throw KvalitetError(
                    .inputRefused, "unknown set \"\(set)\" (see kvalitet sets list)",
                    nb: "ukjent skjema «\(set)» (se kvalitet sets list)")
            }
            var generator = ResponseGenerator(set: chosen, responses: responses)
            generator.municipalities = municipalities
            generator.units = units
            generator.services = services
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

    private func writeAbsence() throws(KvalitetError) {
        var generator = AbsenceGenerator()
        guard let first = Month(from) else {
            throw KvalitetError(.usage, "--from must be a month, YYYY-MM", nb: "--from må være en måned, ÅÅÅÅ-MM")
        }
        generator.firstMonth = first
        generator.months = months
        generator.municipalities = municipalities
        generator.units = units
        generator.seed = seed
        if let register { generator.register = try Register.load(file: URL(fileURLWithPath: register)) }
        try generator.validate()
        let file = try AtomicFile(path: output)
        var out = AnyTextOutput { (text: String) throws(KvalitetError) in try file.write(text) }
        try generator.write(to: &out)
        try file.commit()
    }
}
