/// Everything `kvalitet absence` produces: the rows (made from compact sums when asked for, so a
/// national run's million rows need not all be in memory), the sub-project goals' status, the
/// cost parameters, and what the run read.
public struct AbsenceResult: Sendable {
    let tables: AbsenceTables
    public let minEmployees: Int
    public let costs: AbsenceCosts?
    public var summary = AbsenceSummary()
    public var goals: [AbsenceGoalStatus] = []
    /// Names from the registers (units, sub-projects), for people.
    public var names = GroupNames()
    /// When each sub-project's measures began (the register's `start`), by
    /// `GroupNames.key(municipality, subproject)`: the report's charts start a new part there.
    public var starts: [String: Month] = [:]
    /// The earliest `start` of each unit's sub-projects, by `GroupNames.key(municipality, unit)`.
    public var unitStarts: [String: Month] = [:]

    init(tables: AbsenceTables, minEmployees: Int, costs: AbsenceCosts?) {
        self.tables = tables
        self.minEmployees = minEmployees
        self.costs = costs
    }

    /// Every row, in FORMAT.md §8's order (period kind, period, level, keys).
    public func forEachRow<E: Error>(_ body: (AbsenceRow) throws(E) -> Void) throws(E) {
        for position in tables.periods.indices {
            let (period, entries) = tables.entries(at: position)
            for figures in entries { try body(row(figures, period)) }
        }
    }

    /// How many rows each period (in ``periods`` order) has.
    var rowCounts: [Int] { tables.periods.indices.map { tables.entries(at: $0).1.count } }

    /// Row `index` of the period at `position`, with its group as an index into `groups`
    /// instead of in the row (left `all`): for writers that keep what they write per group.
    func indexedRow(period position: Int, _ index: Int) -> (group: Int32, row: AbsenceRow) {
        let (period, entries) = tables.entries(at: position)
        return (entries[index].group, row(entries[index], period, group: Self.placeholder))
    }

    /// The groups of the rows, by index.
    var groups: [GroupKey] { tables.groups }

    private static let placeholder = GroupKey(level: .all)

    public func rows() -> [AbsenceRow] {
        var rows: [AbsenceRow] = []
        forEachRow { rows.append($0) }
        return rows
    }

    /// The rows of the quarters and years, in row order (what people read: the months, most of
    /// a national run's rows, are not made).
    public var rowsOfQuartersAndYears: [AbsenceRow] {
        periods.filter { $0.kind != .month }.flatMap { rows(in: $0) }
    }

    /// The periods that have rows, in row order.
    public var periods: [AbsencePeriod] { tables.periods }

    /// One group's row in one period, if it has one.
    public func row(_ group: GroupKey, _ period: AbsencePeriod) -> AbsenceRow? {
        guard let index = tables.index[group], let figures = tables.figures(index, period) else { return nil }
        return row(figures, period)
    }

    /// The rows of one period, in row order.
    public func rows(in period: AbsencePeriod) -> [AbsenceRow] {
        (tables.table(period) ?? []).map { row($0, period) }
    }

    private func row(_ figures: Figures, _ period: AbsencePeriod, group given: GroupKey? = nil) -> AbsenceRow {
        let group = given ?? tables.groups[Int(figures.group)]
        if figures.suppressed {
            return AbsenceRow(
                group: group, period: period, employees: figures.employees, possibleDays: nil, selfCertifiedDays: nil,
                doctorCertifiedDays: nil, suppressed: true)
        }
        func known(_ value: Double) -> Double? { value.isNaN ? nil : value }
        var row = AbsenceRow(
            group: group, period: period, employees: figures.employees, possibleDays: figures.possible,
            selfCertifiedDays: figures.selfCertified, doctorCertifiedDays: figures.doctorCertified,
            employerPeriodDays: known(figures.employerPeriod), sickChildDays: known(figures.sickChild))
        if let previous = tables.figures(figures.group, period.yearEarlier), !previous.suppressed, previous.possible > 0 {
            row.previousAbsencePct = 100 * (previous.selfCertified + previous.doctorCertified) / previous.possible
        }
        if let costs {
            let dayCost = costs.dayCost
            let absence = figures.selfCertified + figures.doctorCertified
            let saving = 0.001 * figures.possible * dayCost
            var breakEven: Double?
            if tables.groups[Int(figures.group)].level == .municipality, period.kind == .year,
                let position = costs.projectPosition, saving > 0
            {
                breakEven = 0.1 * position / saving
            }
            row.costs = AbsenceRow.Costs(
                cost: absence * dayCost, employerCost: (known(figures.employerPeriod) ?? absence) * dayCost,
                savingPer01pp: saving, breakEvenPP: breakEven)
        }
        return row
    }
}

/// What an absence run read.
public struct AbsenceSummary: Sendable, Hashable {
    public var files = 0
    /// Rows with data read.
    public var read = 0
    public var counted = 0
    public var rejected = 0
    public var warnings = 0
    /// Rows not counted, per problem kind.
    public var rejectedByKind: [String: Int] = [:]

    public init() {}
}
