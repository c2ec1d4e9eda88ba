/// The audit across kinds of row (Docs/Suppression.md, "Across kinds of row").
///
/// A dimension row's "vet ikke", unanswered and positive answers are the sums of its items'
/// (and a total row's the sums over all items), and an item's valid answers are its group's
/// respondents less the first two. So an attacker holding the whole output sees, for the counts,
/// vectors over (cell × item): an item row is 1_g ⊗ e_i, a dimension row 1_g ⊗ 1_d, a total row
/// 1_g ⊗ 1. ``DisclosureAudit`` tests each kind of row alone; this tests the kinds together,
/// exactly, in integers.
///
/// Per municipality m, modulo its item rows: the published item-i rows span B_i in item i's
/// cell coordinates; every vector is reduced modulo ⊕ B_i (the reduction is linear and ⊕ B_i is
/// published), and a protected row is revealed exactly when its reduction lies in the span of
/// the reduced dimension and total rows, and of what `all` gives m.
///
/// `all`: a combination of `all` rows of several kinds (profile c = Σ λ_t u_t over the items, in
/// U_all, the span of the profiles of the kinds whose `all` row is published) gives 1_m ⊗ c
/// exactly when every other municipality m' can cancel its part, 1_{m'} ⊗ c, with its own
/// published rows: c ∈ C_{m'}, a subspace of the item space. So m gets 1_m ⊗ E_m with
/// E_m = U_all ∩ ⋂_{m'≠m} C_{m'}, added to its rows. A municipality whose municipality row is
/// published in every kind of U_all has C_{m'} ⊇ U_all and drops out of the intersection; the
/// others are computed. An `all` row of kind s is revealed when u_s ∈ U_all + ⋂_m C_m.
///
/// Speed: a municipality whose kinds all have the same rows suppressed needs no test (its spans
/// are one span for every kind, and the per-kind audit has cleared it); otherwise cheap
/// sufficient tests, each a certificate the attacker cannot get round, clear most rows before the
/// exact one: 1_g outside S_{i0} + S_{d0} + S_total (S_t the span of the cell vectors of the
/// groups whose kind-t row is published; plus 1_m when E_m touches item i0), or, for a sibling
/// i1, outside S_{i0} + S_{i1} (a weighting of the cells neither item sees, put on i0 and taken
/// off i1, leaves every dimension and total sum as it was).
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
        /// Each kind's profile over the item coordinates (items flat, dimension by dimension).
        var profiles: [[Int]]
        /// Each item coordinate's dimension and, with item rows, its kind.
        var coordinateDimension: [Int]
        var coordinateKind: [Int?]

        init(dimensionKinds: [Int], itemCounts: [Int], reportItems: Bool) {
            dimensions = dimensionKinds
            self.itemCounts = itemCounts
            reportsItems = reportItems
            items = zip(dimensionKinds, itemCounts).map { kind, count in reportItems ? Array((kind + 1)...(kind + count)) : [] }
            kindCount = 1 + dimensionKinds.count + (reportItems ? itemCounts.reduce(0, +) : 0)
            dimensionOf = [Int](repeating: -1, count: kindCount)
            isItem = [Bool](repeating: false, count: kindCount)
            coordinateDimension = []
            coordinateKind = []
            for (d, kind) in dimensionKinds.enumerated() {
                dimensionOf[kind] = d
                for j in 0..<itemCounts[d] {
                    coordinateDimension.append(d)
                    coordinateKind.append(reportItems ? items[d][j] : nil)
                }
                for item in items[d] {
                    dimensionOf[item] = d
                    isItem[item] = true
                }
            }
            let width = coordinateDimension.count
            var profiles = [[Int]](repeating: [Int](repeating: 0, count: width), count: kindCount)
            for f in 0..<width {
                profiles[0][f] = 1
                profiles[dimensionKinds[coordinateDimension[f]]][f] = 1
                if let kind = coordinateKind[f] { profiles[kind][f] = 1 }
            }
            self.profiles = profiles
        }

        var coordinates: Int { coordinateDimension.count }
    }

    let layout: DisclosureAudit.Layout
    let structure: Structure
    /// Each row's `n` per kind (`counts[row][kind]`), for the order of the candidates.
    let counts: [[Int]]
    /// Groups with fewer respondents than `min_n`: every row of theirs is protected.
    let primary: [Bool]
    /// Bases kept between rounds and trials: a round or a trial changes one kind, so the other
    /// kinds' item bases and the other dimensions' reduced rows are the same.
    let cache = Cache()

    final class Cache {
        var sums: [[Int]: Basis] = [:]
        var components: [[Int]: Space.Component] = [:]
    }

    /// A protected row the published ones reveal.
    struct Target: Equatable {
        var row: Int
        var kind: Int
    }

    /// Adds suppressions to `flags` (per kind, per row; the per-kind audit already run) until no
    /// protected row is revealed across kinds. The first revealed row in row order is taken, and
    /// one row is suppressed for it: the first candidate whose suppression, with the per-kind
    /// audit of its kind run again, stops revealing it, else the first candidate. Candidates, in
    /// order: its own group's published rows (sibling items by fewest `n`, its dimension, the
    /// total, the other dimensions, the other items); then its municipality's other rows (choice
    /// order) of the kinds involved (the total, its dimension and that dimension's items; for a
    /// dimension row also the other dimensions), then the same kinds of `all` and of the other
    /// municipalities whose municipality row is hidden in a kind `all` publishes. Each round
    /// suppresses a row, so the audit ends.
    func audit(_ flags: inout [[Bool]], perKind: inout DisclosureAudit) {
        var state = State(audit: self, flags: flags)
        while let target = state.firstLeak() {
            guard let (kind, trial) = state.choose(for: target, perKind: &perKind) else { break }
            state.apply(kind: kind, flags: trial)
        }
        flags = state.flags
    }

    /// Every protected row the published ones reveal across kinds, in row order (for `kvalitet
    /// audit`, which reports and does not suppress): the same test as ``audit(_:perKind:)``.
    func revealed(_ flags: [[Bool]]) -> [Target] {
        let through = self.through(flags)
        var found: [Target] = []
        if let all = layout.allRow {
            for kind in 0..<structure.kindCount where isTarget(row: all, kind: kind, flags: flags) {
                if allRevealed(kind, flags: flags) { found.append(Target(row: all, kind: kind)) }
            }
        }
        for block in layout.blockRows.indices {
            var space = Space(audit: self, block: block, flags: flags, extras: extras(block, through))
            for row in layout.blockRows[block] {
                for kind in 0..<structure.kindCount where isTarget(row: row, kind: kind, flags: flags) {
                    if space.reveals(row: row, kind: kind) { found.append(Target(row: row, kind: kind)) }
                }
            }
        }
        return found.sorted {
            layout.rowOrder[$0.row] != layout.rowOrder[$1.row]
                ? layout.rowOrder[$0.row] < layout.rowOrder[$1.row] : $0.kind < $1.kind
        }
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

    /// The block's municipality row (the row holding every cell of it).
    fileprivate func totalRow(_ block: Int) -> Int? {
        layout.blockRows[block].first { layout.cells[$0].count == layout.blockCellCounts[block] }
    }

    /// What `all` gives: U_all's basis, the municipalities that constrain it, and their C_m.
    fileprivate struct Through {
        var uAll: [[Int]]
        /// C_m (a basis) of each municipality that does not contain U_all for sure.
        var constraints: [Int: [[Int]]?]
    }

    fileprivate func through(_ flags: [[Bool]], extraKind: Int? = nil) -> Through {
        let kinds = (0..<structure.kindCount).filter { kind in layout.allRow.map { !flags[kind][$0] } ?? false }
        var constraints: [Int: [[Int]]?] = [:]
        let watched = kinds + (extraKind.map { [$0] } ?? [])
        if !kinds.isEmpty || extraKind != nil {
            for block in layout.blockRows.indices {
                guard let total = totalRow(block) else { continue }
                if watched.contains(where: { flags[$0][total] }) {
                    var space = Space(audit: self, block: block, flags: flags, extras: [])
                    constraints[block] = space.completions()
                }
            }
        }
        return Through(uAll: kinds.map { structure.profiles[$0] }, constraints: constraints)
    }

    /// E_m (a basis; nil on overflow).
    fileprivate func extras(_ block: Int, _ through: Through) -> [[Int]]? {
        if through.uAll.isEmpty { return [] }
        let width = structure.coordinates
        var stacked: [[Int]] = []
        guard let uPerp = Orthogonal.complement(of: through.uAll, width: width) else { return nil }
        stacked += uPerp
        for (other, c) in through.constraints where other != block {
            guard let c, let cPerp = Orthogonal.complement(of: c, width: width) else { return nil }
            stacked += cPerp
        }
        if stacked.count == uPerp.count { return through.uAll }
        return Orthogonal.complement(of: stacked, width: width)
    }

    /// The state between rounds: flags, what `all` gives, and each municipality's first leak (kept
    /// until its rows or its E_m change).
    fileprivate struct State {
        let audit: CrossKindAudit
        var flags: [[Bool]]
        var through: Through
        var known: [Int32: (extras: [[Int]]?, leak: Target?)] = [:]
        var dirty: Set<Int32>
        var extrasMemo: [Int: [[Int]]?] = [:]

        init(audit: CrossKindAudit, flags: [[Bool]]) {
            self.audit = audit
            self.flags = flags
            let layout = audit.layout
            through = audit.through(flags)
            // Blocks whose kinds do not all hide the same rows, and `all` (-1) when any of its
            // rows is hidden.
            dirty = []
            // A block whose kinds hide the same rows is safe when its municipality row is
            // published (1_m is in its one span, so what `all` gives adds nothing); else it is
            // tested too.
            for block in layout.blockRows.indices {
                let rows = layout.blockRows[block]
                if rows.contains(where: { row in flags.contains { $0[row] != flags[0][row] } }) {
                    dirty.insert(Int32(block))
                } else if let total = audit.totalRow(block), flags[0][total] {
                    dirty.insert(Int32(block))
                }
            }
            if let all = layout.allRow, flags.contains(where: { $0[all] }) { dirty.insert(-1) }
        }

        /// The first revealed row in row order, over every municipality and `all`.
        mutating func firstLeak() -> Target? {
            var first: Target?
            let order = audit.layout.rowOrder
            func consider(_ leak: Target?) {
                if let leak, first.map({ precedes(leak, $0, order) }) ?? true { first = leak }
            }
            for block in Array(dirty) + known.keys.filter({ !dirty.contains($0) }) {
                if block < 0 {
                    if dirty.contains(block) || known[block] == nil {
                        known[block] = (nil, audit.firstLeakOfAll(flags: flags, through: through))
                    }
                    consider(known[block]!.leak)
                    continue
                }
                let extras = self.extras(Int(block))
                if !dirty.contains(block), let cached = known[block], cached.extras == extras {
                    consider(cached.leak)
                    continue
                }
                let leak = audit.firstLeak(block: Int(block), flags: flags, extras: extras)
                known[block] = (extras, leak)
                consider(leak)
            }
            dirty = []
            return first
        }

        func precedes(_ a: Target, _ b: Target, _ order: [Int]) -> Bool {
            order[a.row] != order[b.row] ? order[a.row] < order[b.row] : a.kind < b.kind
        }

        /// The kind and new flags of that kind (after its per-kind audit) of the row chosen.
        func choose(for target: Target, perKind: inout DisclosureAudit) -> (Int, [Bool])? {
            let layout = audit.layout
            let isAll = target.row == layout.allRow
            func trial(_ row: Int, _ kind: Int) -> [Bool] {
                var kindFlags = flags[kind]
                kindFlags[row] = true
                return CrossKindAudit.perKindAudit(kindFlags, &perKind)
            }
            func closes(_ kind: Int, _ kindFlags: [Bool]) -> Bool {
                var flags = self.flags
                flags[kind] = kindFlags
                return !audit.revealed(target, flags: flags)
            }
            var candidates = audit.candidateKinds(for: target).filter { !flags[$0][target.row] }.map { (target.row, $0) }
            if !isAll {
                let kinds = audit.involvedKinds(for: target)
                let block = Int(layout.block[target.row])
                var rows = layout.blockRows[block].filter { $0 != target.row }.sorted {
                    layout.choiceRank[$0] < layout.choiceRank[$1]
                }
                if let all = layout.allRow { rows.append(all) }
                let constraining = through.constraints.keys.filter { $0 != block }.flatMap { layout.blockRows[$0] }
                rows += constraining.sorted { layout.choiceRank[$0] < layout.choiceRank[$1] }
                for row in rows { for kind in kinds where !flags[kind][row] { candidates.append((row, kind)) } }
            }
            for (row, kind) in candidates {
                let new = trial(row, kind)
                if closes(kind, new) { return (kind, new) }
            }
            guard let (row, kind) = candidates.first else { return nil }
            return (kind, trial(row, kind))
        }

        mutating func apply(kind: Int, flags kindFlags: [Bool]) {
            let layout = audit.layout
            for row in kindFlags.indices where kindFlags[row] != flags[kind][row] {
                dirty.insert(row == layout.allRow ? -1 : layout.block[row])
            }
            flags[kind] = kindFlags
            through = audit.through(flags)
            extrasMemo = [:]
            if let all = layout.allRow, flags.contains(where: { $0[all] }) { dirty.insert(-1) }
        }

        /// E_m, computed once per state of what `all` gives.
        mutating func extras(_ block: Int) -> [[Int]]? {
            let key = through.constraints[block] == nil ? -1 : block
            if let known = extrasMemo[key] { return known }
            let result = audit.extras(block, through)
            extrasMemo[key] = result
            return result
        }
    }

    /// The own group's kinds to try for a revealed row, in order.
    fileprivate func candidateKinds(for target: Target) -> [Int] {
        let s = structure
        let byN = { (kinds: [Int]) in
            kinds.sorted {
                counts[target.row][$0] != counts[target.row][$1] ? counts[target.row][$0] < counts[target.row][$1] : $0 < $1
            }
        }
        let allItems = s.items.flatMap { $0 }
        if target.kind == 0 { return byN(s.dimensions) + byN(allItems) }
        let d = s.dimensionOf[target.kind]
        let otherDimensions = byN(s.dimensions.filter { $0 != s.dimensions[d] })
        let otherItems = byN(allItems.filter { s.dimensionOf[$0] != d })
        if s.isItem[target.kind] {
            return byN(s.items[d].filter { $0 != target.kind }) + [s.dimensions[d], 0] + otherDimensions + otherItems
        }
        return byN(s.items[d]) + [0] + otherDimensions + otherItems
    }

    /// The kinds of the other rows to try, in kind order.
    fileprivate func involvedKinds(for target: Target) -> [Int] {
        let s = structure
        if target.kind == 0 { return [0] + s.dimensions }
        let d = s.dimensionOf[target.kind]
        var kinds = [0, s.dimensions[d]] + s.items[d]
        if !s.isItem[target.kind] { kinds += s.dimensions }
        return Array(Set(kinds)).sorted()
    }

    /// The first revealed row of `block` in row order.
    fileprivate func firstLeak(block: Int, flags: [[Bool]], extras: [[Int]]?) -> Target? {
        var space = Space(audit: self, block: block, flags: flags, extras: extras)
        for row in layout.blockRows[block].sorted(by: { layout.rowOrder[$0] < layout.rowOrder[$1] }) {
            for kind in 0..<structure.kindCount where isTarget(row: row, kind: kind, flags: flags) {
                if space.reveals(row: row, kind: kind) { return Target(row: row, kind: kind) }
            }
        }
        return nil
    }

    /// The first revealed row of the `all` row's kinds.
    fileprivate func firstLeakOfAll(flags: [[Bool]], through: Through) -> Target? {
        guard let all = layout.allRow else { return nil }
        for kind in 0..<structure.kindCount where isTarget(row: all, kind: kind, flags: flags) {
            if allRevealed(kind, flags: flags) { return Target(row: all, kind: kind) }
        }
        return nil
    }

    /// u_s ∈ U_all + ⋂_m C_m.
    fileprivate func allRevealed(_ kind: Int, flags: [[Bool]]) -> Bool {
        let through = self.through(flags, extraKind: kind)
        let width = structure.coordinates
        var meet: [[Int]]
        if through.constraints.isEmpty {
            return true  // every municipality row of that kind is published: their sum is `all`
        } else {
            var stacked: [[Int]] = []
            for (_, c) in through.constraints {
                guard let c, let cPerp = Orthogonal.complement(of: c, width: width) else { return true }
                stacked += cPerp
            }
            guard let m = Orthogonal.complement(of: stacked, width: width) else { return true }
            meet = m
        }
        return Orthogonal.spans(through.uAll + meet, structure.profiles[kind], width: width) ?? true
    }

    /// Whether `target` is revealed with `flags` (for the choice).
    fileprivate func revealed(_ target: Target, flags: [[Bool]]) -> Bool {
        if target.row == layout.allRow { return allRevealed(target.kind, flags: flags) }
        let block = Int(layout.block[target.row])
        var space = Space(audit: self, block: block, flags: flags, extras: extras(block, through(flags)))
        return space.reveals(row: target.row, kind: target.kind)
    }

    /// One municipality's rows, reduced modulo its item rows, kept while it is tested.
    ///
    /// When no published total row adds to its group's dimension rows (a total whose dimensions
    /// are all published is their sum) and E_m is the sum of its parts in each dimension, the
    /// dimensions are independent and each is reduced on its own: the published span is then the
    /// direct sum of the dimensions' spans, so a row is revealed exactly when its part in every
    /// dimension it covers is.
    struct Space {
        let audit: CrossKindAudit
        let block: Int
        let width: Int
        let flags: [[Bool]]
        /// E_m's basis (nil: unknown after an overflow, so every row counts as revealed).
        let extras: [[Int]]?
        /// Per kind: the published rows.
        let published: [[Int]]
        /// Per dimension (or -1: all coordinates together) its reduced rows.
        var components: [Int: Component] = [:]
        /// Whether the dimensions must be reduced together, and E_m's part in each dimension.
        var coupled: Bool?
        var localExtras: [[[Int]]] = []

        /// The item coordinates of one part, their item rows' bases, and the reduced rows.
        struct Component {
            var coordinates: [Int]
            var itemBases: [Basis?] = []
            var freeColumns: [[Int]] = []
            var reducedBasis: Basis?
            var overflowed = false
        }

        init(audit: CrossKindAudit, block: Int, flags: [[Bool]], extras: [[Int]]?) {
            self.audit = audit
            self.block = block
            self.flags = flags
            self.extras = extras
            width = audit.layout.blockCellCounts[block]
            let rows = audit.layout.blockRows[block]
            published = (0..<audit.structure.kindCount).map { kind in rows.filter { !flags[kind][$0] } }
        }

        func vector(_ row: Int) -> [Int] {
            var v = [Int](repeating: 0, count: width)
            for cell in audit.layout.cells[row] { v[Int(cell)] = 1 }
            return v
        }

        var total: [Int] { [Int](repeating: 1, count: width) }

        /// Whether 1_g lies in the sum of the spans of `kinds` (and of 1_m with `lift`).
        mutating func inSum(_ kinds: [Int], _ g: [Int], lift: Bool) -> Bool {
            var key = Array(Set(kinds.flatMap { published[$0] })).sorted()
            if lift { key.append(-1) }
            key.append(-2 - block)
            let basis: Basis
            if let known = audit.cache.sums[key] {
                basis = known
            } else {
                var new = Basis(width: width, rows: key.count)
                for (index, row) in key.dropLast().enumerated() { new.insert(row == -1 ? total : vector(row), as: index) }
                if audit.cache.sums.count > 512 { audit.cache.sums = [:] }
                audit.cache.sums[key] = new
                basis = new
            }
            return basis.overflowed || basis.representation(of: g) != nil
        }

        /// Whether E_m's vectors are not all zero on the profile `w` (they give the certificate
        /// weighting's municipality total then).
        func touches(_ w: [Int]) -> Bool {
            guard let extras else { return true }
            return extras.contains { e in zip(e, w).reduce(0) { $0 + $1.0 * $1.1 } != 0 }
        }

        func unit(_ f: Int) -> [Int] {
            var w = [Int](repeating: 0, count: audit.structure.coordinates)
            w[f] = 1
            return w
        }

        /// Whether the row of `kind` of `row` is revealed.
        mutating func reveals(row: Int, kind: Int) -> Bool {
            if extras == nil { return true }
            let s = audit.structure
            let g = vector(row)
            let coordinates = (0..<s.coordinates).filter { s.profiles[kind][$0] != 0 }
            // Cheap certificates (see the type's comment): a weighting z on one item coordinate f
            // of the row's profile, unseen by f's item rows, f's dimension rows and total rows.
            for f in coordinates {
                var kinds = [0, s.dimensions[s.coordinateDimension[f]]]
                if let item = s.coordinateKind[f] { kinds.append(item) }
                if !inSum(kinds, g, lift: touches(unit(f))) { return false }
            }
            // z on f (in the profile) and −z on f2 outside it, both unseen.
            if let f = coordinates.first {
                for f2 in 0..<s.coordinates where s.profiles[kind][f2] == 0 {
                    var kinds: [Int] = []
                    let (d, d2) = (s.coordinateDimension[f], s.coordinateDimension[f2])
                    if d != d2 { kinds += [s.dimensions[d], s.dimensions[d2]] }
                    if let item = s.coordinateKind[f] { kinds.append(item) }
                    if let item = s.coordinateKind[f2] { kinds.append(item) }
                    var w = unit(f)
                    w[f2] = -1
                    if !inSum(kinds, g, lift: touches(w)) { return false }
                }
            }
            return exact(g, profile: s.profiles[kind])
        }

        /// Decides whether the dimensions are independent (see the type's comment).
        mutating func decideCoupling() -> Bool {
            if let coupled { return coupled }
            let s = audit.structure
            var result = false
            // A published total whose group hides two dimensions or more ties them together;
            // with one hidden, the total less the published dimensions is that one's row.
            for row in published[0] where s.dimensions.filter({ flags[$0][row] }).count > 1 { result = true }
            if !result, let extras, !extras.isEmpty {
                var parts: [[[Int]]] = []
                var dimension = 0
                let stackedPerp = Orthogonal.complement(of: extras, width: s.coordinates)
                for d in s.dimensions.indices {
                    // E ∩ R^d: orthogonal to E⊥ and to every coordinate outside d.
                    var constraints = stackedPerp ?? []
                    for f in 0..<s.coordinates where s.coordinateDimension[f] != d { constraints.append(unit(f)) }
                    let part = stackedPerp == nil ? nil : Orthogonal.complement(of: constraints, width: s.coordinates)
                    guard let part else {
                        result = true
                        break
                    }
                    parts.append(part)
                    dimension += part.count
                }
                if !result && dimension != s.coordinates - (stackedPerp?.count ?? 0) { result = true }
                if !result { localExtras = parts }
            } else {
                localExtras = s.dimensions.map { _ in [] }
            }
            coupled = result
            return result
        }

        /// The exact test: the profile's reduction of 1_g in the span of the reduced rows.
        mutating func exact(_ g: [Int], profile: [Int]) -> Bool {
            let s = audit.structure
            if decideCoupling() { return exact(g, profile: profile, in: -1) }
            for d in s.dimensions.indices
            where (0..<s.coordinates).contains(where: { s.coordinateDimension[$0] == d && profile[$0] != 0 }) {
                if !exact(g, profile: profile, in: d) { return false }
            }
            return true
        }

        mutating func exact(_ g: [Int], profile: [Int], in part: Int) -> Bool {
            let component = prepared(part)
            if component.overflowed { return true }
            guard let target = reduced(g, profile: profile, component) else { return true }
            if !target.contains(where: { $0 != 0 }) { return true }
            return component.reducedBasis!.representation(of: target) != nil || component.reducedBasis!.overflowed
        }

        /// C_m: the profiles c with 1_m ⊗ c in the span of the block's rows (nil on overflow).
        mutating func completions() -> [[Int]]? {
            let component = prepared(-1)
            if component.overflowed { return nil }
            let s = audit.structure
            // ρ_f: coordinate f's reduction of 1_m, modulo the reduced rows, scaled by α_f.
            var columns: [[Int]] = []
            var alphas: [Int] = []
            for f in 0..<s.coordinates {
                guard let r = reduced(total, profile: unit(f), component),
                    let (alpha, rest) = component.reducedBasis!.remainder(of: r)
                else { return nil }
                columns.append(rest)
                alphas.append(alpha)
            }
            let height = columns.first?.count ?? 0
            let rows = (0..<height).map { p in columns.map { $0[p] } }
            guard let null = Orthogonal.complement(of: rows, width: s.coordinates) else { return nil }
            // The remainders are α_f times the true ones, so c_f = α_f·d_f.
            return null.map { d in zip(d, alphas).map { $0 * $1 } }
        }

        /// Part `part` (a dimension, or -1 for all coordinates): its item bases and reduced rows.
        mutating func prepared(_ part: Int) -> Component {
            if let known = components[part] { return known }
            let s = audit.structure
            // The key: the block, the part, the published rows of every kind in it, E's part.
            var key = [block, part]
            let kindsInPart =
                part < 0 ? Array(0..<s.kindCount) : [s.dimensions[part]] + s.items[part]
            for kind in kindsInPart {
                key.append(-1)
                key += published[kind]
            }
            let virtual = part < 0 ? [] : virtualRows(part)
            key.append(-3)
            key += virtual
            for e in (part < 0 ? extras : localExtras[part]) ?? [] {
                key.append(-2)
                key += e
            }
            if let known = audit.cache.components[key] {
                components[part] = known
                return known
            }
            defer {
                // Bounded: a national run tests thousands of municipalities one after another.
                if audit.cache.components.count > 512 { audit.cache.components = [:] }
                audit.cache.components[key] = components[part]
            }
            var component = Component(
                coordinates: (0..<s.coordinates).filter { part < 0 || s.coordinateDimension[$0] == part })
            for f in component.coordinates {
                if let kind = s.coordinateKind[f] {
                    var basis = Basis(width: width, rows: published[kind].count)
                    for (index, row) in published[kind].enumerated() { basis.insert(vector(row), as: index) }
                    if basis.overflowed { component.overflowed = true }
                    let pivots = Set(basis.pivotColumns)
                    component.freeColumns.append((0..<width).filter { !pivots.contains($0) })
                    component.itemBases.append(basis)
                } else {
                    component.freeColumns.append(Array(0..<width))
                    component.itemBases.append(nil)
                }
            }
            var rows: [[Int]] = []
            let kinds = part < 0 ? (0..<s.kindCount).filter { !s.isItem[$0] } : [s.dimensions[part]]
            for kind in kinds {
                for row in published[kind] {
                    guard let r = reduced(vector(row), profile: s.profiles[kind], component) else {
                        component.overflowed = true
                        break
                    }
                    rows.append(r)
                }
            }
            for row in virtual {
                guard let r = reduced(vector(row), profile: s.profiles[s.dimensions[part]], component) else {
                    component.overflowed = true
                    break
                }
                rows.append(r)
            }
            for e in (part < 0 ? extras : localExtras[part]) ?? [] {
                guard let r = reduced(total, profile: e, component) else {
                    component.overflowed = true
                    break
                }
                rows.append(r)
            }
            let reducedWidth = component.freeColumns.reduce(0) { $0 + $1.count }
            var basis = Basis(width: reducedWidth, rows: rows.count)
            for (index, r) in rows.enumerated() { basis.insert(r, as: index) }
            if basis.overflowed { component.overflowed = true }
            component.reducedBasis = basis
            components[part] = component
            return component
        }

        /// The groups whose total is published and whose only hidden dimension is `part`: the
        /// total less the other dimensions is that dimension's row.
        func virtualRows(_ part: Int) -> [Int] {
            let s = audit.structure
            return published[0].filter { row in
                flags[s.dimensions[part]][row] && s.dimensions.allSatisfy { $0 == s.dimensions[part] || !flags[$0][row] }
            }
        }

        /// Σ_f profile[f]·(1_g modulo B_f) on f's free columns, over a common denominator, for
        /// the component's coordinates.
        func reduced(_ g: [Int], profile: [Int], _ component: Component) -> [Int]? {
            var parts: [(alpha: Int, values: [Int])] = []
            var common = 1
            for (index, f) in component.coordinates.enumerated() {
                let columns = component.freeColumns[index]
                if profile[f] == 0 {
                    parts.append((1, [Int](repeating: 0, count: columns.count)))
                    continue
                }
                var alpha = 1
                var remainder = g
                if let basis = component.itemBases[index] {
                    guard let r = basis.remainder(of: g) else { return nil }
                    (alpha, remainder) = r
                }
                let (scaled, o) = (common / Basis.gcd(common, alpha)).multipliedReportingOverflow(by: abs(alpha))
                if o { return nil }
                common = scaled
                parts.append((alpha, columns.map { remainder[$0] * profile[f] }))
            }
            var out: [Int] = []
            for part in parts {
                let factor = common / part.alpha
                for v in part.values {
                    let (x, o) = v.multipliedReportingOverflow(by: factor)
                    if o { return nil }
                    out.append(x)
                }
            }
            return out
        }
    }
}
