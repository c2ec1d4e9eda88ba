/// Where a sub-project stands with one sick-leave goal of its register (FORMAT.md §8).
public struct AbsenceGoalStatus: Sendable, Hashable {
    /// The municipality as the data write it (the register's when there are no data).
    public var municipality: String
    public var subproject: String
    public var goal: Register.AbsenceGoal
    public var status: GoalStatus
    /// The sub-project's row in the baseline period, if it has one (it may be suppressed).
    public var baseline: AbsenceRow?
    /// The value the status rests on: the deadline's, else the latest published before it.
    public var currentPeriod: AbsencePeriod?
    public var currentPct: Double?

    public init(
        municipality: String, subproject: String, goal: Register.AbsenceGoal, status: GoalStatus,
        baseline: AbsenceRow? = nil, currentPeriod: AbsencePeriod? = nil, currentPct: Double? = nil
    ) {
        self.municipality = municipality
        self.subproject = subproject
        self.goal = goal
        self.status = status
        self.baseline = baseline
        self.currentPeriod = currentPeriod
        self.currentPct = currentPct
    }

    /// The status from the sub-project's published values of the goal's kind of period up to
    /// the deadline, in time order (nil for a suppressed one): reached when the deadline's value
    /// is at or below the target, not reached when above; before the deadline, reached when the
    /// latest published value already is, else on the way; no data when nothing is published.
    /// The same rule as the survey goals', with lower being better (Docs/Report.md).
    static func status(
        _ goal: Register.AbsenceGoal, values: [(period: AbsencePeriod, pct: Double?)]
    ) -> (GoalStatus, current: (AbsencePeriod, Double)?) {
        GoalStatus.evaluate(
            values.map { (period: $0.period, value: $0.pct) }, deadline: goal.by,
            notAfter: { $0.kind == goal.by.kind && $0 <= goal.by }, meets: { $0 <= goal.target })
    }

    /// Every sick-leave goal of the registers, evaluated on `result`'s sub-project rows.
    static func evaluate(_ registers: RegisterIndex, in result: AbsenceResult) -> [AbsenceGoalStatus] {
        var statuses: [AbsenceGoalStatus] = []
        let municipalities = Set(result.tables.groups.lazy.filter { $0.level == .municipality }.map(\.municipality))
        for register in registers.registers {
            let written =
                municipalities.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .first { RegisterIndex.sameMunicipality(register.municipality, $0) } ?? register.municipality
            for subproject in register.subprojects {
                let group = GroupKey(level: .subproject, municipality: written, subproject: subproject.id)
                for goal in subproject.absenceGoals {
                    let values = result.periods.filter { $0.kind == goal.by.kind }.compactMap { period in
                        result.row(group, period).map { (period: period, pct: $0.absencePct) }
                    }
                    let (status, current) = status(goal, values: values)
                    statuses.append(
                        AbsenceGoalStatus(
                            municipality: written, subproject: subproject.id, goal: goal, status: status,
                            baseline: goal.baseline.flatMap { result.row(group, $0) }, currentPeriod: current?.0,
                            currentPct: current?.1))
                }
            }
        }
        return statuses
    }
}
