import Foundation
import Testing

@testable import Kvalitet

/// `kvalitet score` end to end in process: exit codes and messages of FORMAT.md §7, the rejects
/// report, `--strict`, and outputs that appear whole or not at all.
@Suite struct ScoreJobTests {
    let folder = Support.temporaryFolder()

    static let header = "respondent,municipality,service,unit,period,set,trivsel-1,trivsel-2\n"

    func file(_ body: String, name: String = "in.csv") -> String {
        Support.write(Self.header + body, to: name, in: folder)
    }

    func leftovers() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }) ?? []
    }

    @Test func exitCodesAreDocumented() {
        #expect(KvalitetError.Code.usage.exitCode == 1)
        #expect(KvalitetError.Code.inputRefused.exitCode == 2)
        #expect(KvalitetError.Code.strict.exitCode == 3)
    }

    @Test func unknownSetIsRefused() {
        let path = file("r1,M,SFO,u,2024,no-such-set,5,5\n")
        let error = Support.scoreError { $0.inputs = [path] }
        #expect(error?.code == .inputRefused)
        #expect(error?.description.hasPrefix("\(path):2: error: unknown set \"no-such-set\" (known: barnehage-foresatte") == true)
        #expect(error?.location?.field == "set")
    }

    @Test func fileWithoutSetNeedsTheOption() {
        let path = Support.write("respondent,municipality,service,unit,period,q\nr1,M,S,u,2024,5\n", to: "noset.csv", in: folder)
        let error = Support.scoreError { $0.inputs = [path] }
        #expect(error?.code == .inputRefused)
        #expect(error?.message == "the file names no set: add a column \"set\" or give --set")
    }

    @Test func missingFileIsRefused() {
        let error = Support.scoreError { $0.inputs = [folder.appendingPathComponent("gone.csv").path] }
        #expect(error?.code == .inputRefused)
        #expect(error?.message == "no such file or folder")
    }

    @Test func malformedXMLIsRefusedAndNothingIsWritten() {
        let good = file("r1,M,SFO,u,2024,sfo-foresatte,5,5\n")
        let bad = Support.write(
            "<survey set=\"sfo-foresatte\" municipality=\"M\" period=\"2024\">\n<unit id=\"u\" service=\"SFO\">\n", to: "bad.xml",
            in: folder)
        let output = folder.appendingPathComponent("scores.csv").path
        let error = Support.scoreError { job in
            job.inputs = [good, bad]
            job.output = output
            job.rejects = folder.appendingPathComponent("rejects.csv").path
        }
        #expect(error?.code == .inputRefused)
        #expect(error?.location?.file == bad)
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("rejects.csv").path))
        #expect(leftovers().isEmpty)
    }

    @Test(arguments: [
        (["--format", "pdf"], "unknown --format pdf (known: table, csv, json, xlsx)"),
        (["--min-n", "0"], "--min-n must be 1 or more"),
        (["no-inputs"], "give at least one response file or folder"),
    ])
    func usageErrors(arguments: [String], message: String) {
        let path = file("r1,M,SFO,u,2024,sfo-foresatte,5,5\n")
        let error = Support.scoreError { job in
            job.inputs = [path]
            switch arguments[0] {
            case "--format": job.format = arguments[1]
            case "--min-n": job.minN = Int(arguments[1])
            default: job.inputs = []
            }
        }
        #expect(error?.code == .usage)
        #expect(error?.message == message)
    }

    @Test func unknownFileKindIsAUsageError() {
        let path = Support.write("x", to: "data.dat", in: folder)
        #expect(Support.scoreError { $0.inputs = [path] }?.code == .usage)
    }

    @Test func rejectsReportHasOneLinePerProblem() throws {
        let path = file(
            """
            r1,M,SFO,u,2024,sfo-foresatte,5,9
            r2,M,SFO,u,2024,sfo-foresatte,vet ikke,
            r1,M,SFO,u,2024,sfo-foresatte,5,5
            ,M,SFO,u,2024,sfo-foresatte,5,5
            r4,M,SFO,u,2024,skole-elever,5,5
            r5,M,SFO,u,2024,nope,5,5

            """)
        let rejects = folder.appendingPathComponent("rejects.csv").path
        let run = try Support.score { job in
            job.inputs = [path]
            job.rejects = rejects
            job.format = "csv"
        }
        // The file has 2 of the set's 26 items: the 24 others are noted (missing-item) after the header.
        let all = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(all.components(separatedBy: ",missing-item\n").count - 1 == 24)
        let text = all.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasSuffix(",missing-item") }
            .joined(separator: "\n")
        #expect(
            text == """
                file,line,respondent,column,value,problem
                \(path),2,r1,trivsel-2,9,invalid-answer
                \(path),3,r2,,,no-valid-answers
                \(path),4,r1,respondent,r1,duplicate-respondent
                \(path),5,,respondent,,missing-field
                \(path),6,r4,set,skole-elever,set-mismatch
                \(path),7,r5,set,nope,unknown-set

                """)
        #expect(run.result.summary.read == 6)
        #expect(run.result.summary.counted == 1)
        #expect(run.result.summary.rejected == 5)
        #expect(run.result.summary.invalidCells == 1)
        #expect(run.errors.hasPrefix("kvalitet: 1 fil, 6 svar lest, 1 telt, 5 ikke telt, 1 ugyldig celle, 24 advarsler\n"))
    }

    @Test func strictStopsAtTheFirstProblemWithItsLocation() {
        let path = file("r1,M,SFO,u,2024,sfo-foresatte,5,5\nr2,M,SFO,u,2024,sfo-foresatte,5,x\n")
        let output = folder.appendingPathComponent("scores.csv").path
        try? "earlier run\n".write(toFile: output, atomically: true, encoding: .utf8)
        let error = Support.scoreError { job in
            job.inputs = [path]
            job.strict = true
            job.output = output
        }
        #expect(error?.code == .strict)
        #expect(
            error?.description
                == "\(path):3: error: invalid answer \"x\" for item trivsel-2 (scale 1–6); counted as unanswered [invalid-answer] (--strict)"
        )
        #expect(error?.location?.field == "trivsel-2")
        // The earlier output is untouched, and no temporary file is left behind.
        #expect((try? String(contentsOfFile: output, encoding: .utf8)) == "earlier run\n")
        #expect(leftovers().isEmpty)
    }

    @Test func strictAcceptsAbortedInterviews() throws {
        let path = file("r1,M,SFO,u,2024,sfo-foresatte,5,5\n")
        let extra = Support.write(
            "respondent,municipality,service,unit,period,set,status,trivsel-1\nr9,M,SFO,u,2024,sfo-foresatte,aborted,\n",
            to: "b.csv", in: folder)
        let run = try Support.score { job in
            job.inputs = [path, extra]
            job.strict = true
        }
        #expect(run.result.summary.rejectedByKind == ["aborted": 1])
    }

    @Test func unknownColumnsAreReportedOncePerFile() throws {
        let path = Support.write(
            "respondent,municipality,service,unit,period,set,trivsel-1,Kommentar\n"
                + "r1,M,SFO,u,2024,sfo-foresatte,5,hei\nr2,M,SFO,u,2024,sfo-foresatte,4,hallo\n", to: "c.csv", in: folder)
        let rejects = folder.appendingPathComponent("r.csv").path
        _ = try Support.score { job in
            job.inputs = [path]
            job.rejects = rejects
        }
        let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").filter {
            !$0.hasSuffix(",missing-item")
        }
        #expect(lines.count == 2)
        // A column belongs to the header: reported at line 1, with no respondent.
        #expect(lines[1] == "\(path),1,,Kommentar,,unknown-column")
    }

    @Test func unwritableOutputIsAClearError() {
        let path = file("r1,M,SFO,u,2024,sfo-foresatte,5,5\n")
        let error = Support.scoreError { job in
            job.inputs = [path]
            job.output = folder.appendingPathComponent("no/such/folder/scores.csv").path
        }
        #expect(error?.code == .output)
        #expect(error?.message.hasPrefix("cannot write the output: No such file or directory") == true)
    }

    @Test func outputIsWrittenWholeAndJSONHasTheCSVFields() throws {
        let path = file("r1,M,SFO,u,2024,sfo-foresatte,5,5\n")
        let output = folder.appendingPathComponent("scores.json").path
        _ = try Support.score { job in
            job.inputs = [path]
            job.format = "json"
            job.output = output
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        let rows = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let csv = Support.parseCSV(
            try Support.score { job in
                job.inputs = [path]
                job.format = "csv"
            }.output)
        #expect(rows.count == csv.count - 1)
        #expect(Set(rows[0].keys) == Set(csv[0]))
        #expect(rows[0]["level"] as? String == "all")
        #expect(rows[0]["respondents"] as? Int == 1)
        #expect(rows[0]["sd"] is NSNull)
        #expect(leftovers().isEmpty)
    }

    @Test func foldersGiveTheirResponseFiles() throws {
        let sub = folder.appendingPathComponent("round")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        Support.write(Self.header + "r1,M,SFO,u,2024,sfo-foresatte,5,5\n", to: "a.csv", in: sub)
        Support.write(Self.header + "r2,M,SFO,u,2024,sfo-foresatte,4,4\n", to: "b.CSV", in: sub)
        Support.write("notes", to: "README.md", in: sub)
        let run = try Support.score { $0.inputs = [sub.path] }
        #expect(run.result.summary.files == 2)
        #expect(run.result.summary.counted == 2)
    }

    /// Every response read is counted or accounted for, also when the reader itself leaves it out.
    @Test func readEqualsCountedPlusNotCounted() throws {
        let path = Support.write(
            Self.header + "r1,M,SFO,u,2024,sfo-foresatte,5,5\nr2,M,SFO,u,2024,sfo-foresatte,5,5,extra\n",
            to: "extra.csv", in: folder)
        let summary = try Support.score { $0.inputs = [path] }.result.summary
        #expect(summary.read == 2 && summary.counted == 1 && summary.rejected == 1)
        #expect(summary.rejectedByKind == ["field-count": 1])
    }
}
