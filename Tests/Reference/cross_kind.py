"""The attacker across kinds of row (Docs/Suppression.md, "Across kinds of row"), independent of
kvalitet's CrossKindAudit: over the whole slice at once (no municipalities as blocks, `all` a
row like any other), in the space of (cell × item) coordinates.

A dimension row's "vet ikke", unanswered and positive answers are sums over its items, a total
row's over all items, so for those counts an item row (g, i) is the vector 1_g ⊗ e_i, a dimension
row 1_g ⊗ 1_d and a total row 1_g ⊗ 1. A protected row is revealed when its vector lies in the
span of the published rows' vectors.

The span test works modulo the item rows: the published item-i rows span a subspace B_i of item
i's coordinates; every vector is reduced modulo ⊕ B_i, and a protected row is revealed exactly
when its reduction lies in the span of the reduced dimension and total rows (the quotient map is
linear, and ⊕ B_i is part of the published span). The elimination is exact in the field of
integers modulo a prime, with two primes that must agree: a combination over the rationals
reduces to one modulo p unless p divides a denominator, a determinant of a 0/1 matrix far
smaller than 2^31 here; numpy keeps it fast enough for the reference datasets.
"""
import numpy as np

PRIMES = (2147483647, 2147483629)


def _echelon(rows, width, p):
    """Reduced row echelon form modulo p: (matrix, pivot columns)."""
    if not rows:
        return np.zeros((0, width), dtype=np.int64), []
    m = np.array(rows, dtype=np.int64) % p
    pivots, r = [], 0
    for c in range(width):
        if r == len(m):
            break
        nz = np.nonzero(m[r:, c])[0]
        if len(nz) == 0:
            continue
        k = r + nz[0]
        if k != r:
            m[[r, k]] = m[[k, r]]
        inv = pow(int(m[r, c]), p - 2, p)
        m[r] = (m[r] * inv) % p
        factors = m[:, c].copy()
        factors[r] = 0
        rows_to = np.nonzero(factors)[0]
        if len(rows_to):
            m[rows_to] = (m[rows_to] - (factors[rows_to, None] * m[r]) % p) % p
        pivots.append(c)
        r += 1
    return m[:r], pivots


def _reduce(v, basis, pivots, p):
    v = np.array(v, dtype=np.int64) % p
    for row, c in zip(basis, pivots):
        if v[c]:
            v = (v - (int(v[c]) * row) % p) % p
    return v


class Slice:
    """The published rows of one slice, with `is_revealed(group, kind)` for protected ones.

    `kinds` lists (dimension, item) keys: ("", "") the total, (d, "") a dimension, (d, i) an item
    row; `items` the slice's set's items as (dimension, item) in order (with or without item
    rows); `vectors[g]` the cell vector of group g; `suppressed[kind]` the suppressed groups."""

    def __init__(self, groups, vectors, kinds, items, suppressed):
        self.width = len(next(iter(vectors.values())))
        self.items = items
        self.vectors = vectors
        self.checks = []
        for p in PRIMES:
            item_bases = {}
            for d, i in items:
                if (d, i) in kinds:
                    rows = [vectors[g] for g in groups if g not in suppressed[(d, i)]]
                    item_bases[(d, i)] = _echelon(rows, self.width, p)
                else:
                    item_bases[(d, i)] = (np.zeros((0, self.width), dtype=np.int64), [])
            free = {}
            for key, (_, pivots) in item_bases.items():
                pivot_set = set(pivots)
                free[key] = [c for c in range(self.width) if c not in pivot_set]
            reduced_rows = []
            for kind in kinds:
                if kind[1]:
                    continue
                for g in groups:
                    if g not in suppressed[kind]:
                        reduced_rows.append(self._reduced(g, kind, item_bases, free, p))
            total_width = sum(len(f) for f in free.values())
            self.checks.append((p, item_bases, free, _echelon(reduced_rows, total_width, p)))

    def _covers(self, kind, item):
        d, i = kind
        return (not d) or (d == item[0] and (not i or i == item[1]))

    def _reduced(self, g, kind, item_bases, free, p):
        out = []
        for item in self.items:
            basis, pivots = item_bases[item]
            if self._covers(kind, item):
                rem = _reduce(self.vectors[g], basis, pivots, p)
                out.extend(int(rem[c]) for c in free[item])
            else:
                out.extend(0 for _ in free[item])
        return out

    def is_revealed(self, g, kind):
        answers = set()
        for p, item_bases, free, (m, pivots) in self.checks:
            r = _reduce(self._reduced(g, kind, item_bases, free, p), m, pivots, p)
            answers.add(not r.any())
        if len(answers) != 1:
            raise SystemExit(f"the primes disagree on {g} {kind}: enlarge them")
        return answers.pop()
