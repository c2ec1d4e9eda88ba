import ArgumentParser
import Foundation
import Kvalitet

struct SetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sets",
        abstract: "List, show and check indicator sets.",
        discussion:
            "Examples:\n  kvalitet sets list\n  kvalitet sets show sfo-foresatte --lang en\n  kvalitet sets check IndicatorSets/",
        subcommands: [List.self, Show.self, Check.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the available sets.")
        @Option(name: .customLong("sets"), help: "A folder of extra definitions.") var setDirectories: [String] = []
        @Option(help: "nb or en.") var lang: Language = .nb

        func run() throws {
            do {
                let catalog = try ScoreJob.catalog(setDirectories)
                print(SetDescriptions.list(catalog, language: lang), terminator: "")
            } catch { fail(with: error, language: lang) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one set: scale, dimensions and items.")
        @Option(name: .customLong("sets"), help: "A folder of extra definitions.") var setDirectories: [String] = []
        @Option(help: "nb or en.") var lang: Language = .nb
        @Argument(help: "The set's id.") var id: String

        func run() throws {
            do {
                let catalog = try ScoreJob.catalog(setDirectories)
                guard let set = catalog[id] else {
                    fail(
                        with: KvalitetError(
                            .usage, "unknown set \"\(id)\" (see kvalitet sets list)",
                            nb: "ukjent skjema «\(id)» (se kvalitet sets list)"), language: lang)
                }
                print(SetDescriptions.show(set, language: lang), terminator: "")
            } catch { fail(with: error, language: lang) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every definition in a folder (exit 2 at the first that breaks a rule).")
        @Argument(help: "A folder of *.yaml definitions.") var directory: String

        func run() throws {
            do {
                var catalog = IndicatorSetCatalog()
                try catalog.addDirectory(URL(fileURLWithPath: directory, isDirectory: true))
                for set in catalog.sorted {
                    print("ok  \(set.id) (\(catalog.origins[set.id] ?? ""))")
                }
                print("\(catalog.sets.count) sets checked")
            } catch { fail(with: error) }
        }
    }
}
