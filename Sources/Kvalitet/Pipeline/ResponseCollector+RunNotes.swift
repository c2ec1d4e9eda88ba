/// The run notes (``Problem/Kind/isRunNote``): what would otherwise pass without a word — items
/// without a column, registers for no municipality of the data, a breakdown variable without
/// values, more respondents than invited, ids that differ only in case.
extension ResponseCollector {
    /// Items of the file's set that no column of the header names: a warning each, with the
    /// closest unknown column when one is near (a misspelt "resulat-1" for "resultat-1").
    mutating func noteItemsWithoutColumn(_ names: [String], set: CompiledSet, line: Int?) throws(KvalitetError) {
        let unknown = names.map { $0.trimmingSpaces }.filter { !$0.isEmpty && set.itemLookup[$0.lowercased()] == nil }
        let present = Set(names.compactMap { set.itemLookup[$0.trimmingSpaces.lowercased()] })
        let missing = set.set.items.indices.filter { !present.contains($0) }
        // Each unknown column suggested for the missing item nearest to it (at most 2 edits).
        var suggestion: [Int: String] = [:]
        for column in unknown {
            let distances = missing.map {
                (item: $0, distance: Self.editDistance(column.lowercased(), set.set.items[$0].id.lowercased()))
            }
            guard let best = distances.min(by: { $0.distance < $1.distance }), best.distance <= 2 else { continue }
            if suggestion[best.item] == nil { suggestion[best.item] = column }
        }
        for index in missing {
            let item = set.set.items[index]
            let near = suggestion[index] ?? ""
            var warning = Problem(
                .missingItem, file: currentFile ?? "", line: line, column: item.id, value: near,
                message: "item \(item.id) of set \(set.id) has no column" + (near.isEmpty ? "" : " (did you mean \"\(near)\"?)"))
            warning.onceKey = "missing-item\u{1F}\(item.id)"
            try note(warning)
        }
    }

    /// Levenshtein distance of two short texts (column names).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Notes on the run as a whole, once everything is read: registers for no municipality of the
    /// responses, a `--breakdown` variable no response has, more respondents than forms sent out,
    /// unit or service ids that differ only in case (FORMAT.md §7: nothing ignored without a word).
    mutating func checkRun() throws(KvalitetError) {
        let counted = cellKeys.indices.filter { tallies[$0].respondents > 0 }
        let municipalities = Set(counted.map { cellKeys[$0].municipality })
        for register in registers.registers
        where !municipalities.contains(where: { RegisterIndex.sameMunicipality($0, register.municipality) }) {
            let known = municipalities.sorted().prefix(5).joined(separator: ", ")
            var warning = Problem(
                .registerUnmatched, file: "", line: nil, column: "municipality", value: register.municipality,
                message:
                    "the register for \"\(register.municipality)\" matches no municipality of the responses (they name: \(known))"
            )
            warning.details = [known]
            try note(warning)
        }
        // No counted response with a value for the breakdown variable (whether its column is
        // missing or empty): the breakdown would be one "(ikke oppgitt)" block.
        if let breakdown, !counted.isEmpty, counted.allSatisfy({ cellKeys[$0].breakdownValue.isEmpty }) {
            let present = backgroundNames.filter { $0.lowercased() != breakdown }.sorted().joined(separator: ", ")
            try note(
                Problem(
                    .breakdownAbsent, file: "", line: nil, column: "bg.\(breakdown)", value: present,
                    message: "no response has a value for the background variable \"\(breakdown)\""
                        + (present.isEmpty ? "" : " (there are: \(present))")))
        }
        // Respondents per unit, set and period (breakdown values summed); only the units over
        // their invited count are sorted (a national run has tens of thousands of units).
        var perUnit: [UnitPeriod: Int] = [:]
        if !registers.registers.isEmpty || !fileInvited.isEmpty {
            for index in counted {
                let key = cellKeys[index]
                perUnit[
                    UnitPeriod(set: key.set, municipality: key.municipality, unit: key.unit, period: key.period), default: 0] +=
                    tallies[index].respondents
            }
        }
        var over: [(unit: UnitPeriod, respondents: Int, invited: Int)] = []
        for (unit, respondents) in perUnit {
            guard let set = compiled[unit.set],
                let invited = invited(set: set.set, municipality: unit.municipality, unit: unit.unit, period: unit.period),
                respondents > invited
            else { continue }
            over.append((unit, respondents, invited))
        }
        over.sort {
            ScoreBuilder.textOrder(
                [$0.unit.set, $0.unit.period, $0.unit.municipality, $0.unit.unit],
                [$1.unit.set, $1.unit.period, $1.unit.municipality, $1.unit.unit])
        }
        for (unit, respondents, invited) in over {
            var warning = Problem(
                .overInvited, file: "", line: nil, column: "invited", value: "\(respondents)/\(invited)",
                message:
                    "unit \(unit.unit) (\(unit.municipality)) has \(respondents) respondents for set \(unit.set) in \(unit.period) but \(invited) invited"
            )
            warning.details = [unit.unit, unit.municipality, unit.set, unit.period, "\(respondents)", "\(invited)"]
            try note(warning)
        }
        // Ids that differ only in case: lowercasing merges two spellings only then, so the
        // spellings are looked at only when there are fewer lowercased ids than ids.
        var ids: Set<String> = []
        var lowered: Set<String> = []
        for index in counted {
            let key = cellKeys[index]
            for id in [
                "unit\u{1F}\(key.municipality)\u{1F}\(key.service)\u{1F}\(key.unit)",
                "service\u{1F}\(key.municipality)\u{1F}\(key.service)",
            ] where ids.insert(id).inserted {
                lowered.insert(id.lowercased())
            }
        }
        guard lowered.count < ids.count else { return }
        var spellings: [[String]: Set<String>] = [:]
        for index in counted {
            let key = cellKeys[index]
            spellings[["unit", key.municipality, key.service, key.unit.lowercased()], default: []].insert(key.unit)
            spellings[["service", key.municipality, key.service.lowercased()], default: []].insert(key.service)
        }
        for (key, names) in spellings.sorted(by: { ScoreBuilder.textOrder($0.key, $1.key) }) where names.count > 1 {
            let written = names.sorted().joined(separator: ", ")
            try note(
                Problem(
                    .caseOnlyIDs, file: "", line: nil, column: key[0], value: written,
                    message: "the \(key[0]) ids \(written) (\(key[1])) differ only in case; they are kept apart"))
        }
    }
}
