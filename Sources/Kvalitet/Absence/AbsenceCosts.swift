import Foundation

/// What absence costs the employer, after the KS model (FORMAT.md §8, `--costs FILE`): a lost
/// day is valued at what the employer pays for a day's work. These are estimates of the value of
/// the lost work, never a budget saving: the outputs say so and show the parameters.
public struct AbsenceCosts: Sendable, Hashable {
    /// NOK per full-time equivalent and year, before holiday pay.
    public var annualPay: Double
    public var holidayPayPct: Double
    /// The employer's pension contribution, % of pay including holiday pay.
    public var pensionPct: Double
    /// Arbeidsgiveravgift, % of pay including holiday pay and pension.
    public var employerTaxPct: Double
    /// Agreed working days of a full-time equivalent in a year.
    public var daysPerYear: Double
    /// Yearly cost of a project position, for the break-even reduction.
    public var projectPosition: Double?

    public init(
        annualPay: Double, holidayPayPct: Double, pensionPct: Double, employerTaxPct: Double, daysPerYear: Double,
        projectPosition: Double? = nil
    ) {
        self.annualPay = annualPay
        self.holidayPayPct = holidayPayPct
        self.pensionPct = pensionPct
        self.employerTaxPct = employerTaxPct
        self.daysPerYear = daysPerYear
        self.projectPosition = projectPosition
    }

    /// What the employer pays for one day's work of a full-time equivalent.
    public var dayCost: Double {
        annualPay * (1 + holidayPayPct / 100) * (1 + pensionPct / 100) * (1 + employerTaxPct / 100) / daysPerYear
    }

    /// Reads the YAML of FORMAT.md §8; `file` names it in errors.
    public static func load(yaml text: String, file: String) throws(KvalitetError) -> AbsenceCosts {
        let root = try YAMLNode.parse(text, file: file)
        try root.onlyKeys([
            "annual_pay", "holiday_pay_pct", "pension_pct", "employer_tax_pct", "days_per_year", "project_position",
        ])
        func value(_ key: String, positive: Bool = false) throws(KvalitetError) -> Double {
            let node = try root.required(key)
            let number = try node.double()
            guard number.isFinite, positive ? number > 0 : number >= 0 else {
                throw node.refuse(positive ? "must be above 0" : "must be 0 or more")
            }
            return number
        }
        var costs = AbsenceCosts(
            annualPay: try value("annual_pay", positive: true), holidayPayPct: try value("holiday_pay_pct"),
            pensionPct: try value("pension_pct"), employerTaxPct: try value("employer_tax_pct"),
            daysPerYear: try value("days_per_year", positive: true))
        if try root.optional("project_position") != nil { costs.projectPosition = try value("project_position", positive: true) }
        return costs
    }

    public static func load(file url: URL) throws(KvalitetError) -> AbsenceCosts {
        try load(yaml: try readDefinitionText(url), file: url.relativePath)
    }

    /// The parameters, as every output that shows a cost lists them.
    public var parameters: [(name: String, value: Double)] {
        [
            ("annual_pay", annualPay), ("holiday_pay_pct", holidayPayPct), ("pension_pct", pensionPct),
            ("employer_tax_pct", employerTaxPct), ("days_per_year", daysPerYear),
        ] + (projectPosition.map { [("project_position", $0)] } ?? []) + [("day_cost", dayCost)]
    }
}
