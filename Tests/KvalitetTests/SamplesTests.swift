import Foundation
import Testing

@testable import Kvalitet

/// The samples the README walks through, scored as the README does, against expected scores
/// from the independent reference (Tests/Reference/make_fixtures.py).
@Suite struct SamplesTests {
    static let register = Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path

    @Test(arguments: [
        ("sfo-foresatte-eksempelvik.csv", "trinn"), ("sykehjem-parorende-eksempelvik.xml", "relasjon"),
        ("medarbeidere-eksempelvik.csv", "kjonn"),
    ])
    func sampleMatchesReference(sample: String, breakdown: String) throws {
        let run = try Support.score { job in
            job.registerFiles = [Self.register]
            job.breakdown = breakdown
            job.format = "csv"
            job.inputs = [Support.repository.appendingPathComponent("Samples/\(sample)").path]
        }
        let expected = try String(contentsOf: Support.resource("samples/\(sample).expected.csv"), encoding: .utf8)
        Support.expectSameScores(run.output, expected)
    }

    /// The README's first command: every sample, the table for people.
    @Test func readmeCommandScoresEverySample() throws {
        let run = try Support.score { job in
            job.registerFiles = [Self.register]
            job.inputs = [Support.repository.appendingPathComponent("Samples").path]
        }
        #expect(run.result.summary.files == 3)
        #expect(run.result.summary.rejectedByKind == ["duplicate-respondent": 1])
        #expect(run.errors.hasPrefix("kvalitet: 3 filer, 261 svar lest, 260 telt, 1 ikke telt, 3 ugyldige celler, 1 advarsel"))
        // Why the one response is not counted, in words and with the rejects' code; as the README shows it.
        let reason = "  ikke telt, samme respondent to ganger (duplicate-respondent): 1\n"
        #expect(run.errors.contains(reason), "\(run.errors)")
        let readme = try String(contentsOf: Support.repository.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(reason))
        #expect(run.output.contains("SFO – foresatte · 2025"))
        #expect(
            run.output.contains(
                "Enhet Sjøsiden SFO [sjøsiden], SFO (9999 Eksempelvik (fiktiv)) · Svar: 4 av 6 (67 %) · færre enn 5 svar"))
        #expect(
            run.output.contains(
                "Enhet Lia SFO [lia], SFO (9999 Eksempelvik (fiktiv)) · Svar: 17 av 22 (77 %) · skjult for å verne en mindre gruppe"
            ))
        // The employee survey never shows single statements.
        #expect(!run.output.contains("oppgave-1"))
    }

    @Test func englishLabels() throws {
        let run = try Support.score { job in
            job.registerFiles = [Self.register]
            job.language = .en
            job.inputs = [Support.repository.appendingPathComponent("Samples/sfo-foresatte-eksempelvik.csv").path]
        }
        #expect(run.output.contains("After-school programme (SFO) – parents · 2024"))
        #expect(run.output.contains("fewer than 5 responses"))
        #expect(run.errors.hasPrefix("kvalitet: 1 file, 149 responses read, 148 counted"))
    }
}
