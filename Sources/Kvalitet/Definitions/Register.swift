import Foundation

/// A municipality's register of units and sub-projects (FORMAT.md §4): invited counts for
/// response rates, and which units each improvement sub-project covers, with its goals.
public struct Register: Sendable, Hashable {
    /// One service place.
    public struct Unit: Sendable, Hashable {
        public var id: String
        public var name: String
        public var service: String
        /// Forms sent out, per period, for the sets meant for the unit's service
        /// (a set whose `service` equals the unit's).
        public var invited: [String: Int]
        /// Forms sent out per set id and period, for any set (`invited: {medarbeidere: {"2024": 12}}`).
        public var invitedBySet: [String: [String: Int]]

        public init(
            id: String, name: String = "", service: String = "", invited: [String: Int] = [:],
            invitedBySet: [String: [String: Int]] = [:]
        ) {
            self.id = id
            self.name = name
            self.service = service
            self.invited = invited
            self.invitedBySet = invitedBySet
        }
    }

    /// A measurable goal of a sub-project: reach `target` on a dimension of a set by a period.
    public struct Goal: Sendable, Hashable {
        public var set: String
        public var dimension: String
        public var target: Double
        public var by: String
        public var baseline: String?

        public init(set: String, dimension: String, target: Double, by: String, baseline: String? = nil) {
            self.set = set
            self.dimension = dimension
            self.target = target
            self.by = by
            self.baseline = baseline
        }
    }

    /// A goal on sick leave (FORMAT.md §8): the sub-project's `absence_pct` for `by` (a month,
    /// quarter or year) at or below `target`.
    public struct AbsenceGoal: Sendable, Hashable {
        /// What is measured; `absence_pct` is the one there is.
        public var measure: String
        public var target: Double
        public var by: AbsencePeriod
        public var baseline: AbsencePeriod?

        public init(measure: String = "absence_pct", target: Double, by: AbsencePeriod, baseline: AbsencePeriod? = nil) {
            self.measure = measure
            self.target = target
            self.by = by
            self.baseline = baseline
        }
    }

    /// An improvement sub-project (delprosjekt) covering one or more units.
    public struct Subproject: Sendable, Hashable {
        public var id: String
        public var name: String
        public var units: [String]
        public var goals: [Goal]
        public var absenceGoals: [AbsenceGoal]
        /// The month its measures began (charts split before and after).
        public var start: Month?

        public init(
            id: String, name: String = "", units: [String], goals: [Goal] = [], absenceGoals: [AbsenceGoal] = [],
            start: Month? = nil
        ) {
            self.id = id
            self.name = name
            self.units = units
            self.goals = goals
            self.absenceGoals = absenceGoals
            self.start = start
        }
    }

    public var municipality: String
    public var units: [Unit]
    public var subprojects: [Subproject]

    public init(municipality: String, units: [Unit] = [], subprojects: [Subproject] = []) {
        self.municipality = municipality
        self.units = units
        self.subprojects = subprojects
    }

    /// Reads a register from YAML; `file` names it in errors.
    public static func load(yaml text: String, file: String) throws(KvalitetError) -> Register {
        let root = try YAMLNode.parse(text, file: file)
        try root.onlyKeys(["municipality", "units", "subprojects"])
        let municipality = try root.required("municipality").string().trimmingSpaces
        var register = Register(municipality: municipality)
        var unitIDs: Set<String> = []
        for node in try root.optional("units")?.sequence() ?? [] {
            try node.onlyKeys(["id", "name", "service", "invited"])
            let idNode = try node.required("id")
            let id = try idNode.string().trimmingSpaces
            guard !id.isEmpty, unitIDs.insert(id).inserted else {
                throw idNode.refuse(id.isEmpty ? "must not be empty" : "unit \"\(id)\" is listed twice")
            }
            var invited: [String: Int] = [:]
            var invitedBySet: [String: [String: Int]] = [:]
            for (key, value) in try node.optional("invited")?.mapping() ?? [] {
                if case .mapping = value.node {
                    for (period, countNode) in try value.mapping() {
                        invitedBySet[key.trimmingSpaces, default: [:]][period.trimmingSpaces] = try Self.count(countNode)
                    }
                } else {
                    invited[key.trimmingSpaces] = try Self.count(value)
                }
            }
            register.units.append(
                Unit(
                    id: id, name: try node.optional("name")?.string() ?? "",
                    service: try node.optional("service")?.string().trimmingSpaces ?? "", invited: invited,
                    invitedBySet: invitedBySet))
        }
        var subprojectIDs: Set<String> = []
        for node in try root.optional("subprojects")?.sequence() ?? [] {
            try node.onlyKeys(["id", "name", "units", "goals", "start"])
            let idNode = try node.required("id")
            let id = try idNode.string().trimmingSpaces
            guard !id.isEmpty, subprojectIDs.insert(id).inserted else {
                throw idNode.refuse(id.isEmpty ? "must not be empty" : "sub-project \"\(id)\" is listed twice")
            }
            var units: [String] = []
            for unitNode in try node.required("units").sequence() {
                let unit = try unitNode.string().trimmingSpaces
                guard unitIDs.contains(unit) else {
                    throw unitNode.refuse("unit \"\(unit)\" is not among the register's units")
                }
                units.append(unit)
            }
            var goals: [Goal] = []
            var absenceGoals: [AbsenceGoal] = []
            for goalNode in try node.optional("goals")?.sequence() ?? [] {
                if let measureNode = try goalNode.optional("measure") {
                    try goalNode.onlyKeys(["measure", "target", "by", "baseline"])
                    let measure = try measureNode.string().trimmingSpaces
                    guard measure == "absence_pct" else {
                        throw measureNode.refuse("unknown measure \"\(measure)\" (known: absence_pct)")
                    }
                    func period(_ node: YAMLNode) throws(KvalitetError) -> AbsencePeriod {
                        guard let period = AbsencePeriod(try node.string()) else {
                            throw node.refuse("must be a month (2009-09), a quarter (2009-Q3) or a year (2009)")
                        }
                        return period
                    }
                    let baselineNode = try goalNode.optional("baseline")
                    absenceGoals.append(
                        AbsenceGoal(
                            measure: measure, target: try goalNode.required("target").double(),
                            by: try period(try goalNode.required("by")),
                            baseline: try baselineNode.map { node throws(KvalitetError) in try period(node) }))
                    continue
                }
                try goalNode.onlyKeys(["set", "dimension", "target", "by", "baseline"])
                goals.append(
                    Goal(
                        set: try goalNode.required("set").string(),
                        dimension: try goalNode.required("dimension").string(),
                        target: try goalNode.required("target").double(),
                        by: try goalNode.required("by").string(),
                        baseline: try goalNode.optional("baseline")?.string()))
            }
            var start: Month?
            if let startNode = try node.optional("start") {
                guard let month = Month(try startNode.string().trimmingSpaces) else {
                    throw startNode.refuse("must be a month, YYYY-MM (the month the measures began)")
                }
                start = month
            }
            register.subprojects.append(
                Subproject(
                    id: id, name: try node.optional("name")?.string() ?? "", units: units, goals: goals,
                    absenceGoals: absenceGoals, start: start))
        }
        return register
    }

    private static func count(_ node: YAMLNode) throws(KvalitetError) -> Int {
        let count = try node.int()
        guard count >= 0 else { throw node.refuse("must be 0 or more") }
        return count
    }

    /// Reads a register file.
    public static func load(file url: URL) throws(KvalitetError) -> Register {
        try load(yaml: try readDefinitionText(url), file: url.relativePath)
    }
}

/// The registers of a run, looked up by municipality and unit.
public struct RegisterIndex: Sendable {
    public private(set) var registers: [Register] = []
    private var units: [UnitKey: Register.Unit] = [:]
    private var subprojects: [UnitKey: [String]] = [:]

    struct UnitKey: Hashable {
        var municipality: String
        var unit: String
    }

    public init(_ registers: [Register] = []) throws(KvalitetError) {
        for register in registers { try add(register) }
    }

    public mutating func add(_ register: Register) throws(KvalitetError) {
        if let other = registers.first(where: { Self.sameMunicipality($0.municipality, register.municipality) }) {
            throw KvalitetError(
                .inputRefused,
                "two registers for municipality \"\(register.municipality)\""
                    + (other.municipality == register.municipality ? "" : " (and \"\(other.municipality)\")"))
        }
        registers.append(register)
        for unit in register.units {
            units[UnitKey(municipality: register.municipality, unit: unit.id)] = unit
        }
        for subproject in register.subprojects {
            for unit in subproject.units {
                subprojects[UnitKey(municipality: register.municipality, unit: unit), default: []].append(subproject.id)
            }
        }
    }

    /// The register's municipality for a municipality as the data write it: the same text, else
    /// the register with the same municipality number ("3024" for "3024 Bærum"), else the same
    /// name ignoring case ("bærum", "3024 bærum"). Nil when no register is for it.
    public func registerMunicipality(for municipality: String) -> String? {
        if registers.isEmpty { return nil }
        if let exact = registers.first(where: { $0.municipality == municipality }) { return exact.municipality }
        return registers.first { Self.sameMunicipality($0.municipality, municipality) }?.municipality
    }

    /// "3024 Bærum", "3024", "3024 bærum" and "Bærum" name one municipality: by number when both
    /// have one, else by name ignoring case.
    static func sameMunicipality(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let (numberA, nameA) = parts(a)
        let (numberB, nameB) = parts(b)
        if let numberA, let numberB { return numberA == numberB }
        return !nameA.isEmpty && nameA == nameB
    }

    /// The leading municipality number (four digits) and the rest, lowercased.
    private static func parts(_ text: String) -> (number: String?, name: String) {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let rest = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        return (digits.count == 4 ? String(digits) : nil, rest)
    }

    private func key(_ municipality: String, _ unit: String) -> UnitKey {
        UnitKey(municipality: registerMunicipality(for: municipality) ?? municipality, unit: unit)
    }

    /// Forms of `set` sent out to `unit` in `period`, when the register says: its figure for the
    /// set, else its per-period figure when the set is meant for the unit's service.
    public func invited(municipality: String, unit: String, period: String, set: any IndicatorSet) -> Int? {
        guard let entry = units[key(municipality, unit)] else { return nil }
        if let bySet = entry.invitedBySet[set.id] { return bySet[period] }
        let service = set.metadata.service.lowercased()
        guard !service.isEmpty, service == entry.service.lowercased() else { return nil }
        return entry.invited[period]
    }

    /// The unit's name in the register, if it has one.
    public func unitName(municipality: String, unit: String) -> String? {
        units[key(municipality, unit)].flatMap { $0.name.isEmpty ? nil : $0.name }
    }

    /// The sub-project's name in the register of its municipality, if it has one.
    public func subprojectName(municipality: String, subproject: String) -> String? {
        let name = registerMunicipality(for: municipality)
        return registers.first { $0.municipality == name }?.subprojects.first { $0.id == subproject }
            .flatMap { $0.name.isEmpty ? nil : $0.name }
    }

    /// The month the sub-project's measures began (its `start`), if the register gives it.
    public func subprojectStart(municipality: String, subproject: String) -> Month? {
        let name = registerMunicipality(for: municipality)
        return registers.first { $0.municipality == name }?.subprojects.first { $0.id == subproject }?.start
    }

    /// The sub-projects the register puts `unit` in.
    public func subprojects(municipality: String, unit: String) -> [String] {
        subprojects[key(municipality, unit)] ?? []
    }
}
