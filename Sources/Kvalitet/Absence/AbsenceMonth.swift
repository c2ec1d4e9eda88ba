/// A calendar month, `YYYY-MM`.
public struct Month: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Months since year 0 (year × 12 + month − 1): consecutive months are consecutive numbers.
    public let index: Int

    public init(year: Int, month: Int) {
        index = year * 12 + (month - 1)
    }

    init(index: Int) { self.index = index }

    public var year: Int { index / 12 }
    public var month: Int { index % 12 + 1 }
    /// 1…4.
    public var quarter: Int { (month - 1) / 3 + 1 }

    /// `2024-03`.
    public var description: String {
        let year = String(self.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + (month < 10 ? "-0" : "-") + String(month)
    }

    /// Reads `YYYY-MM` (four digits, a hyphen, two digits 01–12); nil for anything else.
    public init?(_ text: String) {
        var text = text
        guard let month = text.withUTF8({ Month(bytes: $0) }) else { return nil }
        self = month
    }

    /// The same, from bytes.
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-") else { return nil }
        var digits: [Int] = []
        for (offset, byte) in bytes.enumerated() where offset != 4 {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            digits.append(Int(byte - 0x30))
        }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[4] * 10 + digits[5]
        guard (1...12).contains(month), year >= 1 else { return nil }
        self.init(year: year, month: month)
    }

    public static func < (lhs: Month, rhs: Month) -> Bool { lhs.index < rhs.index }
}

/// The kinds of period of the absence rows (FORMAT.md §8), in row order.
public enum PeriodKind: String, Sendable, Hashable, Comparable, CaseIterable {
    case month, quarter, year

    public static func < (lhs: PeriodKind, rhs: PeriodKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The kind of a period as written: `2024-03`, `2024-Q1` or `2024`.
    public static func of(_ period: String) -> PeriodKind? {
        if Month(period) != nil { return .month }
        if AbsencePeriod(period)?.kind == .quarter { return .quarter }
        if AbsencePeriod(period)?.kind == .year { return .year }
        return nil
    }
}

/// A month, quarter or year of the absence rows.
public struct AbsencePeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: PeriodKind
    /// The first month of the period.
    public var first: Month

    public init(kind: PeriodKind, containing month: Month) {
        self.kind = kind
        switch kind {
        case .month: first = month
        case .quarter: first = Month(year: month.year, month: (month.quarter - 1) * 3 + 1)
        case .year: first = Month(year: month.year, month: 1)
        }
    }

    /// Reads `2024-03`, `2024-Q1` (or `2024-q1`) and `2024`.
    public init?(_ text: String) {
        let text = text.trimmingSpaces
        if let month = Month(text) {
            self.init(kind: .month, containing: month)
            return
        }
        let bytes = Array(text.utf8)
        func year(_ digits: ArraySlice<UInt8>) -> Int? {
            guard digits.count == 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(String(decoding: digits, as: UTF8.self)).flatMap { $0 >= 1 ? $0 : nil }
        }
        if let year = year(bytes[...]) {
            self.init(kind: .year, containing: Month(year: year, month: 1))
        } else if bytes.count == 7, bytes[4] == UInt8(ascii: "-"), bytes[5] | 0x20 == UInt8(ascii: "q"),
            let year = year(bytes[0..<4]), (0x31...0x34).contains(bytes[6])
        {
            self.init(kind: .quarter, containing: Month(year: year, month: Int(bytes[6] - 0x30) * 3 - 2))
        } else {
            return nil
        }
    }

    /// How many months the period has.
    public var monthCount: Int {
        switch kind {
        case .month: 1
        case .quarter: 3
        case .year: 12
        }
    }

    /// Its months, in order.
    public var months: [Month] { (0..<monthCount).map { Month(index: first.index + $0) } }

    /// The same period one year earlier.
    public var yearEarlier: AbsencePeriod { AbsencePeriod(kind: kind, containing: Month(index: first.index - 12)) }

    /// `2024-03`, `2024-Q1`, `2024`.
    public var description: String {
        switch kind {
        case .month: first.description
        case .quarter: String(first.description.prefix(4)) + "-Q" + String(first.quarter)
        case .year: String(first.description.prefix(4))
        }
    }

    /// Row order: kind, then time.
    public static func < (lhs: AbsencePeriod, rhs: AbsencePeriod) -> Bool {
        lhs.kind != rhs.kind ? lhs.kind < rhs.kind : lhs.first < rhs.first
    }
}

/// One unit's month of absence, as an absence file gives it (FORMAT.md §8). Days are dagsverk:
/// days × position share (× sick-leave grade for doctor-certified absence).
public struct AbsenceMonth: Sendable, Hashable {
    public var municipality: String
    public var service: String
    public var unit: String
    public var month: Month
    /// Head count in the month (for suppression).
    public var employees: Int
    public var possibleDays: Double
    public var selfCertifiedDays: Double
    public var doctorCertifiedDays: Double
    /// Of all absence days, those inside the employer period; nil when the file has no such column.
    public var employerPeriodDays: Double?
    /// Days away for a sick child: beside the rates, never in them; nil when the file has no such column.
    public var sickChildDays: Double?

    public init(
        municipality: String, service: String, unit: String, month: Month, employees: Int, possibleDays: Double,
        selfCertifiedDays: Double = 0, doctorCertifiedDays: Double, employerPeriodDays: Double? = nil,
        sickChildDays: Double? = nil
    ) {
        self.municipality = municipality
        self.service = service
        self.unit = unit
        self.month = month
        self.employees = employees
        self.possibleDays = possibleDays
        self.selfCertifiedDays = selfCertifiedDays
        self.doctorCertifiedDays = doctorCertifiedDays
        self.employerPeriodDays = employerPeriodDays
        self.sickChildDays = sickChildDays
    }

    /// Self-certified plus doctor-certified days.
    public var absenceDays: Double { selfCertifiedDays + doctorCertifiedDays }
}
