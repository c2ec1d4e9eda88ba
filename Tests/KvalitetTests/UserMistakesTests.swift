import Foundation
import Testing

@testable import Kvalitet

/// Issue #14, part 2: the usual mistakes of files made in Excel are read right or refused with a
/// message that says what to do; nothing is misread or dropped without a word.
@Suite struct UserMistakesTests {
    static let header = "respondent;municipality;service;unit;period;set;trivsel-1;trivsel-2"

    /// A refusal, its message with the temporary folder left out of paths.
    struct Refusal: Error {
        var code: KvalitetError.Code
        var message: String
        var description: String
    }

    /// Scores `bytes` as one file; the result, or the error.
    static func score(
        _ bytes: [UInt8], name: String = "in.csv"
    ) throws -> Result<(rows: [ScoreRow], summary: RunSummary, rejects: String), Refusal> {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(bytes: bytes, to: name, in: folder)
        let rejects = folder.appendingPathComponent("rejects.csv").path
        do {
            let run = try Support.score { job in
                job.format = "csv"
                job.inputs = [path]
                job.rejects = rejects
            }
            // The files here hold a few of the set's items: the notes on the others are left out.
            let text = try String(contentsOfFile: rejects, encoding: .utf8).replacingOccurrences(of: folder.path + "/", with: "")
                .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasSuffix(",missing-item") }
                .joined(separator: "\n")
            return .success((run.result.rows, run.result.summary, text))
        } catch let error as KvalitetError {
            return .failure(
                Refusal(
                    code: error.code, message: error.message,
                    description: error.description.replacingOccurrences(of: folder.path + "/", with: "")))
        }
    }

    static func text(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\r\n") + "\r\n").utf8) }

    @Test func decimalCommaAnswersAreReportedEvenWhenTheResponseIsNotCounted() throws {
        let result = try Self.score(
            Self.text([Self.header, "r1;M;SFO;a;2024;sfo-foresatte;5,0;4,0", "r2;M;SFO;a;2024;sfo-foresatte;5;4"])
        ).get()
        #expect(result.summary.invalidCells == 2)
        #expect(result.summary.counted == 1)
        #expect(
            result.rejects == """
                file,line,respondent,column,value,problem
                in.csv,2,r1,trivsel-1,"5,0",invalid-answer
                in.csv,2,r1,trivsel-2,"4,0",invalid-answer
                in.csv,2,r1,,,no-valid-answers

                """)
        let problem = ResponseCollector.invalidAnswer(
            file: "in.csv", line: 2, respondent: "r1", column: "trivsel-1", value: "5,0",
            set: CompiledSet(try IndicatorSetCatalog.builtIn()["sfo-foresatte"]!))
        #expect(
            problem.message
                == "invalid answer \"5,0\" for item trivsel-1 (scale 1–6); counted as unanswered; 5,0 is not a whole number 1–6: save the answers as whole numbers"
        )
        #expect(
            problem.norwegian
                == "ugyldig svar «5,0» på spørsmålet trivsel-1 (skala 1–6); regnes som ubesvart; 5,0 er ikke et heltall 1–6: lagre svarene som heltall"
        )
        // Kept in a part's temporary file and read back, it says the same in both languages.
        let spilled = ProblemLog.buffering(spilling: true)
        try spilled.record(problem)
        var kept: [Problem] = []
        try spilled.forEachKept { kept.append($0) }
        #expect(kept == [problem] && kept.first?.norwegian == problem.norwegian)
        #expect(
            ResponseCollector.isDecimalWholeNumber("5.00") && !ResponseCollector.isDecimalWholeNumber("5,5")
                && !ResponseCollector.isDecimalWholeNumber("5") && !ResponseCollector.isDecimalWholeNumber(",0"))
    }

    @Test func aUTF8FileWithAStrayWindows1252ByteIsRefusedNamingTheLine() throws {
        var bytes = Self.text([Self.header, "r1;3024 Bærum;SFO;a;2024;sfo-foresatte;5;4"])
        bytes += Array("r2;3024 B".utf8) + [0xE6] + Array("rum;SFO;a;2024;sfo-foresatte;5;4\r\n".utf8)
        let error = try #require(try Self.score(bytes).failure)
        #expect(error.code == .inputRefused)
        #expect(
            error.description
                == "in.csv:3: error: the file is UTF-8 but for 1 line(s) that are not (line 3: byte 0xE6); read as Windows-1252 its letters would be garbled: save it again as \"CSV UTF-8\" or fix those lines"
        )
        // A file that is Windows-1252 throughout is read as such.
        let windows = Array((Self.header + "\r\nr1;3024 B").utf8) + [0xE6] + Array("rum;SFO;a;2024;sfo-foresatte;5;4\r\n".utf8)
        let rows = try Self.score(windows).get().rows
        #expect(rows.contains { $0.group.municipality == "3024 Bærum" })
    }

    @Test func trailingEmptyHeaderCellsAreIgnoredWithAWarning() throws {
        let result = try Self.score(
            Self.text([Self.header + ";;;", "r1;M;SFO;a;2024;sfo-foresatte;5;4;;;", "r2;M;SFO;a;2024;sfo-foresatte;6;3;;;"])
        ).get()
        #expect(result.summary.counted == 2)
        #expect(result.summary.warnings == 1 + 24)  // and the set's 24 other items, without a column
        #expect(result.rejects == "file,line,respondent,column,value,problem\nin.csv,1,,,,unknown-column\n")
    }

    @Test func excelsSeparatorHintIsSkippedAndUsed() throws {
        // `sep=,` although the header has more semicolons: the hint wins.
        let result = try Self.score(
            Self.text([
                "sep=,", "respondent,municipality,service,unit,period,set,trivsel-1,trivsel-2",
                "r1,M;N,SFO,a,2024,sfo-foresatte,5,4",
            ])
        ).get()
        #expect(result.summary.counted == 1)
        #expect(result.rows.contains { $0.group.municipality == "M;N" })
        // Line numbers stay the file's: the header is line 2.
        let missing = try #require(try Self.score(Self.text(["sep=;", "respondent;kommune;tjeneste;enhet", "r1;M;S;a"])).failure)
        #expect(missing.description == "in.csv:2: error: the header has no column \"period\" (required)")
    }

    @Test(arguments: [
        ([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00] as [UInt8], "an Excel workbook (.xlsx) or another zip file"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1], "an old Excel workbook (.xls)"),
        (Array("$FL2@(#) IBM SPSS".utf8), "an SPSS data file (.sav)"),
    ])
    func workbooksAndSPSSFilesNamedCSVSayWhatTheyAre(bytes: [UInt8], what: String) throws {
        let error = try #require(try Self.score(bytes).failure)
        #expect(error.code == .inputRefused)
        let advice =
            what.hasPrefix("an Excel workbook")
            ? "kvalitet reads a workbook named *.xlsx (rename it), or save it from Excel as \"CSV UTF-8\""
            : "save it from Excel as \"CSV UTF-8\" or \"CSV (semikolondelt)\""
        #expect(error.description == "in.csv:1: error: this is \(what), not CSV text: \(advice)")
    }

    @Test func portableAndDamagedFilesByTheirNameAreInputRefused() throws {
        let portable = try #require(try Self.score([0x50, 0x4B, 0x03, 0x04], name: "svar.por").failure)
        #expect(portable.code == .inputRefused && portable.code.exitCode == 2)
        #expect(
            portable.message
                == "this is an SPSS portable file: kvalitet reads CSV, XML, Excel workbooks (.xlsx) and SPSS data files (.sav); save it as one of them"
        )
        // Workbooks and SPSS data files are read now; four bytes of one are neither.
        let workbook = try #require(try Self.score([0x50, 0x4B, 0x03, 0x04], name: "svar.xlsx").failure)
        #expect(workbook.code == .inputRefused && workbook.code.exitCode == 2)
        #expect(workbook.message == "not a readable zip archive (too short); nothing of the file is counted")
        let spss = try #require(try Self.score([0x50, 0x4B, 0x03, 0x04], name: "svar.sav").failure)
        #expect(spss.code == .inputRefused && spss.message.hasPrefix("not a readable SPSS data file"))
    }

    /// The notes of issue #14 on standard error, with or without --rejects: a misspelt item column,
    /// a register for another municipality, a breakdown variable no one has, more respondents than
    /// invited, ids that differ only in case. A register written with the number alone applies.
    @Test func whatWouldBeIgnoredIsSaid() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sets = folder.appendingPathComponent("sets")
        try FileManager.default.createDirectory(at: sets, withIntermediateDirectories: true)
        Support.write(
            """
            id: t
            version: 1
            title: {nb: T, en: T}
            sector: oppvekst
            service: SFO
            respondent: foresatte
            scale: {min: 1, max: 6}
            min_n: 1
            dimensions:
              - id: d
                title: {nb: D, en: D}
                items:
                  - {id: resultat-1, text: {nb: a, en: a}}
                  - {id: resultat-2, text: {nb: b, en: b}}
            """, to: "t.yaml", in: sets)
        let data = Support.write(
            """
            respondent,municipality,service,unit,period,set,bg.trinn,resulat-1,resultat-2
            r1,3024 Bærum,SFO,Bryn,2024,t,1,5,4
            r2,3024 Bærum,SFO,Bryn,2024,t,2,5,4
            r3,3024 Bærum,SFO,bryn,2024,t,2,5,4

            """, to: "in.csv", in: folder)
        let own = Support.write(
            "municipality: \"3024\"\nunits:\n  - {id: Bryn, service: SFO, invited: {\"2024\": 1}}\n",
            to: "own.yaml", in: folder)
        let other = Support.write("municipality: \"1234 Annen\"\nunits: []\n", to: "other.yaml", in: folder)
        let run = try Support.score { job in
            job.setDirectories = [sets.path]
            job.registerFiles = [own, other]
            job.breakdown = "bg.alder"
            job.inputs = [data]
            job.format = "csv"
        }
        let notes = run.errors.split(separator: "\n").dropFirst().map(String.init)
        #expect(
            notes == [
                "  \(data):1: spørsmålet resultat-1 har ingen kolonne (mente du «resulat-1»?); dimensjonen regnes på de andre",
                "  registeret for «1234 Annen» passer ikke til noen kommune i svarene (de har: 3024 Bærum)",
                "  ingen svar har en verdi for bakgrunnsvariabelen «alder» (det finnes: trinn)",
                "  enhet Bryn (3024 Bærum) har 2 svar på t i 2024, men bare 1 utsendte skjema",
                "  id-er som bare skiller seg i store/små bokstaver, holdes adskilt: Bryn, bryn",
                "  (se hvert problem med --rejects FIL)",
            ])
        // The register named by number alone gives Bryn's response rate.
        let rows = Support.parseCSV(run.output)
        let unit = try #require(rows.first { $0[0] == "unit" && $0[3] == "Bryn" && $0[9].isEmpty })
        #expect(unit[12] == "1")
    }

    @Test func anEmptyFileIsRefused() throws {
        let error = try #require(try Self.score([]).failure)
        #expect(error.code == .inputRefused)
        #expect(error.description == "in.csv:1: error: the file is empty (0 bytes): not an export of responses")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
