import Foundation
import Testing

@testable import Kvalitet

/// `kvalitet absence` (FORMAT.md §8): end to end against the independent reference
/// (Tests/Reference/absence_reference.py) on datasets of random structure, and small cases
/// computed by hand.
@Suite struct AbsenceTests {
    static func absence(
        _ configure: (inout AbsenceJob) -> Void
    ) throws(KvalitetError) -> (output: String, errors: String, result: AbsenceResult) {
        var job = AbsenceJob()
        job.format = "csv"
        configure(&job)
        var output = StringOutput()
        var errors = ""
        let result = try job.run(standardOutput: &output) { errors += $0 + "\n" }
        return (output.text, errors, result)
    }

    /// Writes `text` to a file of its own and returns its path.
    static func file(_ text: String, name: String = "fravaer.csv", encoding: String.Encoding = .utf8) -> String {
        let url = Support.temporaryFolder().appendingPathComponent(name)
        try! text.data(using: encoding)!.write(to: url)
        return url.path
    }

    // MARK: - Against the reference

    static let cases = [3, 17, 29, 44, 58]

    @Test(arguments: cases)
    func matchesReference(seed: Int) throws {
        let folder = Support.resource("absence")
        let inputs = (0..<3).map { folder.appendingPathComponent("case-\(seed).\($0).csv").path }
        let minEmployees = Int(
            try String(contentsOf: folder.appendingPathComponent("case-\(seed).args"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))!
        let rejects = Support.temporaryFolder().appendingPathComponent("rejects.csv")
        let run = try Self.absence { job in
            job.inputs = inputs
            job.registerFiles = [folder.appendingPathComponent("case-\(seed).register.yaml").path]
            job.costsFile = folder.appendingPathComponent("case-\(seed).costs.yaml").path
            job.minEmployees = minEmployees
            job.rejects = rejects.path
        }
        let expected = try String(contentsOf: folder.appendingPathComponent("case-\(seed).expected.csv"), encoding: .utf8)
        Support.expectSameScores(run.output, expected)
        // The rejects name the files as given; the reference was given them by name alone.
        let written = try String(contentsOf: rejects, encoding: .utf8)
            .replacingOccurrences(of: folder.path + "/", with: "")
        let expectedRejects = try String(
            contentsOf: folder.appendingPathComponent("case-\(seed).expected-rejects.csv"), encoding: .utf8)
        #expect(written == expectedRejects)
        let rejected = Support.parseCSV(expectedRejects).count - 1
        #expect(run.result.summary.rejected == rejected)
        #expect(run.result.summary.read == run.result.summary.counted + rejected)
    }

    // MARK: - By hand

    static let header = "municipality,service,unit,month,employees,possible_days,self_certified_days,doctor_certified_days\n"
    static let headerWithEmployerPeriod = String(header.dropLast()) + ",employer_period_days\n"

    /// Three units in one service: a (20 employees), b (4: below 5) and c (10). b is hidden, and
    /// c with it (the smallest other unit), or service − a would give b.
    @Test func smallUnitAndItsSibling() throws {
        var text = Self.header
        for month in ["2024-01", "2024-02", "2024-03"] {
            text += "K,S,a,\(month),20,400,10,30\nK,S,b,\(month),4,80,2,6\nK,S,c,\(month),10,200,4,12\n"
        }
        let rows = try Self.absence { $0.inputs = [Self.file(text)] }.result.rows()
        let q1 = rows.filter { $0.period.description == "2024-Q1" }
        func row(_ unit: String) -> AbsenceRow { q1.first { $0.group.unit == unit }! }
        #expect(row("b").suppressed && row("c").suppressed && !row("a").suppressed)
        #expect(row("b").employees == 4 && row("b").absencePct == nil)
        // a: (30 + 90) / 1200 = 10 %; service: 3·(40 + 8 + 16) / 3·680 = 64/680.
        #expect(abs(row("a").absencePct! - 10) < 1e-12)
        let service = q1.first { $0.group.level == .service }!
        #expect(abs(service.absencePct! - 6400.0 / 680) < 1e-12)
        #expect(service.employees == 34)
        #expect(abs(service.selfCertifiedPct! - 1600.0 / 680) < 1e-12)
    }

    /// A sub-project holding one hidden unit is hidden too: sub-project − its other unit gives it.
    @Test func subprojectWithOneHiddenUnit() throws {
        let register = Self.file(
            """
            municipality: K
            units: [{id: a}, {id: b}, {id: c}, {id: d}]
            subprojects:
              - {id: p, units: [b, c]}
              - {id: q, units: [c, d]}
            """, name: "register.yaml")
        var text = Self.header
        text += "K,S,a,2024-01,12,240,5,10\nK,S,c,2024-01,13,260,5,10\nK,S,d,2024-01,14,280,5,10\n"
        text += "K,S,b,2024-01,3,60,1,2\n"
        let rows = try Self.absence {
            $0.inputs = [Self.file(text)]
            $0.registerFiles = [register]
        }.result.rows()
        func row(_ level: ScoreLevel, _ id: String) -> AbsenceRow {
            rows.first { $0.group.level == level && ($0.group.unit == id || $0.group.subproject == id) }!
        }
        #expect(row(.unit, "b").suppressed)
        #expect(row(.subproject, "p").suppressed)
        #expect(!row(.subproject, "q").suppressed)
        // a is hidden with b (the smallest other unit).
        #expect(row(.unit, "a").suppressed && !row(.unit, "c").suppressed)
    }

    /// A quarter is shown only when every unit with data in it has all three months; a missing
    /// month of one unit removes the quarter of every group it belongs to, not its siblings'.
    @Test func quarterMissingAMonth() throws {
        var text = Self.header
        for month in ["2024-01", "2024-02", "2024-03"] { text += "K,S,a,\(month),10,200,2,8\n" }
        for month in ["2024-01", "2024-03"] { text += "K,T,b,\(month),10,200,2,8\n" }
        let rows = try Self.absence { $0.inputs = [Self.file(text)] }.result.rows()
        let quarters = rows.filter { $0.period.kind == .quarter }
        #expect(Set(quarters.map(\.group.level)) == [.service, .unit])
        #expect(quarters.allSatisfy { $0.group.service == "S" })
        #expect(!rows.contains { $0.period.kind == .year })
        // January and March: all, municipality, S, T, a, b; February: all, municipality, S, a.
        #expect(rows.filter { $0.period.kind == .month }.count == 6 + 4 + 6)
    }

    /// The same quarter a year earlier, and the change in percentage points.
    @Test func yearOnYear() throws {
        var text = Self.header
        for month in ["2023-01", "2023-02", "2023-03"] { text += "K,S,a,\(month),10,100,3,9\n" }  // 12 %
        for month in ["2024-01", "2024-02", "2024-03"] { text += "K,S,a,\(month),10,100,2,6\n" }  // 8 %
        let rows = try Self.absence { $0.inputs = [Self.file(text)] }.result.rows()
        let q = rows.first { $0.period.description == "2024-Q1" && $0.group.level == .unit }!
        #expect(abs(q.previousAbsencePct! - 12) < 1e-12)
        #expect(abs(q.changePP! - -4) < 1e-12)
        let march = rows.first { $0.period.description == "2024-03" && $0.group.level == .unit }!
        #expect(abs(march.changePP! - -4) < 1e-12)
        #expect(rows.first { $0.period.description == "2023-Q1" }!.previousAbsencePct == nil)
    }

    /// Costs by hand: 560 000 × 1.12 × 1.18 × 1.141 / 230 = 3 671.23… kr a day.
    @Test func costs() throws {
        let costs = Self.file(
            "annual_pay: 560000\nholiday_pay_pct: 12\npension_pct: 18\nemployer_tax_pct: 14.1\ndays_per_year: 230\nproject_position: 960000\n",
            name: "costs.yaml")
        var text = Self.headerWithEmployerPeriod
        for month in 1...12 { text += "K,S,a,2024-\(month < 10 ? "0" : "")\(month),10,200,4,16,8\n" }
        let result = try Self.absence {
            $0.inputs = [Self.file(text)]
            $0.costsFile = costs
        }.result
        let dayCost = 560000 * 1.12 * 1.18 * 1.141 / 230
        #expect(abs(result.costs!.dayCost - dayCost) < 1e-9)
        let year = result.rows().first { $0.period.kind == .year && $0.group.level == .municipality }!
        #expect(abs(year.costs!.cost - 240 * dayCost) < 1e-6)
        #expect(abs(year.costs!.employerCost - 96 * dayCost) < 1e-6)
        #expect(abs(year.costs!.savingPer01pp - 0.001 * 2400 * dayCost) < 1e-6)
        #expect(abs(year.costs!.breakEvenPP! - 0.1 * 960000 / (2.4 * dayCost)) < 1e-9)
        let unitYear = result.rows().first { $0.period.kind == .year && $0.group.level == .unit }!
        #expect(unitYear.costs!.breakEvenPP == nil)
    }

    /// Goals: reached at or below the target at the deadline; on the way before it.
    @Test func goalStatus() {
        let goal = Register.AbsenceGoal(target: 6, by: AbsencePeriod("2009-Q3")!)
        func status(_ values: [(String, Double?)]) -> GoalStatus {
            AbsenceGoalStatus.status(goal, values: values.map { (AbsencePeriod($0.0)!, $0.1) }).0
        }
        #expect(status([("2009-Q1", 7.0), ("2009-Q3", 6.0)]) == .reached)
        #expect(status([("2009-Q1", 5.0), ("2009-Q3", 6.1)]) == .notReached)
        #expect(status([("2009-Q1", 6.5)]) == .underway)
        #expect(status([("2009-Q1", 5.9)]) == .reached)
        #expect(status([("2009-Q1", 5.0), ("2009-Q3", nil)]) == .missingData)
        #expect(status([("2009-Q4", 5.0)]) == .missingData)
        #expect(status([]) == .missingData)
    }

    // MARK: - Input

    /// Norwegian headers, `;`, decimal commas and Windows-1252 read the same as the English file.
    @Test func dialectsReadAlike() throws {
        let english = Self.header + "3024 Bærum,Sykehjem,a,2024-01,10,200.5,2.25,8\n"
        let norwegian =
            "Kommune;Tjeneste;Avdeling;Måned;Ansatte;Mulige dagsverk;Egenmeldte dagsverk;Legemeldte dagsverk\r\n"
            + "3024 Bærum;Sykehjem;a;2024-01;10;200,5;2,25;8\r\n"
        let a = try Self.absence { $0.inputs = [Self.file(english)] }.output
        let b = try Self.absence { $0.inputs = [Self.file(norwegian, encoding: .windowsCP1252)] }.output
        #expect(a == b)
        #expect(a.contains("3024 Bærum"))
    }

    /// Every bad row of §8 is reported with its column, never counted.
    @Test func badRowsReported() throws {
        let text =
            Self.headerWithEmployerPeriod
            + "K,S,a,2024-01,10,200,2,8,5\n"  // good
            + "K,S,a,2024-02,10,200,2,8,11\n"  // employer period above the absence
            + "K,S,a,2024-03,10,200,150,60,5\n"  // absence above possible
            + "K,S,a,2024-04,10.5,200,2,8,5\n"  // employees not whole
            + "K,S,a,2024-05,10,\"1.200,5\",2,8,5\n"  // both decimal marks
            + "K,S,a,24-06,10,200,2,8,5\n"  // not a month
            + "K,S,a,2024-07,10,200,-2,8,5\n"  // negative
            + ",S,a,2024-08,10,200,2,8,5\n"  // missing municipality
            + "K,S,a,2024-01,10,200,2,8,5\n"  // duplicate
            + ",,,,,,,,\n"  // no row
        let rejects = Support.temporaryFolder().appendingPathComponent("r.csv")
        let run = try Self.absence {
            $0.inputs = [Self.file(text)]
            $0.rejects = rejects.path
        }
        let lines = Support.parseCSV(try String(contentsOf: rejects, encoding: .utf8)).dropFirst()
        #expect(
            lines.map { [$0[1], $0[3], $0[5]] } == [
                ["3", "employer_period_days", "invalid-absence"], ["4", "doctor_certified_days", "invalid-absence"],
                ["5", "employees", "invalid-absence"], ["6", "possible_days", "invalid-absence"],
                ["7", "month", "invalid-absence"], ["8", "self_certified_days", "invalid-absence"],
                ["9", "municipality", "invalid-absence"], ["10", "month", "duplicate-unit-month"],
            ])
        #expect(run.result.summary.read == 9 && run.result.summary.counted == 1 && run.result.summary.rejected == 8)
    }

    @Test func strictStopsAtTheFirstProblem() {
        let text = Self.header + "K,S,a,2024-01,10,200,2,x\n"
        do {
            _ = try Self.absence {
                $0.inputs = [Self.file(text)]
                $0.strict = true
            }
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .strict)
            #expect(error.location?.line == 2)
        }
    }

    @Test func headerWithoutARequiredColumnIsRefused() {
        let text = "municipality,service,unit,month,employees,doctor_certified_days\nK,S,a,2024-01,10,2\n"
        do {
            _ = try Self.absence { $0.inputs = [Self.file(text)] }
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .inputRefused)
            #expect(error.message.contains("possible_days"))
        }
    }

    @Test func numbers() {
        #expect(AbsenceReader.decimal("12,5") == 12.5)
        #expect(AbsenceReader.decimal("12.5") == 12.5)
        #expect(AbsenceReader.decimal("5.") == 5 && AbsenceReader.decimal(",5") == 0.5)
        #expect(AbsenceReader.decimal("-3") == -3)
        for bad in ["1 200", "1.200,5", "1,2,3", "", "-", "12a", "1e3", "+4"] { #expect(AbsenceReader.decimal(bad) == nil) }
    }

    @Test func periods() {
        #expect(AbsencePeriod("2009-Q3")!.months.map(\.description) == ["2009-07", "2009-08", "2009-09"])
        #expect(AbsencePeriod("2024")!.yearEarlier.description == "2023")
        #expect(AbsencePeriod("2024-01")!.yearEarlier.description == "2023-01")
        #expect(AbsencePeriod("2024-13") == nil && AbsencePeriod("2024-Q5") == nil && Month("2024-1") == nil)
    }

    /// The table in bokmål: the headline as people read it.
    @Test func tableInNorwegian() throws {
        var text = Self.header
        for month in ["2024-01", "2024-02", "2024-03"] { text += "K,S,a,\(month),10,1000,15,59\n" }
        let output = try Self.absence {
            $0.inputs = [Self.file(text)]
            $0.format = "table"
        }.output
        #expect(output.contains("2024-Q1: Sykefravær 7,4 % (egenmeldt 1,5 %, legemeldt 5,9 %), nærvær 92,6 %"))
    }

    // MARK: - Report

    /// The report's sick-leave section on the samples: every figure is the CSV's, rounded; a
    /// suppressed group shows its reason and no figure, in the table and in the chart.
    @Test func reportSectionOnTheSamples() throws {
        let register = Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path
        let absenceFolder = Support.repository.appendingPathComponent("Samples/fravaer").path
        let costs = Support.repository.appendingPathComponent("Samples/kostnader-eksempelvik.yaml").path
        let html = Support.temporaryFolder().appendingPathComponent("r.html")
        var job = ReportJob()
        job.registerFiles = [register]
        job.absenceInputs = [absenceFolder]
        job.costsFile = costs
        job.output = html.path
        try job.run(standardError: { _ in })
        let text = try String(contentsOf: html, encoding: .utf8)
        let rows = try Self.absence {
            $0.inputs = [absenceFolder]
            $0.registerFiles = [register]
        }.result.rows()
        let latest = rows.last { $0.group.level == .municipality && $0.period.kind == .quarter }!
        let labels = Labels(language: .nb)
        #expect(HTMLText.fact("Sykefravær", in: text) == labels.decimal(latest.absencePct!) + " %")
        let tables = HTMLText.tables(withClass: "figures absencechart", in: text)
        #expect(tables.count == 2)
        // Quarters and years: the municipality's rows, in order.
        let series = rows.filter { $0.group.level == .municipality && $0.period.kind != .month }
        #expect(HTMLText.bodyRows(tables[0]).map { $0[0] } == series.map(\.period.description))
        // Units and sub-projects in the latest quarter: the published ones ranked, then the hidden.
        let groups = rows.filter { $0.period == latest.period && [.unit, .subproject].contains($0.group.level) }
        let body = HTMLText.bodyRowsHTML(tables[1])
        #expect(body.count == groups.count)
        for (html, cells) in zip(body, body.map(HTMLText.cells)) where html.contains("class=\"hidden\"") {
            #expect(!cells.dropFirst(2).joined().contains("%"))
            #expect(!html.contains("class=\"mean\""))
        }
        let hidden = groups.filter(\.suppressed)
        #expect(!hidden.isEmpty)
        #expect(body.filter { $0.contains("class=\"hidden\"") }.count == hidden.count)
        #expect(text.contains("færre enn 5 ansatte"))
        // The goal and the costs with their parameters.
        #expect(text.contains("Trygg hverdag på sykehjem") && text.contains("≤ 6,0 %"))
        #expect(text.contains("årslønn 560 000 kr") && text.contains("ikke en budsjettbesparelse"))
    }

    // MARK: - Other outputs and the command line

    /// JSON: the CSV's rows as objects (suppressed figures null), the goals, the cost parameters.
    @Test func json() throws {
        let register = Support.repository.appendingPathComponent("Samples/register-eksempelvik.yaml").path
        let folder = Support.repository.appendingPathComponent("Samples/fravaer").path
        let costs = Support.repository.appendingPathComponent("Samples/kostnader-eksempelvik.yaml").path
        let run = try Self.absence {
            $0.inputs = [folder]
            $0.registerFiles = [register]
            $0.costsFile = costs
            $0.format = "json"
        }
        let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as! [String: Any]
        let rows = object["rows"] as! [[String: Any]]
        let expected = run.result.rows()
        #expect(rows.count == expected.count)
        for (json, row) in zip(rows, expected) {
            #expect(json["suppressed"] as? Bool == row.suppressed)
            // (Foundation's JSON parser can miss the last digit of a full-precision number.)
            if let pct = row.absencePct { #expect(abs((json["absence_pct"] as! Double) - pct) <= 1e-12 * pct) }
            if row.suppressed { #expect(json["absence_pct"] is NSNull && json["cost"] is NSNull) }
        }
        let goals = object["goals"] as! [[String: Any]]
        #expect(goals.count == 1 && goals[0]["status"] as? String == run.result.goals[0].status.rawValue)
        let parameters = object["costs"] as! [String: Any]
        #expect(parameters["annual_pay"] as? Double == 560000 && parameters["day_cost"] != nil)
        #expect(object["min_employees"] as? Int == 5)
    }

    @Test func tableInEnglish() throws {
        var text = Self.header
        for month in ["2024-01", "2024-02", "2024-03"] { text += "K,S,a,\(month),10,1000,15,59\n" }
        let output = try Self.absence {
            $0.inputs = [Self.file(text)]
            $0.format = "table"
            $0.language = .en
        }.output
        #expect(output.contains("2024-Q1: Sick leave 7.4 % (self-certified 1.5 %, doctor-certified 5.9 %), presence 92.6 %"))
    }

    /// The generator: files that read without a problem, a season (first quarter above the
    /// third), tiny units that are suppressed, the same file for the same seed.
    @Test func generatorMakesRealisticExports() throws {
        func generate(seed: UInt64) throws -> String {
            var generator = AbsenceGenerator()
            generator.municipalities = 3
            generator.units = 14
            generator.months = 24
            generator.seed = seed
            var out = StringOutput()
            try generator.write(to: &out)
            return out.text
        }
        let text = try generate(seed: 3)
        let (again, other) = (try generate(seed: 3), try generate(seed: 4))
        #expect(text == again && text != other)
        let run = try Self.absence { $0.inputs = [Self.file(text)] }
        #expect(run.result.summary.read == 3 * 14 * 24 && run.result.summary.rejected == 0)
        let rows = run.result.rows()
        for year in ["2024", "2025"] {
            let q1 = rows.first { $0.group.level == .all && $0.period.description == "\(year)-Q1" }!
            let q3 = rows.first { $0.group.level == .all && $0.period.description == "\(year)-Q3" }!
            #expect(q1.absencePct! > q3.absencePct!)
        }
        #expect(rows.contains { $0.group.level == .unit && $0.suppressed && $0.employees < 5 })
    }

    /// An output over an input, the register or the costs file is refused before anything is read.
    @Test func outputsNeverReplaceInputs() throws {
        var text = Self.header
        text += "K,S,a,2024-01,10,200,2,8\n"
        let input = Self.file(text)
        let costs = Self.file(
            "annual_pay: 1\nholiday_pay_pct: 0\npension_pct: 0\nemployer_tax_pct: 0\ndays_per_year: 1\n", name: "c.yaml")
        for (output, rejects) in [(input, nil), (nil, input), (costs, nil)] as [(String?, String?)] {
            do {
                _ = try Self.absence {
                    $0.inputs = [input]
                    $0.costsFile = costs
                    $0.output = output
                    $0.rejects = rejects
                }
                Issue.record("an output over an input was accepted")
            } catch {
                #expect(error.code == .usage, "\(error)")
            }
        }
        #expect(try String(contentsOfFile: input, encoding: .utf8) == text)
    }

    /// An earlier run's output in the input folder is left out (and said so), not read as data.
    @Test func ownOutputsInAFolderAreSkipped() throws {
        var text = Self.header
        for month in ["2024-01", "2024-02", "2024-03"] { text += "K,S,a,\(month),10,200,2,8\n" }
        let input = Self.file(text)
        let folder = URL(fileURLWithPath: input).deletingLastPathComponent()
        let first = try Self.absence { $0.inputs = [folder.path] }
        try first.output.write(to: folder.appendingPathComponent("rater.csv"), atomically: true, encoding: .utf8)
        let second = try Self.absence { $0.inputs = [folder.path] }
        #expect(second.output == first.output)
        #expect(second.errors.contains("hoppet over") || second.result.summary.warnings == 1)
    }

    @Test func commandLineExitCodes() throws {
        let good = Self.file(Self.header + "K,S,a,2024-01,10,200,2,8\n")
        let bad = Self.file(Self.header + "K,S,a,2024-01,10,200,2,x\n")
        let notAbsence = Self.file("respondent,municipality,service,unit,period\nr1,K,S,a,2024\n")
        #expect(try CommandLineTests.run("$K absence '\(good)' >/dev/null 2>&1").status == 0)
        #expect(try CommandLineTests.run("$K absence --strict '\(bad)' >/dev/null 2>&1").status == 3)
        let refused = try CommandLineTests.run("$K absence '\(notAbsence)' >/dev/null")
        #expect(refused.status == 2 && refused.errors.contains("fraværsfil"), "\(refused.errors)")
        #expect(try CommandLineTests.run("$K absence --min-employees 0 '\(good)' >/dev/null 2>&1").status == 1)
        let csv = try CommandLineTests.run("$K absence --format csv '\(good)'")
        #expect(csv.output.hasPrefix(AbsenceRow.columnNames.joined(separator: ",") + "\n"))
    }

    /// A large file read in parts gives what reading it at once gives, also when a stray quote
    /// in an unquoted field fools the split (the file is then read at once).
    @Test func partsReadAsAWhole() throws {
        var generator = AbsenceGenerator()
        generator.municipalities = 25
        generator.units = 40
        generator.months = 60
        var out = StringOutput()
        try generator.write(to: &out)
        var lines = out.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[5] += "x"  // bad rows (a number that is not one) early on and late
        lines[lines.count - 20] += "y"
        let clean = Self.file(lines.joined(separator: "\n"))
        lines[10] = lines[10].replacingOccurrences(of: "enhet-", with: "enhet\"-")  // a stray quote
        let stray = Self.file(lines.joined(separator: "\n"))
        #expect(out.text.utf8.count > 4 << 20)
        for path in [clean, stray] {
            let rejects = (1...2).map { Support.temporaryFolder().appendingPathComponent("r\($0).csv").path }
            let whole = try Self.absence {
                $0.inputs = [path]
                $0.parts = 1
                $0.rejects = rejects[0]
            }
            let parts = try Self.absence {
                $0.inputs = [path]
                $0.parts = 2
                $0.rejects = rejects[1]
            }
            #expect(whole.output == parts.output && whole.output.count > 1_000_000)
            #expect(whole.result.summary == parts.result.summary)
            let (a, b) = (
                try String(contentsOfFile: rejects[0], encoding: .utf8), try String(contentsOfFile: rejects[1], encoding: .utf8)
            )
            #expect(a == b && a.split(separator: "\n").count >= 3, "\(a)")
        }
    }

    /// A sick-leave export given to `score` is refused with the command that reads it.
    @Test func scoreNamesTheCommandForASickLeaveExport() throws {
        let export = Support.repository.appendingPathComponent("Samples/fravaer/fravaer-eksempelvik.csv").path
        let error = Support.scoreError { $0.inputs = [export] }
        #expect(error?.code == .inputRefused)
        #expect(error?.text(.nb).contains("les den med kvalitet absence") == true, "\(String(describing: error))")
    }

    /// A folder with both a survey export and a sick-leave export: `score` reads the survey and
    /// says it left the other out (and `absence` reads only its own file, refusing nothing).
    @Test func aFolderWithBothKindsOfExport() throws {
        let folder = Support.temporaryFolder()
        let survey = Support.repository.appendingPathComponent("Samples/sfo-foresatte-eksempelvik.csv")
        let export = Support.repository.appendingPathComponent("Samples/fravaer/fravaer-eksempelvik.csv")
        try FileManager.default.copyItem(at: survey, to: folder.appendingPathComponent("sfo.csv"))
        try FileManager.default.copyItem(at: export, to: folder.appendingPathComponent("fravaer.csv"))
        let both = try Support.score { $0.inputs = [folder.path] }
        let alone = try Support.score { $0.inputs = [survey.path] }
        #expect(both.result.summary.counted == alone.result.summary.counted && both.result.summary.files == 1)
        #expect(
            both.errors.contains(
                "fravaer.csv: en fraværsfil (sykefravær per enhet og måned), ikke svar; les den med kvalitet absence"),
            "\(both.errors)")
        #expect(!ScorePipeline.isSickLeaveExport(survey.path) && ScorePipeline.isSickLeaveExport(export.path))
    }

    /// Title lines above the header (a report's name and date over an export, as spreadsheets
    /// save them) are left out with a note, for responses and sick leave alike; a file with no
    /// header among its first lines is refused as before.
    @Test func titleLinesAboveTheHeader() throws {
        let survey = try String(
            contentsOf: Support.repository.appendingPathComponent("Samples/medarbeidere-eksempelvik.csv"), encoding: .utf8)
        let titled = "Medarbeiderundersøkelse 2024,,,\nUttrekk 01.05.2024\n" + survey.drop { $0 == "\u{FEFF}" }
        let rejects = Support.temporaryFolder().appendingPathComponent("r.csv").path
        let plain = try Support.score {
            $0.inputs = [Self.file(survey)]
            $0.format = "csv"
        }
        let withTitle = try Support.score {
            $0.inputs = [Self.file(titled)]
            $0.format = "csv"
            $0.rejects = rejects
        }
        #expect(plain.output == withTitle.output)
        let lines = Support.parseCSV(try String(contentsOfFile: rejects, encoding: .utf8)).dropFirst()
        #expect(lines.filter { $0[5] == "lines-above-header" }.map { $0[1] } == ["3"])

        var absence = Self.header
        for month in ["2024-01", "2024-02", "2024-03"] { absence += "K,S,a,\(month),10,200,2,8\n" }
        let a = try Self.absence { $0.inputs = [Self.file(absence)] }
        let b = try Self.absence { $0.inputs = [Self.file("Sykefravær per avdeling\n\n" + absence)] }
        #expect(a.output == b.output && b.result.summary.warnings == 1)

        let noHeader = Self.file("Tittel\nr1,K,S,a,2024\n")
        let error = Support.scoreError { $0.inputs = [noHeader] }
        #expect(error?.message.contains("the header has no column \"respondent\"") == true, "\(String(describing: error))")
    }
}
