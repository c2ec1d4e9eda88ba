import Foundation
import Testing

@testable import Kvalitet

@Suite struct IndicatorSetLoaderTests {
    let loader = IndicatorSetLoader()

    static let valid = """
        id: prove
        version: 2
        title: {nb: "Prøve", en: "Trial"}
        scale:
          min: 1
          max: 6
          dont_know: ["vet ikke"]
        positive: 5
        dimensions:
          - id: trivsel
            title: {nb: "Trivsel", en: "Well-being"}
            items:
              - id: t1
                text: {nb: "…", en: "…"}
              - id: t2
                reverse: true
                text: {nb: "…", en: "…"}
        """

    @Test func readsADefinitionWithDefaults() throws {
        let set = try loader.load(yaml: Self.valid, file: "prove.yaml")
        #expect(set.id == "prove" && set.version == 2)
        #expect(set.minN == 5 && set.minAnswered == 0.5 && set.reportItems)
        #expect(set.scoring.name == "mean" && set.scoring.positive == 5)
        #expect(set.dimensions[0].items.map(\.reverse) == [false, true])
    }

    @Test(arguments: [
        ("scale:\n  min: 1\n  max: 6", "scale:\n  min: 6\n  max: 6", 6, "scale.max: must be greater than scale.min (6)"),
        ("positive: 5", "positive: 9", 8, "positive: 9 is not on the scale 1–6"),
        ("id: t2", "id: t1", 15, "dimensions[0].items[1].id: \"t1\" is used by another item (ids are compared ignoring case)"),
        ("id: prove", "id: Prøve!", 1, "id: \"Prøve!\" must be lowercase letters, digits and '-'"),
        ("dont_know: [\"vet ikke\"]", "dont_know: [\"3\"]", 7, "scale.dont_know[0]: \"3\" is a valid code of the scale"),
        (
            "positive: 5", "positive: 5\nmin-n: 3", 9,
            "min-n: unknown key (expected one of dimensions, id, min_answered, min_n, positive, report_items, respondent, scale, scoring, sector, service, title, version)"
        ),
        ("positive: 5", "positive: 5\nscoring: median", 9, "scoring: unknown scoring rule \"median\" (known: mean, share)"),
        ("id: t2", "id: status", 15, "dimensions[0].items[1].id: \"status\" is a reserved column name"),
    ])
    func refusesBrokenRulesWithLineAndKeyPath(original: String, replacement: String, line: Int, message: String) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        let error = #expect(throws: KvalitetError.self) { try loader.load(yaml: text, file: "prove.yaml") }
        #expect(error?.code == .inputRefused)
        #expect(error?.message == message)
        #expect(error?.location?.file == "prove.yaml")
        #expect(error?.location?.line == line)
    }

    @Test func notYAMLIsRefusedWithPosition() {
        let error = #expect(throws: KvalitetError.self) { try loader.load(yaml: "id: [unclosed\n", file: "x.yaml") }
        #expect(error?.message.hasPrefix("not valid YAML") == true)
        #expect(error?.location?.line != nil)
    }

    @Test func theNineBuiltInSetsLoad() throws {
        let catalog = try IndicatorSetCatalog.builtIn()
        #expect(
            catalog.sets.keys.sorted() == [
                "barnehage-foresatte", "bofellesskap-brukere", "hjemmetjenester-brukere", "medarbeidere", "sfo-foresatte",
                "skole-elever", "skole-foresatte", "sykehjem-beboere", "sykehjem-parorende",
            ])
        for set in catalog.sets.values {
            for dimension in set.dimensions where set.id != "medarbeidere" {
                #expect((3...5).contains(dimension.items.count), "\(set.id).\(dimension.id) has \(dimension.items.count) items")
            }
        }
        let staff = try #require(catalog["medarbeidere"])
        #expect(staff.scale.max == 5 && !staff.reportItems && staff.minN == 3 && staff.dimensions.count == 10)
        let housing = try #require(catalog["bofellesskap-brukere"])
        #expect(housing.scoring.name == "share" && housing.scoring.positive == 1)
        let core = ["resultat", "trivsel", "brukermedvirkning", "respekt", "tilgjengelighet", "informasjon", "helhet"]
        for set in catalog.sets.values where set.id != "medarbeidere" {
            #expect(Set(core).isSubset(of: set.dimensions.map(\.id)), "\(set.id) lacks a core dimension")
        }
        #expect(catalog["sfo-foresatte"]!.dimensions.contains { $0.id == "fysisk-miljo" })
        #expect(catalog["sykehjem-parorende"]!.dimensions.contains { $0.id == "parorendetilfredshet" })
    }

    /// The compiled-in definitions are the files in IndicatorSets/ (run Scripts/embed-resources.py after an edit).
    @Test func builtInSetsMatchTheFolder() throws {
        try Support.expectEmbedded(BuiltInIndicatorSets.definitions, folder: "IndicatorSets", suffix: ".yaml")
    }

    @Test func foldersAddSetsAndRefuseDuplicates() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        Support.write(Self.valid, to: "a.yaml", in: folder)
        var catalog = try IndicatorSetCatalog.builtIn()
        try catalog.addDirectory(folder)
        #expect(catalog["prove"] != nil && catalog.sets.count == 10)
        Support.write(Self.valid, to: "b.yml", in: folder)
        var again = try IndicatorSetCatalog.builtIn()
        let error = #expect(throws: KvalitetError.self) { try again.addDirectory(folder) }
        #expect(error?.message.hasPrefix("set id \"prove\" is defined twice") == true)
    }

    @Test func aFolderSetReplacesTheBuiltInOfTheSameID() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        Support.write(Self.valid.replacingOccurrences(of: "id: prove", with: "id: sfo-foresatte"), to: "sfo.yaml", in: folder)
        var catalog = try IndicatorSetCatalog.builtIn()
        try catalog.addDirectory(folder)
        #expect(catalog["sfo-foresatte"]?.version == 2)
    }
}
