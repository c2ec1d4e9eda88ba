/// One row of `kvalitet absence` (FORMAT.md §8): a group's absence in a month, quarter or year.
/// A suppressed row keeps `employees` only.
public struct AbsenceRow: Sendable, Hashable {
    public var group: GroupKey
    public var period: AbsencePeriod
    /// The smallest monthly head count of the group in the period (summed over its units).
    public var employees: Int
    public var possibleDays: Double?
    public var selfCertifiedDays: Double?
    public var doctorCertifiedDays: Double?
    /// Empty when a unit of the group lacks the column.
    public var employerPeriodDays: Double?
    public var sickChildDays: Double?
    /// The same group's absence % one year earlier, when that row exists and neither is suppressed.
    public var previousAbsencePct: Double?
    public var suppressed: Bool
    /// With `--costs`: the value of the lost days (see ``AbsenceCosts``).
    public var costs: Costs?

    public struct Costs: Sendable, Hashable {
        public var cost: Double
        public var employerCost: Double
        public var savingPer01pp: Double
        /// Only on a municipality's year row, when the costs give a project position.
        public var breakEvenPP: Double?

        public init(cost: Double, employerCost: Double, savingPer01pp: Double, breakEvenPP: Double? = nil) {
            self.cost = cost
            self.employerCost = employerCost
            self.savingPer01pp = savingPer01pp
            self.breakEvenPP = breakEvenPP
        }
    }

    public init(
        group: GroupKey, period: AbsencePeriod, employees: Int, possibleDays: Double?, selfCertifiedDays: Double?,
        doctorCertifiedDays: Double?, employerPeriodDays: Double? = nil, sickChildDays: Double? = nil,
        previousAbsencePct: Double? = nil, suppressed: Bool = false, costs: Costs? = nil
    ) {
        self.group = group
        self.period = period
        self.employees = employees
        self.possibleDays = possibleDays
        self.selfCertifiedDays = selfCertifiedDays
        self.doctorCertifiedDays = doctorCertifiedDays
        self.employerPeriodDays = employerPeriodDays
        self.sickChildDays = sickChildDays
        self.previousAbsencePct = previousAbsencePct
        self.suppressed = suppressed
        self.costs = costs
    }

    public var absenceDays: Double? {
        guard let selfCertifiedDays, let doctorCertifiedDays else { return nil }
        return selfCertifiedDays + doctorCertifiedDays
    }

    /// 100 × days / possible days; nil when there are no possible days.
    private func percent(_ days: Double?) -> Double? {
        guard let days, let possibleDays, possibleDays > 0 else { return nil }
        return 100 * days / possibleDays
    }

    public var absencePct: Double? { percent(absenceDays) }
    public var selfCertifiedPct: Double? { percent(selfCertifiedDays) }
    public var doctorCertifiedPct: Double? { percent(doctorCertifiedDays) }
    /// Nærvær: 100 − the absence %.
    public var presencePct: Double? { absencePct.map { 100 - $0 } }

    /// The change from a year earlier, in percentage points.
    public var changePP: Double? {
        guard let absencePct, let previousAbsencePct else { return nil }
        return absencePct - previousAbsencePct
    }
}
