/// The audit across kinds of row (Docs/Suppression.md, "Across kinds of row").
///
/// A dimension row's "vet ikke", unanswered and positive answers are the sums of its items'
/// (and a total row's the sums over all items), and an item's valid answers are its group's
/// respondents less the first two. So an attacker holding the whole output sees, for the counts,
/// vectors over (cell × item): an item row is 1_g ⊗ e_i, a dimension row 1_g ⊗ 1_d, a total row
/// 1_g ⊗ 1. ``DisclosureAudit`` tests each kind of row alone; this tests the kinds together.
///
/// The test is exact and works in the cell space of one municipality: with S_t the span of the
/// cell vectors of the groups whose row of kind t is published, W_d = ⋂_{i∈d} S_i, V_d = W_d + S_d
/// and A_{d0} = S_total ∩ ⋂_{d≠d0} V_d, an item row (g, i0 in d0) is revealed exactly when
/// 1_g ∈ S_{i0} + (⋂_{i∈d0, i≠i0} S_i) ∩ (A_{d0} + S_{d0}); a dimension row (g, d0) when
/// 1_g ∈ W_{d0} + S_{d0} + A_{d0}; a total row (g) when 1_g ∈ S_total + ⋂_d V_d. (Written out as
/// sums of per-item vectors, each equation of a combination is one item's coordinates; the
/// derivation is in Docs/Suppression.md.) Intersections are taken through orthogonal complements
/// (``Orthogonal``), in integers.
///
/// `all` enters as in the per-kind audit: for a kind whose `all` row is published and whose other
/// municipalities are all complete (their published rows of that kind span their totals), the
/// municipality's total is added to S_t. A combination of `all` rows of different kinds whose
/// other municipalities are complete only together is not looked for (Docs/Suppression.md).
///
/// Speed: a municipality whose kinds all have the same rows suppressed needs no test (its spans
/// are one span for every kind, and the per-kind audit has cleared it); otherwise two cheap
/// sufficient tests, each a certificate the attacker cannot get round, clear most rows before
/// the exact one runs: 1_g outside S_{i0} + S_{d0} + S_total, or, for some sibling i1, outside
/// S_{i0} + S_{i1} (a weighting of the cells that item i0 and i1 cannot see, put on i0 and taken
/// off i1, leaves every dimension and total sum unchanged).
struct CrossKindAudit {
    /// The kinds of row of one set, as ``Tally/rowCounts(set:)`` lists them: 0 the total, then
    /// each dimension followed by its items when the set reports them.
    struct Structure {
        /// Each dimension's kind.
        var dimensions: [Int]
        /// Each dimension's item kinds (empty when the set has no item rows).
        var items: [[Int]]
        /// Each dimension's number of items (the item coordinates, also without item rows).
        var itemCounts: [Int]
        var kindCount: Int
        /// The dimension of each kind (-1 for the total).
        var dimensionOf: [Int]
        var isItem: [Bool]
        var reportsItems: Bool

        init(dimensionKinds: [Int], itemCounts: [Int], reportItems: Bool) {
            dimensions = dimensionKinds
            self.itemCounts = itemCounts
            reportsItems = reportItems
            items = zip(dimensionKinds, itemCounts).map { kind, count in reportItems ? Array((kind + 1)...(kind + count)) : [] }
            kindCount = 1 + dimensionKinds.count + (reportItems ? itemCounts.reduce(0, +) : 0)
            dimensionOf = [Int](repeating: -1, count: kindCount)
            isItem = [Bool](repeating: false, count: kindCount)
            for (d, kind) in dimensionKinds.enumerated() {
                dimensionOf[kind] = d
                for item in items[d] {
                    dimensionOf[item] = d
                    isItem[item] = true
                }
            }
        }

        /// The kind's vector over the item coordinates (items flat, dimension by dimension).
        func itemVector(_ kind: Int) -> [Int] {
            let width = itemCounts.reduce(0, +)
            if kind == 0 { return [Int](repeating: 1, count: width) }
            let d = dimensionOf[kind]
            let start = itemCounts[..<d].reduce(0, +)
            var v = [Int](repeating: 0, count: width)
            if isItem[kind] {
                v[start + items[d].firstIndex(of: kind)!] = 1
            } else {
                for j in 0..<itemCounts[d] { v[start + j] = 1 }
            }
            return v
        }
    }

    let layout: DisclosureAudit.Layout
    let structure: Structure
    /// Each row's `n` per kind (`counts[row][kind]`), for the order of the candidates.
    let counts: [[Int]]
    /// Groups with fewer respondents than `min_n`: every row of theirs is protected.
    let primary: [Bool]

    /// A protected row the published ones reveal.
    struct Target: Equatable {
        var row: Int
        var kind: Int
    }

    /// Adds suppressions to `flags` (per kind, per row; the per-kind audit already run) until no
    /// protected row is revealed across kinds. The first revealed row in row order is taken; the
    /// row suppressed for it is the first of its own group's published rows (sibling items by
    /// fewest `n`, then its dimension, the total, the other dimensions, the other items) whose
    /// suppression, with the per-kind audit of that kind run again, closes it; else the first of
    /// its municipality's rows of the kinds involved (choice order, then kind) that does; else the
    /// first of those candidates. Each round suppresses a row, so the audit ends.
    func audit(_ flags: inout [[Bool]], perKind: inout DisclosureAudit) {
        var state = State(audit: self, flags: flags, perKind: &perKind)
        while let target = state.firstLeak(&perKind) {
            guard let (kind, trial) = state.choose(for: target, perKind: &perKind) else { break }
            state.apply(kind: kind, flags: trial, perKind: &perKind)
        }
        flags = state.flags
    }

    /// The rows of kind `kind` (flags given) the per-kind audit suppresses.
    static func perKindAudit(_ kindFlags: [Bool], _ perKind: inout DisclosureAudit) -> [Bool] {
        var pattern: Set<Int> = []
        for (row, flag) in kindFlags.enumerated() where flag { pattern.insert(row) }
        var result = [Bool](repeating: false, count: kindFlags.count)
        for row in perKind.audit(pattern) { result[row] = true }
        return result
    }

    fileprivate func isTarget(row: Int, kind: Int, flags: [[Bool]]) -> Bool {
        guard flags[kind][row] else { return false }
        if structure.isItem[kind] || primary[row] { return true }
        // Without item rows, a dimension row hidden for its own n is protected too.
        return !structure.reportsItems && kind != 0
    }

    /// The state between rounds: flags, each kind's municipalities that are not complete, and each
    /// municipality's first leak (kept until its rows or what `all` gives it change).
    fileprivate struct State {
        let audit: CrossKindAudit
        var flags: [[Bool]]
        /// Per kind: each block's suppressed rows, sorted.
        var patterns: [[Int32: [Int32]]]
        var incomplete: [Set<Int32>]
        var known: [Int32: (lifts: [Bool], leak: Target?)] = [:]
        var dirty: Set<Int32>

        init(audit: CrossKindAudit, flags: [[Bool]], perKind: inout DisclosureAudit) {
            self.audit = audit
            self.flags = flags
            let layout = audit.layout
            patterns = flags.map { kindFlags in
                var p: [Int32: [Int32]] = [:]
                for (row, flag) in kindFlags.enumerated() where flag && layout.block[row] >= 0 {
                    p[layout.block[row], default: []].append(Int32(row))
                }
                return p
            }
            incomplete = patterns.map { Self.incompleteBlocks($0, &perKind) }
            // Blocks whose kinds do not all hide the same rows, and the `all` row's (-1) when any
            // of its rows is hidden.
            dirty = []
            for block in layout.blockRows.indices {
                let b = Int32(block)
                let first = patterns.first?[b] ?? []
                if patterns.contains(where: { ($0[b] ?? []) != first }) { dirty.insert(b) }
            }
            if let all = layout.allRow, flags.contains(where: { $0[all] }) { dirty.insert(-1) }
        }

        static func incompleteBlocks(_ patterns: [Int32: [Int32]], _ perKind: inout DisclosureAudit) -> Set<Int32> {
            var result: Set<Int32> = []
            for (block, rows) in patterns where !perKind.isComplete(block: Int(block), suppressed: rows) {
                result.insert(block)
            }
            return result
        }

        /// Per kind: whether block `block` gets its total from `all` (see the type's comment).
        func lifts(_ block: Int32, flags: [[Bool]], incomplete: [Set<Int32>]) -> [Bool] {
            guard let all = audit.layout.allRow, block >= 0 else {
                return [Bool](repeating: false, count: flags.count)
            }
            return flags.indices.map { kind in
                !flags[kind][all] && (incomplete[kind].isEmpty || incomplete[kind] == [block])
            }
        }

        /// The first revealed row in row order, over every municipality and `all`.
        mutating func firstLeak(_ perKind: inout DisclosureAudit) -> Target? {
            var first: Target?
            let order = audit.layout.rowOrder
            for block in Array(dirty) + known.keys.filter({ !dirty.contains($0) }) {
                let lifts = self.lifts(block, flags: flags, incomplete: incomplete)
                if !dirty.contains(block), let cached = known[block], cached.lifts == lifts {
                    if let leak = cached.leak, first.map({ precedes(leak, $0, order) }) ?? true { first = leak }
                    continue
                }
                let leak = audit.firstLeak(block: block, flags: flags, lifts: lifts, incomplete: incomplete, perKind: &perKind)
                known[block] = (lifts, leak)
                if let leak, first.map({ precedes(leak, $0, order) }) ?? true { first = leak }
            }
            dirty = []
            return first
        }

        func precedes(_ a: Target, _ b: Target, _ order: [Int]) -> Bool {
            order[a.row] != order[b.row] ? order[a.row] < order[b.row] : a.kind < b.kind
        }

        /// The kind and new flags of that kind (after its per-kind audit) of the row chosen.
        mutating func choose(for target: Target, perKind: inout DisclosureAudit) -> (Int, [Bool])? {
            let layout = audit.layout
            let block = target.row == layout.allRow ? Int32(-1) : layout.block[target.row]
            func trial(_ row: Int, _ kind: Int) -> [Bool] {
                var kindFlags = flags[kind]
                kindFlags[row] = true
                return CrossKindAudit.perKindAudit(kindFlags, &perKind)
            }
            func closes(_ kind: Int, _ kindFlags: [Bool]) -> Bool {
                var flags = self.flags
                flags[kind] = kindFlags
                var incomplete = self.incomplete
                var p: [Int32: [Int32]] = [:]
                for (row, flag) in kindFlags.enumerated() where flag && layout.block[row] >= 0 {
                    p[layout.block[row], default: []].append(Int32(row))
                }
                incomplete[kind] = Self.incompleteBlocks(p, &perKind)
                let lifts = self.lifts(block, flags: flags, incomplete: incomplete)
                return !audit.revealed(target, block: block, flags: flags, lifts: lifts, incomplete: incomplete, perKind: &perKind)
            }
            let own = audit.candidateKinds(for: target).filter { !flags[$0][target.row] }.map { (target.row, $0) }
            for (row, kind) in own {
                let new = trial(row, kind)
                if closes(kind, new) { return (kind, new) }
            }
            var others: [(Int, Int)] = []
            if block >= 0 {
                let kinds = audit.involvedKinds(for: target)
                let rows = layout.blockRows[Int(block)].filter { $0 != target.row }.sorted {
                    layout.choiceRank[$0] < layout.choiceRank[$1]
                }
                for row in rows { for kind in kinds where !flags[kind][row] { others.append((row, kind)) } }
                for (row, kind) in others {
                    let new = trial(row, kind)
                    if closes(kind, new) { return (kind, new) }
                }
            }
            guard let (row, kind) = own.first ?? others.first else { return nil }
            return (kind, trial(row, kind))
        }

        mutating func apply(kind: Int, flags kindFlags: [Bool], perKind: inout DisclosureAudit) {
            let layout = audit.layout
            for row in kindFlags.indices where kindFlags[row] != flags[kind][row] {
                let block = layout.block[row]
                dirty.insert(block)
                if block >= 0 {
                    var rows = patterns[kind][block] ?? []
                    rows.insert(Int32(row), at: rows.firstIndex { $0 > Int32(row) } ?? rows.count)
                    patterns[kind][block] = rows
                }
            }
            flags[kind] = kindFlags
            incomplete[kind] = Self.incompleteBlocks(patterns[kind], &perKind)
        }
    }

    /// The own group's kinds to try for a revealed row, in order.
    fileprivate func candidateKinds(for target: Target) -> [Int] {
        let s = structure
        let byN = { (kinds: [Int]) in
            kinds.sorted { counts[target.row][$0] != counts[target.row][$1] ? counts[target.row][$0] < counts[target.row][$1] : $0 < $1 }
        }
        let allItems = s.items.flatMap { $0 }
        if target.kind == 0 { return byN(s.dimensions) + byN(allItems) }
        let d = s.dimensionOf[target.kind]
        let otherDimensions = byN(s.dimensions.filter { $0 != s.dimensions[d] })
        if s.isItem[target.kind] {
            let siblings = s.items[d].filter { $0 != target.kind }
            return byN(siblings) + [s.dimensions[d], 0] + otherDimensions + byN(allItems.filter { s.dimensionOf[$0] != d })
        }
        return byN(s.items[d]) + [0] + otherDimensions + byN(allItems.filter { s.dimensionOf[$0] != d })
    }

    /// The kinds of the municipality's other rows to try (after the own group's), in kind order.
    fileprivate func involvedKinds(for target: Target) -> [Int] {
        let s = structure
        if target.kind == 0 { return [0] + s.dimensions }
        let d = s.dimensionOf[target.kind]
        var kinds = [0, s.dimensions[d]] + s.items[d]
        if !s.isItem[target.kind] { kinds += s.dimensions }
        return Array(Set(kinds)).sorted()
    }

    /// The first revealed row of `block` (-1: the `all` row) in row order.
    fileprivate func firstLeak(
        block: Int32, flags: [[Bool]], lifts: [Bool], incomplete: [Set<Int32>], perKind: inout DisclosureAudit
    ) -> Target? {
        let rows = block >= 0 ? layout.blockRows[Int(block)] : [layout.allRow!]
        var space = block >= 0 ? Space(audit: self, block: Int(block), flags: flags, lifts: lifts) : nil
        for row in rows.sorted(by: { layout.rowOrder[$0] < layout.rowOrder[$1] }) {
            for kind in 0..<structure.kindCount where isTarget(row: row, kind: kind, flags: flags) {
                let target = Target(row: row, kind: kind)
                if ownGroupReveals(target, flags: flags) { return target }
                if block < 0 {
                    if allRevealedThroughBlocks(target, flags: flags, perKind: &perKind) { return target }
                } else if space!.reveals(target, total: nil) {
                    return target
                }
            }
        }
        return nil
    }

    /// Whether `target` is revealed with `flags` (for the choice).
    fileprivate func revealed(
        _ target: Target, block: Int32, flags: [[Bool]], lifts: [Bool], incomplete: [Set<Int32>],
        perKind: inout DisclosureAudit
    ) -> Bool {
        if ownGroupReveals(target, flags: flags) { return true }
        if block < 0 { return allRevealedThroughBlocks(target, flags: flags, perKind: &perKind) }
        var space = Space(audit: self, block: Int(block), flags: flags, lifts: lifts)
        return space.reveals(target, total: nil)
    }

    /// Whether the row's own group's published rows give it (its kind's item vector in the span
    /// of theirs: a dimension minus its other items, the total minus the other dimensions).
    fileprivate func ownGroupReveals(_ target: Target, flags: [[Bool]]) -> Bool {
        let published = (0..<structure.kindCount).filter { !flags[$0][target.row] }
        if published.isEmpty { return false }
        let vectors = published.map(structure.itemVector)
        return Orthogonal.spans(vectors, structure.itemVector(target.kind), width: vectors[0].count) ?? true
    }

    /// Whether every municipality's total of the `all` row's kind is revealed within it, so that
    /// their sum gives the `all` row.
    fileprivate func allRevealedThroughBlocks(_ target: Target, flags: [[Bool]], perKind: inout DisclosureAudit) -> Bool {
        let none = [Bool](repeating: false, count: structure.kindCount)
        for block in layout.blockRows.indices {
            var space = Space(audit: self, block: block, flags: flags, lifts: none)
            if !space.reveals(Target(row: -1, kind: target.kind), total: true) { return false }
        }
        return !layout.blockRows.isEmpty
    }

    /// One municipality's spans, with their complements and combinations kept while it is tested.
    fileprivate struct Space {
        let audit: CrossKindAudit
        let width: Int
        /// Per kind: the published rows' cell vectors (and the block's total when `all` gives it).
        let generators: [[[Int]]]
        /// Per kind: the key of its generators (published rows, -1 for the lift).
        let keys: [[Int]]
        var complements: [[Int]: [[Int]]?] = [:]
        var bases: [[Int]: Basis] = [:]
        var dimensionParts: [Int: (w: [[Int]]?, v: [[Int]]?, vPerp: [[Int]]?)] = [:]
        var aParts: [Int: [[Int]]?] = [:]
        let block: Int
        let flags: [[Bool]]

        init(audit: CrossKindAudit, block: Int, flags: [[Bool]], lifts: [Bool]) {
            self.audit = audit
            self.block = block
            self.flags = flags
            let layout = audit.layout
            width = layout.blockCellCounts[block]
            let rows = layout.blockRows[block]
            var keys: [[Int]] = []
            var generators: [[[Int]]] = []
            for kind in 0..<audit.structure.kindCount {
                var key = rows.filter { !flags[kind][$0] }
                if lifts[kind] { key.append(-1) }
                keys.append(key)
            }
            var vectors: [Int: [Int]] = [:]
            let width = self.width
            func vector(_ row: Int) -> [Int] {
                if row < 0 { return [Int](repeating: 1, count: width) }
                if let v = vectors[row] { return v }
                var v = [Int](repeating: 0, count: width)
                for cell in layout.cells[row] { v[Int(cell)] = 1 }
                vectors[row] = v
                return v
            }
            for key in keys { generators.append(key.map(vector)) }
            self.keys = keys
            self.generators = generators
        }

        func target(_ row: Int) -> [Int] {
            if row < 0 { return [Int](repeating: 1, count: width) }
            var v = [Int](repeating: 0, count: width)
            for cell in audit.layout.cells[row] { v[Int(cell)] = 1 }
            return v
        }

        /// Whether 1_g lies in the sum of the spans of `kinds`.
        mutating func inSum(_ kinds: [Int], _ g: [Int]) -> Bool {
            var key: [Int] = []
            var seen: Set<Int> = []
            for kind in kinds { for row in keys[kind] where seen.insert(row).inserted { key.append(row) } }
            key.sort()
            if bases[key] == nil {
                let vectors = kinds.flatMap { generators[$0] }
                var basis = Basis(width: width, rows: vectors.count)
                for (index, v) in vectors.enumerated() { basis.insert(v, as: index) }
                bases[key] = basis
            }
            let basis = bases[key]!
            return basis.overflowed || basis.representation(of: g) != nil
        }

        mutating func complement(_ kind: Int) -> [[Int]]? {
            if let known = complements[keys[kind]] { return known }
            let result = Orthogonal.complement(of: generators[kind], width: width)
            complements[keys[kind]] = result
            return result
        }

        /// W_d (nil on overflow), V_d and V_d's complement.
        mutating func dimension(_ d: Int) -> (w: [[Int]]?, v: [[Int]]?, vPerp: [[Int]]?) {
            if let known = dimensionParts[d] { return known }
            let s = audit.structure
            var w: [[Int]]? = []
            if s.reportsItems {
                var stacked: [[Int]] = []
                for item in s.items[d] {
                    guard let c = complement(item) else { stacked = []; w = nil; break }
                    stacked += c
                }
                if w != nil { w = Orthogonal.complement(of: stacked, width: width) }
            }
            let v = w.map { $0 + generators[s.dimensions[d]] }
            let vPerp = v.flatMap { Orthogonal.complement(of: $0, width: width) }
            let result = (w, v, vPerp)
            dimensionParts[d] = result
            return result
        }

        /// A_{d0} = S_total ∩ ⋂_{d≠d0} V_d.
        mutating func a(_ d0: Int) -> [[Int]]? {
            if let known = aParts[d0] { return known }
            var stacked: [[Int]] = []
            var result: [[Int]]?
            if let total = complement(0) {
                stacked += total
                var ok = true
                for d in audit.structure.dimensions.indices where d != d0 {
                    guard let vPerp = dimension(d).vPerp else { ok = false; break }
                    stacked += vPerp
                }
                if ok { result = Orthogonal.complement(of: stacked, width: width) }
            }
            aParts[d0] = result
            return result
        }

        /// Whether the target (its row's cells, or the block's total when `total`) is revealed.
        mutating func reveals(_ target: Target, total: Bool?) -> Bool {
            let s = audit.structure
            let g = total == true ? [Int](repeating: 1, count: width) : self.target(target.row)
            let kind = target.kind
            if kind == 0 {
                // Sufficient for safety: some item i of some dimension d with 1_g ∉ S_total + S_d + S_i.
                for d in s.dimensions.indices {
                    if s.reportsItems {
                        for item in s.items[d] where !inSum([0, s.dimensions[d], item], g) { return false }
                    } else if !inSum([0, s.dimensions[d]], g) {
                        return false
                    }
                }
                var stacked: [[Int]] = []
                for d in s.dimensions.indices {
                    guard let vPerp = dimension(d).vPerp else { return true }
                    stacked += vPerp
                }
                guard let meet = Orthogonal.complement(of: stacked, width: width) else { return true }
                return Orthogonal.spans(generators[0] + meet, g, width: width) ?? true
            }
            let d0 = s.dimensionOf[kind]
            let dimensionKind = s.dimensions[d0]
            if s.isItem[kind] {
                if !inSum([kind, dimensionKind, 0], g) { return false }
                for sibling in s.items[d0] where sibling != kind && !inSum([kind, sibling], g) { return false }
                guard let a = a(d0) else { return true }
                guard let xPerp = Orthogonal.complement(of: a + generators[dimensionKind], width: width) else { return true }
                var stacked = xPerp
                for sibling in s.items[d0] where sibling != kind {
                    guard let c = complement(sibling) else { return true }
                    stacked += c
                }
                guard let y = Orthogonal.complement(of: stacked, width: width) else { return true }
                return Orthogonal.spans(generators[kind] + y, g, width: width) ?? true
            }
            // A dimension row.
            if s.reportsItems {
                var safe = false
                for item in s.items[d0] where !inSum([dimensionKind, 0, item], g) { safe = true; break }
                if safe { return false }
            } else {
                if !inSum([dimensionKind, 0], g) { return false }
                for other in s.dimensions where other != dimensionKind && !inSum([dimensionKind, other], g) { return false }
            }
            guard let w = dimension(d0).w, let a = a(d0) else { return true }
            return Orthogonal.spans(w + generators[dimensionKind] + a, g, width: width) ?? true
        }
    }
}
