import Foundation
import Testing

@testable import Kvalitet

@Suite struct RegisterTests {
    @Test func readsTheSampleRegister() throws {
        let register = try Register.load(file: Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml"))
        #expect(register.municipality == "9999 Eksempelvik (fiktiv)")
        #expect(register.units.count == 7)
        #expect(register.units[0].invited == ["2024": 34, "2025": 31])
        #expect(register.subprojects.map(\.id) == ["medvirkning-sfo", "trygg-hverdag"])
        #expect(
            register.subprojects[0].goals == [
                Register.Goal(
                    set: "sfo-foresatte", dimension: "brukermedvirkning",
                    target: 4.5, by: "2025", baseline: "2024")
            ])
    }

    @Test func invitedAppliesToTheSetsOfTheUnitsService() throws {
        let register = try Register.load(
            yaml: """
                municipality: M
                units:
                  - id: bryn
                    service: SFO
                    invited: {"2024": 34, medarbeidere: {"2024": 6}}
                """, file: "r.yaml")
        let index = try RegisterIndex([register])
        let catalog = try IndicatorSetCatalog.builtIn()
        #expect(index.invited(municipality: "M", unit: "bryn", period: "2024", set: catalog["sfo-foresatte"]!) == 34)
        #expect(index.invited(municipality: "M", unit: "bryn", period: "2024", set: catalog["medarbeidere"]!) == 6)
        #expect(index.invited(municipality: "M", unit: "bryn", period: "2024", set: catalog["skole-elever"]!) == nil)
        #expect(index.invited(municipality: "M", unit: "bryn", period: "2025", set: catalog["sfo-foresatte"]!) == nil)
    }

    @Test func subProjectOfAnUnknownUnitIsRefused() {
        let error = #expect(throws: KvalitetError.self) {
            try Register.load(
                yaml: "municipality: M\nunits:\n  - id: a\nsubprojects:\n  - id: p\n    units: [a, b]\n", file: "r.yaml")
        }
        #expect(error?.message == "subprojects[0].units[1]: unit \"b\" is not among the register's units")
        #expect(error?.location?.line == 6)
    }

    @Test func negativeInvitedIsRefused() {
        #expect(throws: KvalitetError.self) {
            try Register.load(yaml: "municipality: M\nunits:\n  - id: a\n    invited: {\"2024\": -3}\n", file: "r.yaml")
        }
    }

    @Test func twoRegistersForOneMunicipalityAreRefused() {
        #expect(throws: KvalitetError.self) { try RegisterIndex([Register(municipality: "M"), Register(municipality: "M")]) }
    }
}
