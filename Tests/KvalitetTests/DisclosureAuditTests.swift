import Foundation
import Testing

@testable import Kvalitet

/// Issue #13's attacks, each by hand, and random ones: after `score`, no suppressed row of any
/// kind may lie in the span of the published rows of that kind (FORMAT.md §5, the audit).
///
/// The attacker here is independent of ``DisclosureAudit``: one dense matrix per kind over every
/// cell of the output (no blocks per municipality, no `all` shortcut), rank by fraction-free
/// elimination with exact integers.
@Suite struct DisclosureAuditTests {
    /// A unit's respondents: how many, the breakdown value of each, and the answers given to
    /// item i1 (cycled); everyone answers i2 with 4, so all are counted.
    struct UnitData {
        var municipality = "M"
        var service = "S"
        var unit: String
        var count: Int
        var values: [String] = [""]
        var answers: [String] = ["2", "3", "4", "5", "6"]
    }

    static let set: TestSet = {
        var set = TestSet(id: "t", [("d", ["i1", "i2"])])
        set.minN = 5
        return set
    }()

    /// Scores the units' responses (in `periods`, for sets `sets`) with `subprojects` per
    /// municipality; returns the rows.
    static func score(
        _ units: [UnitData], subprojects: [String: [String: [String]]] = [:], breakdown: Bool = false,
        periods: [String] = ["2024"], sets: [String] = ["t"]
    ) throws -> [ScoreRow] {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        var serial = 0
        for setID in sets {
            // Every row of a file names one set: one file per set.
            var csv = "respondent,municipality,service,unit,period,set,bg.gruppe,i1,i2\n"
            defer { paths.append(Support.write(csv, to: "\(setID).csv", in: folder)) }
            for period in periods {
                for unit in units {
                    for r in 0..<unit.count {
                        serial += 1
                        csv +=
                            "r\(serial),\(unit.municipality),\(unit.service),\(unit.unit),\(period),\(setID),"
                            + "\(unit.values[r % unit.values.count]),\(unit.answers[r % unit.answers.count]),4\n"
                    }
                }
            }
        }
        var catalog = IndicatorSetCatalog()
        for setID in sets {
            var set = Self.set
            set.id = setID
            try catalog.add(set, origin: "test")
        }
        var registers = try RegisterIndex()
        for (municipality, projects) in subprojects.sorted(by: { $0.key < $1.key }) {
            try registers.add(
                Register(
                    municipality: municipality,
                    subprojects: projects.sorted { $0.key < $1.key }.map { Register.Subproject(id: $0.key, units: $0.value) }))
        }
        let pipeline = ScorePipeline(
            catalog: catalog, registers: registers,
            options: .init(breakdown: breakdown ? "gruppe" : nil))
        let files = try pipeline.inputFiles(paths)
        return try pipeline.score(files, problems: try ProblemLog(rejects: nil, strict: false)).rows
    }

    /// The suppressed rows an attacker holding every row can compute, as "level keys (dimension
    /// item)" texts. Cells are (municipality, service, unit, breakdown value) as in the data.
    static func revealed(
        _ rows: [ScoreRow], units: [UnitData], subprojects: [String: [String: [String]]] = [:],
        breakdown: Bool = false
    ) -> [String] {
        var cells: [[String]] = []
        for unit in units {
            for value in breakdown ? Array(Set(unit.values.prefix(unit.count))).sorted() : [""] {
                cells.append([unit.municipality, unit.service, unit.unit, value])
            }
        }
        func holds(_ group: GroupKey, _ cell: [String]) -> Bool {
            switch group.level {
            case .all: return true
            case .municipality:
                return cell[0] == group.municipality && (group.breakdown.isEmpty || cell[3] == group.breakdownValue)
            case .service: return cell[0] == group.municipality && cell[1] == group.service
            case .unit: return cell[0] == group.municipality && cell[1] == group.service && cell[2] == group.unit
            case .subproject:
                return cell[0] == group.municipality && (subprojects[cell[0]]?[group.subproject] ?? []).contains(cell[2])
            }
        }
        var found: [String] = []
        let kinds = Dictionary(grouping: rows) { [$0.period, $0.set, $0.dimension, $0.item] }
        for (kind, kindRows) in kinds.sorted(by: { ScoreBuilder.textOrder($0.key, $1.key) }) {
            let slice = cells  // every set and period here has the same cells
            func vector(_ row: ScoreRow) -> [Int] { slice.map { holds(row.group, $0) ? 1 : 0 } }
            let published = kindRows.filter { !$0.suppressed }.map(vector)
            let base = rank(published)
            for row in kindRows where row.suppressed && rank(published + [vector(row)]) == base {
                found.append("\(row.group.level) \(row.group.sortKeys.filter { !$0.isEmpty }.joined(separator: "/")) \(kind)")
            }
        }
        return found
    }

    /// Rank by fraction-free Gaussian elimination (Bareiss) on exact integers.
    static func rank(_ matrix: [[Int]]) -> Int {
        var m = matrix.map { $0.map { Int128($0) } }
        guard let width = m.first?.count else { return 0 }
        var rank = 0
        var previous: Int128 = 1
        for column in 0..<width {
            guard let pivot = (rank..<m.count).first(where: { m[$0][column] != 0 }) else { continue }
            m.swapAt(rank, pivot)
            for i in (rank + 1)..<max(rank + 1, m.count) {
                for j in 0..<width where j != column {
                    m[i][j] = (m[rank][column] * m[i][j] - m[i][column] * m[rank][j]) / previous
                }
                m[i][column] = 0
            }
            previous = m[rank][column]
            rank += 1
        }
        return rank
    }

    static func row(_ rows: [ScoreRow], _ level: ScoreLevel, _ keys: String...) -> ScoreRow? {
        rows.first { $0.group.level == level && $0.dimension.isEmpty && $0.group.sortKeys.filter { !$0.isEmpty } == keys }
    }

    @Test func theAttackerFindsTheOldLeaks() {
        // The attacker itself: with only the small municipality hidden, `all` − M1 reveals it.
        let rows = [
            ScoreRow(
                group: GroupKey(level: .all), period: "p", set: "t", dimension: "", item: "", respondents: 43, suppressed: false),
            ScoreRow(
                group: GroupKey(level: .municipality, municipality: "M1"), period: "p", set: "t", dimension: "", item: "",
                respondents: 40, suppressed: false),
            ScoreRow(
                group: GroupKey(level: .municipality, municipality: "M2"), period: "p", set: "t", dimension: "", item: "",
                respondents: 3, suppressed: true),
        ]
        let units = [UnitData(municipality: "M1", unit: "a", count: 40), UnitData(municipality: "M2", unit: "b", count: 3)]
        #expect(Self.revealed(rows, units: units).count == 1)
        #expect(Self.rank([[1, 1, 0], [0, 1, 1], [1, 2, 1]]) == 2)
        #expect(Self.rank([[2, 1], [1, 1]]) == 2)
    }

    /// Two municipalities of 40 and 3: `all` − the big one was the small one's exact mean.
    @Test func twoMunicipalities() throws {
        let units = [
            UnitData(municipality: "M1", unit: "a", count: 20), UnitData(municipality: "M1", unit: "b", count: 20),
            UnitData(municipality: "M2", unit: "c", count: 3, answers: ["1"]),
        ]
        let rows = try Self.score(units)
        #expect(Self.row(rows, .municipality, "M2")?.suppressed == true)
        // The complement inside `all`: the other municipality.
        #expect(Self.row(rows, .municipality, "M1")?.suppressed == true)
        #expect(Self.row(rows, .all)?.suppressed == false)
        #expect(Self.revealed(rows, units: units) == [])
    }

    /// One municipality of 3: "Alle svar" printed the three people the municipality row hides.
    @Test func oneSmallMunicipality() throws {
        let units = [UnitData(unit: "a", count: 3)]
        let rows = try Self.score(units)
        #expect(rows.allSatisfy { $0.suppressed && $0.n == nil && $0.mean == nil })
        #expect(Self.row(rows, .all)?.respondents == 3)
    }

    /// p1 = {b, c}, p2 = {c, f}, p3 = {b, f}: (p1 + p2 − p3)/2 was unit c's exact mean.
    @Test func overlappingSubprojects() throws {
        let units = [
            UnitData(service: "S1", unit: "a", count: 10), UnitData(service: "S1", unit: "b", count: 6),
            UnitData(service: "S1", unit: "c", count: 3, answers: ["1", "2", "2"]),
            UnitData(service: "S2", unit: "d", count: 10), UnitData(service: "S2", unit: "e", count: 6),
            UnitData(service: "S2", unit: "f", count: 3),
        ]
        let projects = ["M": ["p1": ["b", "c"], "p2": ["c", "f"], "p3": ["b", "f"]]]
        let rows = try Self.score(units, subprojects: projects)
        for unit in ["c", "f", "b", "e"] {
            #expect(rows.first { $0.group.level == .unit && $0.group.unit == unit }?.suppressed == true, "\(unit)")
        }
        let published = ["p1", "p2", "p3"].filter { p in Self.row(rows, .subproject, "M", p)?.suppressed == false }
        #expect(published.count < 3)
        #expect(Self.revealed(rows, units: units, subprojects: projects) == [])
    }

    /// A unit's item row with n < min_n inside published groups had no complement: the service
    /// minus the other units' item rows gave it.
    @Test func aSmallRowInsideAPublishedGroup() throws {
        let units = [
            UnitData(
                unit: "a", count: 10,
                answers: ["6", "vet ikke", "vet ikke", "6", "vet ikke", "vet ikke", "6", "vet ikke", "vet ikke", "vet ikke"]),
            UnitData(unit: "b", count: 12), UnitData(unit: "c", count: 15),
        ]
        let rows = try Self.score(units)
        let item = rows.filter { $0.item == "i1" }
        #expect(item.first { $0.group.unit == "a" }?.suppressed == true)  // n = 3
        #expect(item.first { $0.group.unit == "b" }?.suppressed == true)  // the audit's complement: fewest respondents
        // Said as it is: a's row is small, b's is hidden to protect it.
        #expect(item.first { $0.group.unit == "a" }?.hiddenToProtect == false)
        #expect(item.first { $0.group.unit == "b" }?.hiddenToProtect == true)
        // The table says so (a municipality's rows, whose items it shows).
        let municipality = GroupKey(level: .municipality, municipality: "M")
        let shown = [
            ScoreRow(
                group: municipality, period: "2024", set: "t", dimension: "", item: "", respondents: 37, n: 37, mean: 4,
                suppressed: false),
            ScoreRow(
                group: municipality, period: "2024", set: "t", dimension: "d", item: "", respondents: 37, n: 37, mean: 4,
                suppressed: false),
            ScoreRow(
                group: municipality, period: "2024", set: "t", dimension: "d", item: "i1", respondents: 37,
                suppressed: true, hiddenToProtect: true),
            ScoreRow(
                group: municipality, period: "2024", set: "t", dimension: "d", item: "i2", respondents: 37,
                suppressed: true),
        ]
        var table = StringOutput()
        try TableScoresWriter().write(
            ScoreResult(rows: shown, sets: ["t": Self.set], summary: RunSummary()), language: .nb, to: &table)
        let lines = table.text.split(separator: "\n")
        #expect(lines.contains { $0.contains("i1") && $0.contains("skjult for å verne en mindre gruppe") }, "\(table.text)")
        #expect(lines.contains { $0.contains("i2") && $0.contains("færre enn 5 svar") }, "\(table.text)")
        #expect(item.first { $0.group.unit == "c" }?.suppressed == false)
        #expect(item.first { $0.group.level == .service }?.suppressed == false)
        #expect(Self.revealed(rows, units: units) == [])
    }

    /// A breakdown value used by one hidden unit only: the value's row was that unit's.
    @Test func aBreakdownValueThatIsAUnit() throws {
        let units = [
            UnitData(unit: "a", count: 3, values: ["x"], answers: ["2", "3", "4"]),
            UnitData(unit: "b", count: 6, values: ["y"]), UnitData(unit: "c", count: 25, values: ["x"]),
        ]
        let rows = try Self.score(units, breakdown: true)
        #expect(rows.first { $0.group.level == .unit && $0.group.unit == "a" }?.suppressed == true)
        #expect(rows.first { $0.group.level == .unit && $0.group.unit == "b" }?.suppressed == true)
        #expect(rows.first { $0.group.breakdownValue == "y" }?.suppressed == true)
        #expect(Self.revealed(rows, units: units, breakdown: true) == [])
    }

    /// Several periods and sets in one output: each slice is audited on its own, and the same.
    @Test func severalPeriodsAndSets() throws {
        let units = [
            UnitData(municipality: "M1", unit: "a", count: 20), UnitData(municipality: "M1", unit: "b", count: 20),
            UnitData(municipality: "M2", unit: "c", count: 3),
        ]
        let rows = try Self.score(units, periods: ["2024", "2025"], sets: ["t", "u"])
        #expect(Self.revealed(rows, units: units) == [])
        let slices = Dictionary(grouping: rows) { "\($0.period) \($0.set)" }
        #expect(slices.count == 4)
        let patterns = Set(slices.values.map { $0.map(\.suppressed) })
        #expect(patterns.count == 1)
    }

    /// Random structures: municipalities, services, units (many tiny), overlapping sub-projects,
    /// breakdown values, items answered by few; the attacker finds nothing in any of them.
    @Test(arguments: 0..<40)
    func randomStructuresRevealNothing(seed: UInt64) throws {
        var random = SplitMix64(seed: 0x5eed + seed)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        var units: [UnitData] = []
        var projects: [String: [String: [String]]] = [:]
        let breakdown = seed % 2 == 1
        for m in 0..<pick(1...3) {
            var unitIDs: [String] = []
            for s in 0..<pick(1...3) {
                for u in 0..<pick(1...4) {
                    let id = "u\(m)\(s)\(u)"
                    unitIDs.append(id)
                    let count = pick(0...2) == 0 ? pick(1...4) : pick(5...14)
                    let answers = (0..<pick(1...6)).map { _ in pick(0...5) == 0 ? "vet ikke" : String(pick(1...6)) }
                    let values = (0..<pick(1...3)).map { _ in ["x", "y", "z"][pick(0...2)] }
                    units.append(
                        UnitData(
                            municipality: "M\(m)", service: "S\(s)", unit: id, count: count,
                            values: values, answers: answers))
                }
            }
            for p in 0..<pick(0...3) {
                let members = unitIDs.filter { _ in pick(0...1) == 0 }
                if !members.isEmpty { projects["M\(m)", default: [:]]["p\(p)"] = members }
            }
        }
        let rows = try Self.score(units, subprojects: projects, breakdown: breakdown)
        #expect(Self.revealed(rows, units: units, subprojects: projects, breakdown: breakdown) == [])
    }
}
