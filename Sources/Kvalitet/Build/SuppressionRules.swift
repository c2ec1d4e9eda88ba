/// FORMAT.md §5's rules before the audit, over groups by their index in row order: primary
/// suppression (fewer than `minN`), complementary suppression (inside a published parent with
/// exactly one primary-suppressed child, the smallest other child, ties by the smaller index,
/// which in row order is the smaller id as text), and the sub-project rule (a sub-project holding
/// exactly one suppressed unit). Scores and sick leave both use it: the families are worked out
/// once from the keys, and each slice (a set and period, a month) only brings its counts, so a
/// national run does not hash group keys for every slice.
struct SuppressionRules: Sendable {
    /// Each group's parent (-1 for none) and which of the parent's families it belongs to (0:
    /// units of a service, services of a municipality, municipalities of `all`; 1: the values
    /// of a breakdown of a municipality, a family of its own).
    private let parent: [Int32]
    private let family: [UInt8]
    /// The unit groups of each sub-project group.
    private let subprojectUnits: [Int: [Int32]]

    /// `keys` in row order (level, then keys as text); `subprojectUnits` the unit groups (indices
    /// into `keys`) of each sub-project group.
    init(keys: [GroupKey], subprojectUnits: [Int: [Int32]]) {
        var index: [GroupKey: Int32] = [:]
        for (position, key) in keys.enumerated() { index[key] = Int32(position) }
        var parent = [Int32](repeating: -1, count: keys.count)
        var family = [UInt8](repeating: 0, count: keys.count)
        for (position, key) in keys.enumerated() {
            let up: GroupKey?
            switch key.level {
            case .unit: up = GroupKey(level: .service, municipality: key.municipality, service: key.service)
            case .service: up = GroupKey(level: .municipality, municipality: key.municipality)
            case .municipality where !key.breakdown.isEmpty:
                up = GroupKey(level: .municipality, municipality: key.municipality)
                family[position] = 1
            case .municipality: up = GroupKey(level: .all)
            default: up = nil
            }
            parent[position] = up.flatMap { index[$0] } ?? -1
        }
        self.parent = parent
        self.family = family
        self.subprojectUnits = subprojectUnits
    }

    /// Which groups are suppressed, for counts per group (a negative count: the group is not in
    /// this slice).
    func suppressed(_ counts: [Int], minN: Int) -> [Bool] {
        let n = counts.count
        var suppressed = counts.map { $0 >= 0 && $0 < minN }
        let primary = suppressed
        // Per (parent, family): how many primary-suppressed children, and the smallest other.
        var small = [Int32](repeating: 0, count: 2 * n)
        var best = [Int32](repeating: -1, count: 2 * n)
        for child in 0..<n where counts[child] >= 0 && parent[child] >= 0 {
            let slot = 2 * Int(parent[child]) + Int(family[child])
            if primary[child] {
                small[slot] += 1
            } else if best[slot] < 0 || counts[child] < counts[Int(best[slot])] {
                best[slot] = Int32(child)  // children come in index order: ties keep the first
            }
        }
        for slot in 0..<(2 * n) where small[slot] == 1 && best[slot] >= 0 && !primary[slot / 2] {
            suppressed[Int(best[slot])] = true
        }
        for (subproject, units) in subprojectUnits where counts[subproject] >= 0 && !suppressed[subproject] {
            var hidden = 0
            for unit in units where counts[Int(unit)] >= 0 && suppressed[Int(unit)] { hidden += 1 }
            if hidden == 1 { suppressed[subproject] = true }
        }
        return suppressed
    }
}
