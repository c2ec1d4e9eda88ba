/// Keeps the valid months of a run's absence files, compactly (a national run has close to a
/// million), and finds a second row for the same municipality, unit and month, whichever file it
/// is in (FORMAT.md §8: the later one is not counted).
struct AbsenceCollector: Sendable {
    /// A unit as the groups see it: municipality, service, unit.
    struct UnitKey: Hashable, Sendable {
        var municipality: String
        var service: String
        var unit: String
    }

    /// One unit's month, its texts replaced by the unit's index. Absent optional figures are NaN
    /// (the figures are never NaN otherwise: the reader takes only finite numbers ≥ 0).
    struct Cell: Sendable {
        var unit: Int32
        var month: Int32
        var employees: Int32
        var possible: Double
        var selfCertified: Double
        var doctorCertified: Double
        var employerPeriod: Double
        var sickChild: Double
    }

    private(set) var units: [UnitKey] = []
    private var unitIndex: [UnitKey: Int32] = [:]
    private(set) var cells: [Cell] = []
    /// (municipality, unit) pairs, for duplicates: a unit id names one unit in a municipality
    /// whatever service a row gives it.
    private var places: [[String]: Int32] = [:]
    /// Each (place, month) read, with where it was first read (file index << 40 | line), for
    /// the duplicate's message.
    private var seen: [Int64: Int64] = [:]
    private var files: [String] = []
    private var last: (key: UnitKey, unit: Int32, place: Int32)?

    /// Adds a valid month; returns where the same unit's month was read before, if it was (the
    /// month is then not added).
    mutating func add(_ month: AbsenceMonth, file: String, line: Int) -> (file: String, line: Int)? {
        let key = UnitKey(municipality: month.municipality, service: month.service, unit: month.unit)
        let unit: Int32
        let place: Int32
        // Files list a unit's months together: the previous row's unit is the usual answer.
        if let last, last.key == key {
            (unit, place) = (last.unit, last.place)
        } else {
            if let known = unitIndex[key] {
                unit = known
            } else {
                unit = Int32(units.count)
                units.append(key)
                unitIndex[key] = unit
            }
            let placeKey = [month.municipality, month.unit]
            if let known = places[placeKey] {
                place = known
            } else {
                place = Int32(places.count)
                places[placeKey] = place
            }
            last = (key, unit, place)
        }
        let seenKey = Int64(place) << 32 | Int64(month.month.index)
        if let first = seen[seenKey] { return (files[Int(first >> 40)], Int(first & (1 << 40 - 1))) }
        if files.last != file { files.append(file) }
        seen[seenKey] = Int64(files.count - 1) << 40 | Int64(line)
        cells.append(
            Cell(
                unit: unit, month: Int32(month.month.index), employees: Int32(month.employees),
                possible: month.possibleDays, selfCertified: month.selfCertifiedDays,
                doctorCertified: month.doctorCertifiedDays, employerPeriod: month.employerPeriodDays ?? .nan,
                sickChild: month.sickChildDays ?? .nan))
        return nil
    }

    /// Frees what only duplicate finding needs, once every file is read.
    mutating func finishReading() {
        seen = [:]
        places = [:]
        unitIndex = [:]
        last = nil
    }
}
