import Foundation

/// Writes realistic synthetic absence exports (FORMAT.md §8) for any register, or for made-up
/// municipalities (`kvalitet generate --absence`), as an HR system exports them: one row per unit
/// and month, `;`-separated with decimal commas and Norwegian column names.
///
/// The model (DOMAIN.md, "Sick leave"): every unit has a level around 7 % (units differ: 3–16 %
/// between municipalities is what SSB shows), a season (first quarter high, July low), a trend
/// (a unit in a sub-project that has a `start` falls after it, as the programme's examples did),
/// and noise; a fifth of the absence is self-certified; the employer period holds about half of
/// it. A few units are tiny (2–4 employees), so suppression shows.
public struct AbsenceGenerator: Sendable {
    public var register: Register?
    public var municipalities = 1
    /// Units per municipality (without a register).
    public var units = 8
    public var firstMonth = Month(year: 2024, month: 1)
    public var months = 24
    public var seed: UInt64 = 1

    public init() {}

    /// Relative absence per calendar month (January first).
    static let season = [1.30, 1.25, 1.10, 0.95, 0.90, 0.85, 0.55, 0.80, 0.95, 1.05, 1.15, 1.15]

    public func validate() throws(KvalitetError) {
        guard months >= 1, months <= 1200, municipalities >= 1, units >= 1 else {
            throw KvalitetError(
                .usage, "--months, --municipalities and --units must be 1 or more",
                nb: "--months, --municipalities og --units må være 1 eller mer")
        }
    }

    private struct Unit {
        var municipality: String
        var service: String
        var id: String
        var employees: Int
        var level: Double
        /// The month from which the unit's absence falls, and by how much a month.
        var start: Month?
    }

    public func write(to output: inout some TextOutput) throws(KvalitetError) {
        var random = SplitMix64(seed: seed)
        var list: [Unit] = []
        if let register {
            let starts = Dictionary(
                register.subprojects.flatMap { subproject in subproject.units.map { ($0, subproject.start) } },
                uniquingKeysWith: { $0 ?? $1 })
            for (index, unit) in register.units.enumerated() {
                let tiny = index % 7 == 3
                list.append(
                    Unit(
                        municipality: register.municipality, service: unit.service.isEmpty ? "Tjeneste" : unit.service,
                        id: unit.id, employees: tiny ? 3 : 8 + Int(random.uniform() * 30),
                        level: max(0.02, 0.075 + 0.025 * random.normal()), start: starts[unit.id] ?? nil))
            }
        } else {
            let services = ["Sykehjem", "Barnehage", "Hjemmetjeneste", "Skole"]
            for m in 0..<municipalities {
                let effect = 0.015 * random.normal()
                for u in 0..<units {
                    let tiny = u % 7 == 6
                    list.append(
                        Unit(
                            municipality: "\(9000 + m) Syntetisk \(m + 1)", service: services[u % services.count],
                            id: "enhet-\(u + 1)",
                            employees: tiny ? 2 + Int(random.uniform() * 3) : 6 + Int(random.uniform() * 40),
                            level: max(0.02, 0.07 + effect + 0.025 * random.normal()), start: nil))
                }
            }
        }
        var text =
            "kommune;tjeneste;avdeling;måned;ansatte;avtalte_dagsverk;egenmeldte_dagsverk;legemeldte_dagsverk;"
            + "dagsverk_i_arbeidsgiverperioden;sykt_barn_dagsverk\n"
        func decimal(_ value: Double) -> String { DecimalText.rounded(value, places: 2, separator: ",") }
        for unit in list {
            for offset in 0..<months {
                let month = Month(year: firstMonth.year, month: firstMonth.month + offset)
                let employees = max(1, unit.employees + Int((random.uniform() * 3).rounded(.down)) - 1)
                // Agreed days: about 21 working days a month at an average position share of 0.8.
                let possible = Double(employees) * (19 + 3 * random.uniform()) * (0.7 + 0.2 * random.uniform())
                var rate = unit.level * Self.season[month.month - 1] * (1 + 0.25 * random.normal())
                if let start = unit.start, month >= start {
                    rate *= max(0.55, 1 - 0.03 * Double(month.index - start.index))
                }
                rate = min(0.6, max(0, rate))
                let absence = possible * rate
                let selfCertified = absence * (0.15 + 0.1 * random.uniform())
                let doctor = absence - selfCertified
                let employerPeriod = absence * (0.4 + 0.2 * random.uniform())
                let sickChild = Double(employees) * 0.15 * random.uniform()
                // Rounded as the file writes them; employer period kept within the rounded absence.
                let (s, d) = (round2(selfCertified), round2(doctor))
                text +=
                    [
                        unit.municipality, unit.service, unit.id, month.description, String(employees),
                        decimal(round2(max(possible, s + d))), decimal(s), decimal(d),
                        decimal(min(round2(employerPeriod), s + d)),
                        decimal(sickChild),
                    ].map(Self.field).joined(separator: ";") + "\n"
                if text.utf8.count > 1 << 16 {
                    try output.write(text)
                    text = ""
                }
            }
        }
        try output.write(text)
    }

    /// A `;`-separated cell, quoted when it must be.
    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == ";" || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
