/// The audit of FORMAT.md §5: no suppressed row may be computed from the published ones.
///
/// The model (Docs/Suppression.md): every figure of a row that is a sum over respondents (`n`,
/// the sums behind means and standard deviations, counts per answer, "vet ikke", unanswered) is
/// the sum of that figure over the row's *cells*, the finest groups of its set and period
/// (municipality, service, unit, breakdown value). A row is therefore its 0/1 indicator vector
/// over the cells, and an attacker holding every published row of one kind (same set, period,
/// dimension, item) can compute exactly the linear combinations of their vectors. A suppressed
/// row is revealed exactly when its vector lies in the span of the published rows' vectors.
///
/// The test is exact: fraction-free Gaussian elimination over the integers (entries kept small
/// by dividing each row by its greatest common divisor), never a floating-point rank. Should an
/// entry ever overflow 64 bits, the row being tested is treated as revealed, which can only
/// suppress more.
///
/// Speed: every group except the `all` row lies inside one municipality, so the municipalities
/// are independent blocks and `all` is their sum. A vector of block m is in the span of the
/// published rows exactly when it is in the span of block m's published rows, or when `all` is
/// published, every other block's published rows span that block's total (the block is
/// "complete"), and it is in the span of block m's published rows and block m's total. `all`
/// itself is revealed when every block is complete. Blocks without suppressed rows are complete
/// and need no work; a block's answer is kept per pattern of suppressed rows, which most kinds
/// of one group share.
struct DisclosureAudit {
    /// The rows of one set and period, the same for every kind of row.
    struct Layout {
        /// Each row's cells, as indices into its block's cells (empty for the `all` row).
        var cells: [[Int32]]
        /// Each row's block (municipality), or -1 for the `all` row.
        var block: [Int32]
        /// The `all` row, if there is one.
        var allRow: Int?
        /// How many cells each block has.
        var blockCellCounts: [Int]
        /// Each block's rows, in row order.
        var blockRows: [[Int]]
        /// Which row to suppress first when several take part in revealing one: the smaller
        /// rank first (fewest respondents, then level order, then keys as text).
        var choiceRank: [Int]
        /// Each row's place in the output.
        var rowOrder: [Int]
    }

    let layout: Layout
    private var outcomes: [Int: [[Int32]: BlockOutcome]] = [:]

    init(layout: Layout) {
        self.layout = layout
    }

    /// What one block's published rows allow, for one pattern of suppressed rows in it.
    private struct BlockOutcome {
        /// Whether the published rows span the block's total, and the rows that do it.
        var complete: Bool
        var completeSupport: [Int]
        /// Per suppressed row: the published rows that compute it, if they do.
        var within: [Int: [Int]]
        /// Per suppressed row not computed within: the published rows that compute it together
        /// with the block's total (from `all` minus the other blocks), if they do.
        var withTotal: [Int: [Int]]
    }

    /// One way a suppressed row is revealed: the rows that take part. Within a municipality,
    /// they are the rows of its unique combination in the first basis of the block's published
    /// rows taken in row order; through `all`, those rows (with the block's total as the basis'
    /// last vector), the `all` row, and for every other municipality the rows that rebuild its
    /// total (its municipality row when that is published).
    struct Leak: Equatable {
        var row: Int
        var support: [Int]
    }

    /// The rows to suppress, starting from `suppressed` (FORMAT.md §5): while a suppressed row
    /// is revealed (the first in row order), one more row that takes part is suppressed. The
    /// rows that take part are those of the derivation found (see ``Leak``); among them, those
    /// without which the row would no longer be revealed come first; of these, the one with the
    /// smallest choice rank (fewest respondents, then level order, then keys) is chosen.
    ///
    /// Each municipality's answer is kept between rounds: a round changes one block (or `all`),
    /// so only that block is looked at again.
    mutating func audit(_ suppressed: Set<Int>) -> Set<Int> {
        var suppressed = suppressed
        guard !suppressed.isEmpty else { return suppressed }
        var (patterns, state, incomplete) = makeState(suppressed)
        let order = layout.rowOrder
        let rank = layout.choiceRank
        while true {
            let allPublished = layout.allRow.map { !suppressed.contains($0) } ?? false
            // The first revealed row in row order, and its derivation.
            var first: Leak?
            func consider(_ row: Int, _ support: @autoclosure () -> [Int]) {
                if first == nil || order[row] < order[first!.row] { first = Leak(row: row, support: support()) }
            }
            for (block, known) in state {
                for (row, support) in known.within { consider(row, support) }
                if allPublished, incomplete.isEmpty || incomplete == [block], let allRow = layout.allRow {
                    for (row, support) in known.withTotal {
                        consider(row, support + [allRow] + completion(state, except: block))
                    }
                }
            }
            if let allRow = layout.allRow, suppressed.contains(allRow), incomplete.isEmpty {
                consider(allRow, completion(state, except: -1))
            }
            guard let leak = first else { return suppressed }
            let support = leak.support.filter { !suppressed.contains($0) }.sorted { rank[$0] < rank[$1] }
            guard !support.isEmpty else { return suppressed }  // cannot happen: a leak has published support
            // The first row without which the leak closes, else the first of the derivation.
            let chosen =
                support.first { row in
                    !revealed(
                        leak.row, adding: row, suppressed: suppressed, patterns: patterns, state: state,
                        incomplete: incomplete)
                } ?? support[0]
            suppressed.insert(chosen)
            let block = layout.block[chosen]
            if block >= 0 {
                var pattern = patterns[block] ?? []
                pattern.insert(Int32(chosen), at: pattern.firstIndex { $0 > Int32(chosen) } ?? pattern.count)
                patterns[block] = pattern
                let known = outcome(block: Int(block), suppressed: pattern)
                state[block] = known
                if known.complete { incomplete.remove(block) } else { incomplete.insert(block) }
            }
        }
    }

    /// Each block's suppressed rows (sorted), its answer, and the blocks that are not complete.
    private mutating func makeState(
        _ suppressed: Set<Int>
    )
        -> (patterns: [Int32: [Int32]], state: [Int32: BlockOutcome], incomplete: Set<Int32>)
    {
        var patterns: [Int32: [Int32]] = [:]
        for row in suppressed where layout.block[row] >= 0 { patterns[layout.block[row], default: []].append(Int32(row)) }
        var state: [Int32: BlockOutcome] = [:]
        var incomplete: Set<Int32> = []
        for (block, rows) in patterns {
            let sorted = rows.sorted()
            patterns[block] = sorted
            let known = outcome(block: Int(block), suppressed: sorted)
            state[block] = known
            if !known.complete { incomplete.insert(block) }
        }
        return (patterns, state, incomplete)
    }

    /// How one suppressed row is computed from published ones: the sum of `terms` (rows of its
    /// municipality, each with a rational coefficient `numerator/denominator`), plus, when it
    /// goes through `all`, `total` times its municipality's total (= `all` minus every other
    /// municipality's total, each rebuilt from its published rows).
    struct Derivation: Equatable {
        struct Term: Equatable {
            var row: Int
            var numerator: Int
            var denominator: Int
        }
        var row: Int
        var terms: [Term]
        var total: Term?
    }

    /// Every suppressed row of `suppressed` that the other rows reveal, in row order, with one
    /// derivation each (for `kvalitet audit`).
    mutating func leaks(_ suppressed: Set<Int>) -> [Derivation] {
        guard !suppressed.isEmpty else { return [] }
        let (_, state, incomplete) = makeState(suppressed)
        let allPublished = layout.allRow.map { !suppressed.contains($0) } ?? false
        var found: [Derivation] = []
        for (block, known) in state {
            let published = layout.blockRows[Int(block)].filter { !suppressed.contains($0) }
            for row in known.within.keys {
                found.append(derive(row, block: Int(block), published: published, withTotal: false))
            }
            if allPublished, incomplete.isEmpty || incomplete == [block] {
                for row in known.withTotal.keys {
                    found.append(derive(row, block: Int(block), published: published, withTotal: true))
                }
            }
        }
        if let allRow = layout.allRow, suppressed.contains(allRow), incomplete.isEmpty {
            // `all` is the sum of the municipalities' totals.
            var terms: [Derivation.Term] = []
            for block in layout.blockRows.indices {
                let published = layout.blockRows[block].filter { !suppressed.contains($0) }
                terms += derive(nil, block: block, published: published, withTotal: false).terms
            }
            found.append(Derivation(row: allRow, terms: terms, total: nil))
        }
        return found.sorted { layout.rowOrder[$0.row] < layout.rowOrder[$1.row] }
    }

    /// The combination giving `row` (nil: the block's total) from the block's `published` rows.
    private func derive(_ row: Int?, block: Int, published: [Int], withTotal: Bool) -> Derivation {
        let width = layout.blockCellCounts[block]
        var basis = Basis(width: width, rows: published.count + 1)
        for (index, member) in published.enumerated() { basis.insert(Self.vector(layout.cells[member], width: width), as: index) }
        if withTotal { basis.insert([Int](repeating: 1, count: width), as: published.count) }
        let target = row.map { Self.vector(layout.cells[$0], width: width) } ?? [Int](repeating: 1, count: width)
        let (alpha, combination) = basis.combination(of: target) ?? (1, [])
        var derivation = Derivation(row: row ?? -1, terms: [], total: nil)
        for (index, coefficient) in combination.enumerated() where coefficient != 0 {
            let g = Basis.gcd(coefficient, alpha)
            let term = Derivation.Term(
                row: index < published.count ? published[index] : -1,
                numerator: coefficient / g * alpha.signum(), denominator: abs(alpha / g))
            if index < published.count { derivation.terms.append(term) } else { derivation.total = term }
        }
        return derivation
    }

    /// Rows rebuilding the totals of every block but `except` (see ``Leak``).
    private func completion(_ state: [Int32: BlockOutcome], except: Int32) -> [Int] {
        var support: [Int] = []
        for block in 0..<layout.blockRows.count where Int32(block) != except {
            if let known = state[Int32(block)] {
                support += known.completeSupport
            } else if let total = totalRow(block) {
                support.append(total)
            }
        }
        return support
    }

    /// Whether `row` stays revealed when `extra` is suppressed as well.
    private mutating func revealed(
        _ row: Int, adding extra: Int, suppressed: Set<Int>, patterns: [Int32: [Int32]],
        state: [Int32: BlockOutcome], incomplete: Set<Int32>
    ) -> Bool {
        func outcomeWith(_ block: Int32) -> BlockOutcome {
            var pattern = patterns[block] ?? []
            if layout.block[extra] == block {
                pattern.insert(Int32(extra), at: pattern.firstIndex { $0 > Int32(extra) } ?? pattern.count)
                return outcome(block: Int(block), suppressed: pattern)
            }
            return state[block] ?? outcome(block: Int(block), suppressed: pattern)
        }
        var incomplete = incomplete
        let extraBlock = layout.block[extra]
        if extraBlock >= 0 {
            if outcomeWith(extraBlock).complete { incomplete.remove(extraBlock) } else { incomplete.insert(extraBlock) }
        }
        let allPublished = layout.allRow.map { $0 != extra && !suppressed.contains($0) } ?? false
        if row == layout.allRow { return incomplete.isEmpty }
        let block = layout.block[row]
        let known = outcomeWith(block)
        if known.within[row] != nil { return true }
        return allPublished && known.withTotal[row] != nil && (incomplete.isEmpty || incomplete == [block])
    }

    /// Whether the published rows of `block` span its total when its rows `suppressed` (sorted)
    /// are suppressed (``CrossKindAudit`` asks, for the attacker's use of `all`).
    mutating func isComplete(block: Int, suppressed: [Int32]) -> Bool {
        suppressed.isEmpty || outcome(block: block, suppressed: suppressed).complete
    }

    /// A published-by-construction row of `block` holding all its cells (its municipality row),
    /// standing for the block's completeness when none of its rows is suppressed.
    private func totalRow(_ block: Int) -> Int? {
        layout.blockRows[block].first { layout.cells[$0].count == layout.blockCellCounts[block] }
    }

    /// The answer for `block` when its rows `suppressed` (sorted) are suppressed.
    private mutating func outcome(block: Int, suppressed: [Int32]) -> BlockOutcome {
        if let known = outcomes[block]?[suppressed] { return known }
        let width = layout.blockCellCounts[block]
        let hidden = Set(suppressed)
        let published = layout.blockRows[block].filter { !hidden.contains(Int32($0)) }
        var basis = Basis(width: width, rows: published.count + 1)
        for (index, row) in published.enumerated() {
            basis.insert(Self.vector(layout.cells[row], width: width), as: index)
        }
        let total = [Int](repeating: 1, count: width)
        var result = BlockOutcome(complete: false, completeSupport: [], within: [:], withTotal: [:])
        if let support = basis.representation(of: total) {
            result.complete = true
            result.completeSupport = support.filter { $0 < published.count }.map { published[$0] }
        }
        var pending: [Int] = []
        for row in suppressed.map(Int.init) {
            if let support = basis.representation(of: Self.vector(layout.cells[row], width: width)) {
                result.within[row] = support.filter { $0 < published.count }.map { published[$0] }
            } else {
                pending.append(row)
            }
        }
        if !pending.isEmpty && !result.complete {
            basis.insert(total, as: published.count)
            for row in pending {
                if let support = basis.representation(of: Self.vector(layout.cells[row], width: width)) {
                    result.withTotal[row] = support.filter { $0 < published.count }.map { published[$0] }
                }
            }
        }
        outcomes[block, default: [:]][suppressed] = result
        return result
    }

    private static func vector(_ cells: [Int32], width: Int) -> [Int] {
        var vector = [Int](repeating: 0, count: width)
        for cell in cells { vector[Int(cell)] = 1 }
        return vector
    }
}

/// Row echelon basis of integer vectors, each with the combination of inserted rows it is.
/// Fraction-free: a vector v reduced by basis vector b (pivot p) becomes b[p]·v − v[p]·b (each
/// divided by their gcd), then, when b[p] is not ±1, by the gcd of its entries and its
/// combination's; no rounding anywhere.
struct Basis {
    private let width: Int
    private let rows: Int
    private var vectors: [[Int]] = []
    private var combinations: [[Int]] = []
    private var pivots: [Int] = []
    /// Set when an entry would not fit in 64 bits: every test then answers "in the span".
    private(set) var overflowed = false

    init(width: Int, rows: Int) {
        self.width = width
        self.rows = rows
    }

    /// Adds `vector` (inserted row number `index`) unless it is in the span already.
    mutating func insert(_ vector: [Int], as index: Int) {
        var combination = [Int](repeating: 0, count: rows)
        combination[index] = 1
        var v = vector
        var alpha = 1
        guard reduce(&v, &combination, alpha: &alpha) else {
            overflowed = true
            return
        }
        guard let pivot = v.firstIndex(where: { $0 != 0 }) else { return }
        vectors.append(v)
        combinations.append(combination)
        pivots.append(pivot)
    }

    /// The inserted rows with a non-zero coefficient in one combination equal to `vector`, or
    /// nil when `vector` is not in the span.
    func representation(of vector: [Int]) -> [Int]? {
        var v = vector
        var combination = [Int](repeating: 0, count: rows)
        var alpha = 1
        // v stands for α·vector − Σ combination·rows; α does not matter for which rows take part.
        guard reduce(&v, &combination, alpha: &alpha, subtracting: true) else { return Array(0..<rows) }
        guard v.allSatisfy({ $0 == 0 }) else { return nil }
        return combination.indices.filter { combination[$0] != 0 }
    }

    /// α and the combination c with α·vector = Σ c·rows, or nil when `vector` is not in the span
    /// (or the arithmetic overflowed).
    func combination(of vector: [Int]) -> (alpha: Int, combination: [Int])? {
        var v = vector
        var combination = [Int](repeating: 0, count: rows)
        var alpha = 1
        guard reduce(&v, &combination, alpha: &alpha, subtracting: true), v.allSatisfy({ $0 == 0 }) else { return nil }
        return (alpha, combination)
    }

    /// α and the remainder r = α·vector − (a combination of the rows), zero at every pivot
    /// column; nil on overflow.
    func remainder(of vector: [Int]) -> (alpha: Int, remainder: [Int])? {
        var v = vector
        var combination = [Int](repeating: 0, count: rows)
        var alpha = 1
        guard reduce(&v, &combination, alpha: &alpha, subtracting: true) else { return nil }
        return (alpha, v)
    }

    /// The pivot columns, in insertion order.
    var pivotColumns: [Int] { pivots }

    /// Reduces `v` against the basis; false on overflow.
    private func reduce(_ v: inout [Int], _ combination: inout [Int], alpha: inout Int, subtracting: Bool = false) -> Bool {
        if overflowed { return false }
        for (b, pivot) in pivots.enumerated() where v[pivot] != 0 {
            let s = vectors[b][pivot]
            let t = v[pivot]
            let g = Self.gcd(s, t)
            let (s1, t1) = (s / g, t / g)
            for j in 0..<width where v[j] != 0 || vectors[b][j] != 0 {
                let (a, o1) = v[j].multipliedReportingOverflow(by: s1)
                let (c, o2) = vectors[b][j].multipliedReportingOverflow(by: t1)
                let (d, o3) = a.subtractingReportingOverflow(c)
                if o1 || o2 || o3 { return false }
                v[j] = d
            }
            // inserting: combination tracks v = Σ combination·rows, so it is reduced the same way;
            // testing: v = α·vector − Σ combination·rows, so the basis combination is added.
            for j in 0..<rows where combination[j] != 0 || combinations[b][j] != 0 {
                let (a, o1) = combination[j].multipliedReportingOverflow(by: s1)
                let (c, o2) = combinations[b][j].multipliedReportingOverflow(by: t1)
                let (d, o3) = subtracting ? a.addingReportingOverflow(c) : a.subtractingReportingOverflow(c)
                if o1 || o2 || o3 { return false }
                combination[j] = d
            }
            // Testing: α·vector = Σ combination·rows + v, so α is scaled and divided with them.
            var common = 0
            if subtracting {
                let (scaled, o4) = alpha.multipliedReportingOverflow(by: s1)
                if o4 { return false }
                alpha = scaled
                common = alpha
            }
            // Entries grow only when the pivot is not ±1 (most pivots of 0/1 rows are): then the
            // common factor is divided out.
            guard s1.magnitude > 1 else { continue }
            for x in v where x != 0 && common != 1 { common = Self.gcd(common, x) }
            for x in combination where x != 0 && common != 1 { common = Self.gcd(common, x) }
            if common > 1 {
                for j in v.indices { v[j] /= common }
                for j in combination.indices { combination[j] /= common }
                if subtracting { alpha /= common }
            }
        }
        return true
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a.magnitude, b.magnitude)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : Int(x)
    }
}
