/// Exact integer linear algebra the audit across kinds of row needs besides ``Basis``: the
/// orthogonal complement of a span, which turns intersections of spans into sums
/// (S ∩ T = (S⊥ + T⊥)⊥). Fraction-free reduced echelon form, each row divided by the gcd of its
/// entries after every step, so 0/1 membership vectors keep small entries; an entry that would
/// not fit in 64 bits makes the answer nil, and the caller then treats the row as revealed (which
/// can only suppress more).
enum Orthogonal {
    /// A basis of the integer vectors of length `width` orthogonal to every vector of `vectors`.
    static func complement(of vectors: [[Int]], width: Int) -> [[Int]]? {
        var m = vectors.filter { $0.contains { $0 != 0 } }
        var pivots: [Int] = []  // pivot column of row r, for the first pivots.count rows
        var rank = 0
        for column in 0..<width where rank < m.count {
            guard let p = (rank..<m.count).first(where: { m[$0][column] != 0 }) else { continue }
            m.swapAt(rank, p)
            let pivot = m[rank][column]
            for i in m.indices where i != rank && m[i][column] != 0 {
                let g = Basis.gcd(pivot, m[i][column])
                let (s, t) = (pivot / g, m[i][column] / g)
                for j in 0..<width where m[i][j] != 0 || m[rank][j] != 0 {
                    let (a, o1) = m[i][j].multipliedReportingOverflow(by: s)
                    let (b, o2) = m[rank][j].multipliedReportingOverflow(by: t)
                    let (d, o3) = a.subtractingReportingOverflow(b)
                    if o1 || o2 || o3 { return nil }
                    m[i][j] = d
                }
                normalise(&m[i])
            }
            pivots.append(column)
            rank += 1
        }
        let pivotSet = Set(pivots)
        var basis: [[Int]] = []
        for free in 0..<width where !pivotSet.contains(free) {
            // y[free] = L, y[pivot r] = −m[r][free]·L/m[r][pivot r], L the lcm of those pivots.
            var l = 1
            for r in 0..<rank where m[r][free] != 0 {
                let p = abs(m[r][pivots[r]])
                let (scaled, overflow) = (l / Basis.gcd(l, p)).multipliedReportingOverflow(by: p)
                if overflow { return nil }
                l = scaled
            }
            var y = [Int](repeating: 0, count: width)
            y[free] = l
            for r in 0..<rank where m[r][free] != 0 {
                let (v, overflow) = (l / m[r][pivots[r]]).multipliedReportingOverflow(by: -m[r][free])
                if overflow { return nil }
                y[pivots[r]] = v
            }
            normalise(&y)
            basis.append(y)
        }
        return basis
    }

    /// A basis of the intersection of the spans whose orthogonal complements are `complements`.
    static func intersection(ofComplements complements: [[Int]], width: Int) -> [[Int]]? {
        complement(of: complements, width: width)
    }

    /// Whether `target` lies in the span of `vectors`; nil on overflow.
    static func spans(_ vectors: [[Int]], _ target: [Int], width: Int) -> Bool? {
        var basis = Basis(width: width, rows: vectors.count)
        for (index, vector) in vectors.enumerated() { basis.insert(vector, as: index) }
        if basis.overflowed { return nil }
        return basis.representation(of: target) != nil
    }

    private static func normalise(_ v: inout [Int]) {
        var g = 0
        for x in v where x != 0 {
            g = g == 0 ? abs(x) : Basis.gcd(g, x)
            if g == 1 { return }
        }
        if g > 1 { for j in v.indices { v[j] /= g } }
    }
}
