import Foundation

/// Turns the months of a run into the rows of FORMAT.md §8: sums per group (all, municipality,
/// service, unit, sub-project) and month, complete quarters and years, suppression and the audit.
///
/// Suppression across periods (Docs/Absence.md): a month's rows get FORMAT.md §5's rules and
/// audit with the units as cells, and a quarter or year row is suppressed exactly when one of its
/// months' rows of the same group is. Every published quarter or year row is then the sum of
/// published month rows, so the published rows of all periods span no more than the month rows
/// do, month by month; a suppressed month row is outside that span (its month's audit), and so
/// is a suppressed quarter or year (one of its months is). Auditing quarters on their own would
/// not do: a quarter minus two published months gives the third.
struct AbsenceBuilder: Sendable {
    let collector: AbsenceCollector
    let registers: RegisterIndex
    let minEmployees: Int

    func build() -> AbsenceTables {
        let units = collector.units
        // Every group of every unit, numbered in row order.
        var unitGroupKeys: [[GroupKey]] = []
        var keys: Set<GroupKey> = []
        for unit in units {
            var groups = [
                GroupKey(level: .all), GroupKey(level: .municipality, municipality: unit.municipality),
                GroupKey(level: .service, municipality: unit.municipality, service: unit.service),
                GroupKey(level: .unit, municipality: unit.municipality, service: unit.service, unit: unit.unit),
            ]
            for subproject in registers.subprojects(municipality: unit.municipality, unit: unit.unit) {
                groups.append(GroupKey(level: .subproject, municipality: unit.municipality, subproject: subproject))
            }
            keys.formUnion(groups)
            unitGroupKeys.append(groups)
        }
        let ordered = keys.sorted { lhs, rhs in
            lhs.level != rhs.level ? lhs.level < rhs.level : lhs.precedesInRowOrder(rhs)
        }
        var index: [GroupKey: Int32] = [:]
        for (position, key) in ordered.enumerated() { index[key] = Int32(position) }
        let unitGroups = unitGroupKeys.map { $0.map { index[$0]! }.sorted() }
        // The rules' families once for all months: each sub-project's unit groups.
        var members: [Int: [Int32]] = [:]
        for groups in unitGroups {
            let unit = groups.first { ordered[Int($0)].level == .unit }!
            for group in groups where ordered[Int(group)].level == .subproject { members[Int(group), default: []].append(unit) }
        }
        let rules = SuppressionRules(keys: ordered, subprojectUnits: members.mapValues { $0.sorted() })

        // Cells by month.
        var byMonth: [Int32: [Int]] = [:]
        for (position, cell) in collector.cells.enumerated() { byMonth[cell.month, default: []].append(position) }
        let months = byMonth.keys.sorted()

        var tables = AbsenceTables(groups: ordered, index: index)
        var scratch = Scratch(count: ordered.count)
        var monthEntries: [[Figures]] = []
        for month in months {
            for cellIndex in byMonth[month]! {
                let cell = collector.cells[cellIndex]
                for group in unitGroups[Int(cell.unit)] { scratch.add(group, cell: cell) }
            }
            monthEntries.append(scratch.take())
        }
        // The months are independent: suppressed on both cores.
        let flags = PartResults<[Bool]>(months.count)
        do {
            let (entries, cells) = (monthEntries, months.map { byMonth[$0]! })
            DispatchQueue.concurrentPerform(iterations: months.count) { position in
                flags.parts[position] = suppressed(
                    entries[position], cells: cells[position], unitGroups: unitGroups, groups: ordered, rules: rules)
            }
        }
        for (position, month) in months.enumerated() {
            var entries = monthEntries[position]
            monthEntries[position] = []
            for (entry, hidden) in zip(entries.indices, flags.parts[position]!) { entries[entry].suppressed = hidden }
            flags.parts[position] = nil
            tables.add(AbsencePeriod(kind: .month, containing: Month(index: Int(month))), entries)
        }

        // Quarters and years: complete ones only, suppressed when a month is. Dense arrays by
        // unit and by group, reused for every period (a national run has 17,000 groups).
        var monthsOfUnit = [Int](repeating: 0, count: collector.units.count)
        var incomplete = [Bool](repeating: false, count: ordered.count)
        var slots = [Int32](repeating: -1, count: ordered.count)
        for kind in [PeriodKind.quarter, .year] {
            var periods: [AbsencePeriod: [Int32]] = [:]
            for month in months {
                periods[AbsencePeriod(kind: kind, containing: Month(index: Int(month))), default: []].append(month)
            }
            for period in periods.keys.sorted() {
                // A unit with some but not all of the period's months makes its groups incomplete.
                let cells = periods[period]!.flatMap { byMonth[$0]! }
                for cellIndex in cells { monthsOfUnit[Int(collector.cells[cellIndex].unit)] += 1 }
                for cellIndex in cells {
                    let unit = Int(collector.cells[cellIndex].unit)
                    if monthsOfUnit[unit] > 0 && monthsOfUnit[unit] < period.monthCount {
                        for group in unitGroups[unit] { incomplete[Int(group)] = true }
                    }
                }
                var sums: [Figures] = []
                for month in period.months {
                    guard let table = tables.table(AbsencePeriod(kind: .month, containing: month)) else { continue }
                    for entry in table where !incomplete[Int(entry.group)] {
                        let slot = slots[Int(entry.group)]
                        if slot < 0 {
                            slots[Int(entry.group)] = Int32(sums.count)
                            sums.append(entry)
                        } else {
                            sums[Int(slot)].mergeMonth(entry)
                        }
                    }
                }
                for sum in sums { slots[Int(sum.group)] = -1 }
                for cellIndex in cells {
                    let unit = Int(collector.cells[cellIndex].unit)
                    monthsOfUnit[unit] = 0
                    for group in unitGroups[unit] { incomplete[Int(group)] = false }
                }
                tables.add(period, sums.sorted { $0.group < $1.group })
            }
        }
        return tables
    }

    /// Which of one month's rows are suppressed (FORMAT.md §5 with employees for respondents,
    /// units as cells): the rules, then the audit.
    private func suppressed(
        _ entries: [Figures], cells: [Int], unitGroups: [[Int32]], groups: [GroupKey], rules: SuppressionRules
    ) -> [Bool] {
        // Each row's cells (positions in the month's cells), for the audit.
        var slot = [Int32](repeating: -1, count: groups.count)
        for (position, entry) in entries.enumerated() { slot[Int(entry.group)] = Int32(position) }
        var groupCells = [[Int32]](repeating: [], count: entries.count)
        for (position, cellIndex) in cells.enumerated() {
            for group in unitGroups[Int(collector.cells[cellIndex].unit)] {
                groupCells[Int(slot[Int(group)])].append(Int32(position))
            }
        }
        var counts = [Int](repeating: -1, count: groups.count)
        for entry in entries { counts[Int(entry.group)] = entry.employees }
        let ruled = rules.suppressed(counts, minN: minEmployees)
        let keys = entries.map { groups[Int($0.group)] }
        let layout = ScoreBuilder.layout(
            zip(entries, groupCells).map { ScoreBuilder.AuditGroup(respondents: $0.employees, cells: $1) }, keys: keys,
            cellMunicipalities: cells.map { collector.units[Int(collector.cells[$0].unit)].municipality })
        var audit = DisclosureAudit(layout: layout)
        let start = Set(entries.indices.filter { ruled[Int(entries[$0].group)] })
        var flags = [Bool](repeating: false, count: entries.count)
        for position in audit.audit(start) { flags[position] = true }
        return flags
    }

    /// Sums per group for one month, the groups touched kept in a list so the next month starts clean.
    private struct Scratch {
        var slots: [Int32]
        var entries: [Figures] = []

        init(count: Int) { slots = Array(repeating: -1, count: count) }

        mutating func add(_ group: Int32, cell: AbsenceCollector.Cell) {
            let slot = slots[Int(group)]
            if slot < 0 {
                slots[Int(group)] = Int32(entries.count)
                entries.append(Figures(group: group, cell: cell))
            } else {
                entries[Int(slot)].merge(Figures(group: group, cell: cell))
            }
        }

        /// The month's sums, in group order.
        mutating func take() -> [Figures] {
            for entry in entries { slots[Int(entry.group)] = -1 }
            defer { entries = [] }
            return entries.sorted { $0.group < $1.group }
        }
    }
}

/// A group's sums in one period. Absent optional sums are NaN.
struct Figures: Sendable {
    var group: Int32
    var employees: Int
    var possible: Double
    var selfCertified: Double
    var doctorCertified: Double
    var employerPeriod: Double
    var sickChild: Double
    var suppressed = false

    init(group: Int32, cell: AbsenceCollector.Cell) {
        self.group = group
        employees = Int(cell.employees)
        possible = cell.possible
        selfCertified = cell.selfCertified
        doctorCertified = cell.doctorCertified
        employerPeriod = cell.employerPeriod
        sickChild = cell.sickChild
    }

    /// Adds the units of another cell of the same month (employees add up).
    mutating func merge(_ other: Figures) {
        employees += other.employees
        mergeDays(other)
    }

    /// Adds another month of the same group: days add up, employees is the smallest month's.
    mutating func mergeMonth(_ other: Figures) {
        employees = min(employees, other.employees)
        mergeDays(other)
        suppressed = suppressed || other.suppressed
    }

    private mutating func mergeDays(_ other: Figures) {
        possible += other.possible
        selfCertified += other.selfCertified
        doctorCertified += other.doctorCertified
        // NaN stays NaN: a unit without the column leaves the group's sum unknown.
        employerPeriod += other.employerPeriod
        sickChild += other.sickChild
    }
}

/// The sums of every group in every period, in row order, and the rows made from them.
struct AbsenceTables: Sendable {
    let groups: [GroupKey]
    let index: [GroupKey: Int32]
    private(set) var periods: [AbsencePeriod] = []
    private var tables: [[Figures]] = []
    private var periodIndex: [AbsencePeriod: Int] = [:]

    init(groups: [GroupKey], index: [GroupKey: Int32]) {
        self.groups = groups
        self.index = index
    }

    mutating func add(_ period: AbsencePeriod, _ entries: [Figures]) {
        guard !entries.isEmpty else { return }
        periodIndex[period] = tables.count
        periods.append(period)
        tables.append(entries)
    }

    func table(_ period: AbsencePeriod) -> [Figures]? { periodIndex[period].map { tables[$0] } }

    func entries(at position: Int) -> (AbsencePeriod, [Figures]) { (periods[position], tables[position]) }

    /// A group's sums in a period, by binary search in the period's table.
    func figures(_ group: Int32, _ period: AbsencePeriod) -> Figures? {
        guard let table = table(period) else { return nil }
        var (low, high) = (0, table.count)
        while low < high {
            let middle = (low + high) / 2
            if table[middle].group < group { low = middle + 1 } else { high = middle }
        }
        return low < table.count && table[low].group == group ? table[low] : nil
    }
}
