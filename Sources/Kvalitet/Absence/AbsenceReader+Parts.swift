import Foundation

/// Reading a large absence file in parts on all cores: where the parts start, and what each part
/// keeps until it is handed over in file order (``AbsenceReader/read(_:language:parts:report:into:)``).
extension AbsenceReader {
    /// Where each part starts (offset and line): the first line end after each equal share of
    /// the file (from the first row) at which the quotes before it are balanced, so no quoted
    /// field is cut. One start (no split) for files under 4 MiB.
    static func partStarts(
        _ file: InputFile, from start: (offset: Int, line: Int), parts: Int
    ) throws(KvalitetError) -> [(offset: Int, line: Int)] {
        let source = try ByteSource(file)
        try source.seek(to: start.offset)
        var targets: [Int] = []
        var starts = [start]
        var (offset, line, quoted) = (start.offset, start.line, false)
        var first = true
        while try source.refill() {
            if first {
                first = false
                // The size is known once reading has begun: the shares are taken from it.
                let size = source.fileSize ?? 0
                guard size - start.offset >= 4 << 20 else { return [start] }
                targets = (1..<parts).map { start.offset + (size - start.offset) * $0 / parts }
            }
            let bytes = source.chunk
            for index in 0..<source.count {
                let byte = bytes[index]
                if byte == 0x22 {
                    quoted.toggle()
                } else if byte == 0x0A {
                    line += 1
                    if !quoted, let target = targets.first, offset + index + 1 >= target {
                        starts.append((offset + index + 1, line))
                        targets.removeFirst()
                        if targets.isEmpty { return starts }
                    }
                }
            }
            offset += source.count
        }
        return starts
    }

    /// What one part of a file found, kept compactly until it is handed over: its months with
    /// their texts as indices into the part's own list, and its problems with how many months
    /// came before each.
    struct PartBuffer {
        struct Entry {
            var municipality: Int32
            var service: Int32
            var unit: Int32
            var month: Int32
            var employees: Int32
            var line: Int32
            var possible: Double
            var selfCertified: Double
            var doctorCertified: Double
            var employerPeriod: Double
            var sickChild: Double
        }

        var texts: [String] = []
        var index: [String: Int32] = [:]
        var months: [Entry] = []
        var problems: [(Problem, before: Int)] = []
        var counts = FileCounts()
        var error: KvalitetError?
        private var last: (texts: [String], indices: [Int32]) = ([], [])

        mutating func add(_ month: AbsenceMonth, line: Int) {
            let names = [month.municipality, month.service, month.unit]
            var indices: [Int32] = []
            for (slot, name) in names.enumerated() {
                if slot < last.texts.count, last.texts[slot] == name {
                    indices.append(last.indices[slot])
                } else if let known = index[name] {
                    indices.append(known)
                } else {
                    index[name] = Int32(texts.count)
                    indices.append(Int32(texts.count))
                    texts.append(name)
                }
            }
            last = (names, indices)
            months.append(
                Entry(
                    municipality: indices[0], service: indices[1], unit: indices[2], month: Int32(month.month.index),
                    employees: Int32(month.employees), line: Int32(clamping: line), possible: month.possibleDays,
                    selfCertified: month.selfCertifiedDays, doctorCertified: month.doctorCertifiedDays,
                    employerPeriod: month.employerPeriodDays ?? .nan, sickChild: month.sickChildDays ?? .nan))
        }

        /// Hands the part's months and problems over in the order the file held them.
        func replay(
            report: (Problem) throws(KvalitetError) -> Void,
            into body: (AbsenceMonth, _ line: Int) throws(KvalitetError) -> Void
        ) throws(KvalitetError) {
            var next = 0
            for (position, entry) in months.enumerated() {
                while next < problems.count, problems[next].before <= position {
                    try report(problems[next].0)
                    next += 1
                }
                let month = AbsenceMonth(
                    municipality: texts[Int(entry.municipality)], service: texts[Int(entry.service)],
                    unit: texts[Int(entry.unit)], month: Month(index: Int(entry.month)), employees: Int(entry.employees),
                    possibleDays: entry.possible, selfCertifiedDays: entry.selfCertified,
                    doctorCertifiedDays: entry.doctorCertified,
                    employerPeriodDays: entry.employerPeriod.isNaN ? nil : entry.employerPeriod,
                    sickChildDays: entry.sickChild.isNaN ? nil : entry.sickChild)
                try body(month, Int(entry.line))
            }
            while next < problems.count {
                try report(problems[next].0)
                next += 1
            }
        }
    }
}
