#!/usr/bin/env python3
"""An independent implementation of FORMAT.md §2–§5 (`kvalitet score --format csv`), written
from the format description alone, for checking the Swift code against.

It keeps every answer in lists and computes with numpy and scipy (t quantiles), the way an
analyst would, instead of the exact integer tallies of the Swift code. It also implements the
project's documented decisions where FORMAT.md is silent (Docs/Decisions.md): aborted
interviews are not registered for duplicate detection; a row naming another set is left out; a
sub-project holding exactly one suppressed unit is suppressed; the audit's choice of the extra
row to suppress (Docs/Suppression.md); the total averages the published dimension means only; register `invited` per period
applies to the sets of the unit's service; breakdown rows have no invited count.

Usage: score_reference.py --set SET.yaml [--register R.yaml]... [--breakdown NAME] [--min-n N]
                          INPUT... > scores.csv
"""
import argparse
import csv
import io
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from fractions import Fraction

import numpy as np
import yaml
from scipy import stats

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from cross_kind import Slice  # noqa: E402

ALIASES = {
    "respondent": ["respondent", "besvarelse", "respondent_id", "id"],
    "municipality": ["municipality", "kommune"],
    "service": ["service", "tjeneste"],
    "unit": ["unit", "enhet"],
    "period": ["period", "periode", "year", "år"],
    "set": ["set", "skjema"],
    "subproject": ["subproject", "delprosjekt"],
    "status": ["status"],
}
HEADER = ("level,municipality,service,unit,subproject,breakdown,breakdown_value,period,set,dimension,item,"
          "respondents,invited,response_rate,n,mean,sd,ci_low,ci_high,positive_share,dont_know,unanswered,"
          "suppressed").split(",")
LEVELS = ["all", "municipality", "service", "unit", "subproject"]


def read_csv(path):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=lambda d: first.count(d)) if any(d in first for d in ";,\t") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    out = []
    line = 2
    # csv.reader does not give line numbers; responses are compared by content, not line.
    for row in rows[1:]:
        if all(c.strip() == "" for c in row):
            continue
        rec = {"background": {}, "answers": {}}
        for name, value in zip(header, row + [""] * (len(header) - len(row))):
            low = name.lower()
            core = next((k for k, al in ALIASES.items() if low in al), None)
            if core:
                rec[core] = value
            elif low.startswith("bg."):
                rec["background"][name[3:]] = value
            elif low.startswith("bakgrunn."):
                rec["background"][name[9:]] = value
            else:
                rec["answers"][name] = value
        out.append(rec)
    return out


def read_xml(path):
    root = ET.parse(path).getroot()
    out, invited = [], {}
    for unit in root.findall("unit"):
        for resp in unit.findall("response"):
            rec = {"respondent": resp.get("id", ""), "status": resp.get("status", ""),
                   "set": root.get("set", ""), "municipality": root.get("municipality", ""),
                   "period": root.get("period", ""), "unit": unit.get("id", ""), "service": unit.get("service", ""),
                   "subproject": unit.get("subproject", ""), "invited": unit.get("invited"),
                   "background": {b.get("name"): (b.text or "") for b in resp.findall("background")},
                   "answers": {}}
            for a in resp.findall("answer"):
                rec["answers"].setdefault(a.get("item"), a.text or "")
            out.append(rec)
    return out


def set_rules(sdef):
    """The parts of a set definition the counting rules need."""
    smin, smax = sdef["scale"]["min"], sdef["scale"]["max"]
    dont_know = {str(s).strip().lower() for s in sdef["scale"].get("dont_know", [])}
    items = [(d["id"], it["id"], bool(it.get("reverse", False))) for d in sdef["dimensions"] for it in d["items"]]
    item_lower = {it.lower(): it for _, it, _ in items}
    return smin, smax, dont_know, items, item_lower


def counted_respondents(sdef, inputs, breakdown=None):
    """The counted respondents of FORMAT.md §2/§5 (and Docs/Decisions.md), each a dict with the
    key fields, the breakdown value "bg" and "cells": item id -> code, "dk" or "blank"."""
    smin, smax, dont_know, items, item_lower = set_rules(sdef)
    args = argparse.Namespace(inputs=inputs, breakdown=breakdown)
    respondents = []  # counted: dict with keys + per-item values
    seen = set()
    file_invited = {}
    named_sub = defaultdict(set)
    for path in args.inputs:
        recs = read_xml(path) if path.endswith(".xml") else read_csv(path)
        file_set = None
        for rec in recs:
            named = (rec.get("set") or "").strip()
            if file_set is None:
                file_set = named or sdef["id"]
            if named and named != file_set:
                continue
            f = {k: (rec.get(k) or "").strip() for k in ["respondent", "municipality", "service", "unit", "period"]}
            if any(v == "" for v in f.values()):
                continue
            status = (rec.get("status") or "").strip().lower()
            if status not in ("", "complete"):
                continue
            key = (f["period"], f["respondent"])
            if key in seen:
                continue
            seen.add(key)
            cells = {}
            for name, raw in rec["answers"].items():
                it = item_lower.get(name.strip().lower())
                if it is None or it in cells:
                    continue
                t = raw.strip()
                try:
                    code = int(t)
                except ValueError:
                    code = None
                if t == "":
                    cells[it] = "blank"
                elif code is not None and smin <= code <= smax:
                    cells[it] = code
                elif t.lower() in dont_know:
                    cells[it] = "dk"
                else:
                    cells[it] = "blank"  # invalid counts as unanswered
            if not any(isinstance(c, int) for c in cells.values()):
                continue
            bg = ""
            if args.breakdown:
                for name, v in rec["background"].items():
                    if name.strip().lower() == args.breakdown.lower():
                        bg = v.strip()
                        break
            f["bg"] = bg
            f["cells"] = cells
            sp = (rec.get("subproject") or "").strip()
            if sp:
                named_sub[(f["municipality"], f["unit"])].add(sp)
            inv = rec.get("invited")
            if inv is not None and inv.strip().isdigit():
                file_invited.setdefault((f["municipality"], f["unit"], f["period"]), int(inv.strip()))
            respondents.append(f)

    return respondents, file_invited, named_sub

def in_span(vectors, v):
    """Whether v lies in the span of `vectors`, by exact Gauss-Jordan elimination on Fractions
    over the whole matrix (no blocks, no integer tricks: independent of the Swift code)."""
    return rank_of(vectors + [v]) == rank_of(vectors)


def rank_of(vectors):
    rows = [[Fraction(x) for x in v] for v in vectors]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                f = rows[i][col] / rows[rank][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank])]
        rank += 1
    return rank


def combination(basis_rows, vectors, v):
    """The rows of the first basis (greedy, in the given order) of `basis_rows` with a non-zero
    coefficient in the unique combination equal to v, or None."""
    basis = []
    for r in basis_rows:
        if not basis or not in_span([vectors[b] for b in basis], vectors[r]):
            basis.append(r)
    if basis and not in_span([vectors[b] for b in basis], v):
        return None
    if not basis:
        return None if any(v) else []
    # Solve Σ c_b·basis_b = v exactly: least squares is not exact, so eliminate on the transpose.
    k, width = len(basis), len(v)
    m = [[Fraction(vectors[b][j]) for b in basis] + [Fraction(v[j])] for j in range(width)]
    piv_cols, r = [], 0
    for c in range(k):
        p = next((i for i in range(r, width) if m[i][c] != 0), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        m[r] = [x / m[r][c] for x in m[r]]
        for i in range(width):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        piv_cols.append(c)
        r += 1
    coef = {piv_cols[i]: m[i][k] for i in range(len(piv_cols))}
    return [basis[c] for c in range(k) if coef.get(c, 0) != 0]


def revealed(order, vectors, suppressed, g):
    published = [vectors[p] for p in order if p not in suppressed]
    return in_span(published, vectors[g])


def audit(order, vectors, suppressed, rank):
    """FORMAT.md §5's audit: while a suppressed row (the first in row order) lies in the span
    of the published rows, suppress one row taking part in its derivation (Docs/Suppression.md):
    the rows of its combination in the first basis of its municipality's published rows in row
    order (through `all`: with the municipality's total as the last vector, plus `all` and the
    rows rebuilding every other municipality's total); of these, first the rows without which
    it would not be revealed, fewest respondents first (ties: row order)."""
    suppressed = set(suppressed)
    while True:
        leak = next((g for g in order if g in suppressed and revealed(order, vectors, suppressed, g)), None)
        if leak is None:
            return suppressed
        support = derivation(order, vectors, suppressed, leak)
        support = sorted((r for r in support if r not in suppressed), key=lambda r: rank[r])
        essential = [r for r in support if not revealed(order, vectors, suppressed | {r}, leak)]
        suppressed.add((essential or support)[0])


def derivation(order, vectors, suppressed, g):
    municipalities = sorted({x[1] for x in order if x[0] != "all"}, key=lambda m: m.encode())

    def block(m):
        return [x for x in order if x[0] != "all" and x[1] == m and x not in suppressed]

    def total(m):
        members = [x for x in order if x[0] != "all" and x[1] == m]
        return [int(any(vectors[x][j] for x in members)) for j in range(len(vectors[order[0]]))]

    def completion(m):
        return combination(block(m), vectors, total(m)) or []

    if g[0] == "all":
        return [r for m in municipalities for r in completion(m)]
    rows = block(g[1])
    within = combination(rows, vectors, vectors[g])
    if within is not None:
        return within
    key = ("total", g[1])
    extended = dict(vectors)
    extended[key] = total(g[1])
    with_total = combination(rows + [key], extended, vectors[g]) or []
    return ([r for r in with_total if r != key] + [("all", "", "", "", "", "", "")]
            + [r for m in municipalities if m != g[1] for r in completion(m)])


def across_kinds(order, vectors, kinds, items, suppressed, n_of, is_primary, report_items, rank):
    """The audit across kinds of row (Docs/Suppression.md): while a protected row (every
    suppressed item row; every row of a group below min_n; without item rows, every suppressed
    dimension row) is revealed by the rows of all kinds together (cross_kind.Slice, the whole
    slice at once), the first in row order gets one more row suppressed: the first of its own
    group's published rows (sibling items by fewest n, its dimension, the total, the other
    dimensions by n, the other items by n) whose suppression, with that kind's audit run again,
    stops revealing it; else the first such row of its municipality's other rows (fewest
    respondents first) of the kinds involved (the total, its dimension and its items; for a
    dimension also the other dimensions; in kind order); else the first of those candidates."""
    suppressed = {k: set(v) for k, v in suppressed.items()}
    kind_index = {k: i for i, k in enumerate(kinds)}
    dims = [k for k in kinds if k[0] and not k[1]]
    item_kinds = [k for k in kinds if k[1]]
    total = ("", "")

    def protected(g, k):
        return g in suppressed[k] and (bool(k[1]) or is_primary(g) or (not report_items and bool(k[0])))

    def revealed(state, g, k):
        return Slice(order, vectors, kinds, items, state).is_revealed(g, k)

    while True:
        sl = Slice(order, vectors, kinds, items, suppressed)
        leak = next(((g, k) for g in order for k in kinds if protected(g, k) and sl.is_revealed(g, k)), None)
        if leak is None:
            return suppressed
        g, k = leak

        def by_n(ks):
            return sorted(ks, key=lambda x: (n_of(g, x), kind_index[x]))

        if k == total:
            own = by_n(dims) + by_n(item_kinds)
            involved = [total] + dims
        else:
            d = (k[0], "")
            mine = [x for x in item_kinds if x[0] == k[0]]
            rest = by_n([x for x in dims if x != d]) + by_n([x for x in item_kinds if x[0] != k[0]])
            if k[1]:
                own = by_n([x for x in mine if x != k]) + [d, total] + rest
                involved = [total, d] + mine
            else:
                own = by_n(mine) + [total] + rest
                involved = list(dict.fromkeys([total, d] + mine + dims))
            involved = sorted(involved, key=lambda x: kind_index[x])
        own = [(g, x) for x in own if g not in suppressed[x]]
        others = []
        if g[0] != "all":
            rows = sorted((x for x in order if x[0] != "all" and x[1] == g[1] and x != g), key=lambda x: rank[x])
            rows += [x for x in order if x[0] == "all"]
            # The other municipalities whose municipality row is hidden in a kind `all` publishes.
            all_row = [x for x in order if x[0] == "all"]
            published_all = [kd for kd in kinds if all_row and all_row[0] not in suppressed[kd]]
            hiding = {x[1] for x in order if x[0] == "municipality" and not x[5] and x[1] != g[1]
                      and any(x in suppressed[kd] for kd in published_all)}
            rows += sorted((x for x in order if x[0] != "all" and x[1] in hiding), key=lambda x: rank[x])
            others = [(x, kind) for x in rows for kind in involved if x not in suppressed[kind]]

        def trial(row, kind):
            state = dict(suppressed)
            state[kind] = audit(order, vectors, suppressed[kind] | {row}, rank)
            return state

        chosen = None
        for row, kind in own + others:
            state = trial(row, kind)
            if not revealed(state, g, k):
                chosen = state
                break
        if chosen is None:
            if not own and not others:
                return suppressed
            chosen = trial(*(own or others)[0])
        suppressed = chosen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", required=True)
    ap.add_argument("--register", action="append", default=[])
    ap.add_argument("--breakdown")
    ap.add_argument("--min-n", type=int)
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()

    sdef = yaml.safe_load(open(args.set, encoding="utf-8"))
    smin, smax = sdef["scale"]["min"], sdef["scale"]["max"]
    dont_know = {str(s).strip().lower() for s in sdef["scale"].get("dont_know", [])}
    scoring = sdef.get("scoring", "mean")
    positive = sdef.get("positive", smax - (smax - smin) // 4)
    min_n = args.min_n or sdef.get("min_n", 5)
    min_answered = Fraction(str(sdef.get("min_answered", 0.5)))
    report_items = sdef.get("report_items", True)
    dims = sdef["dimensions"]
    items = [(d["id"], it["id"], bool(it.get("reverse", False))) for d in dims for it in d["items"]]
    item_lower = {it.lower(): it for _, it, _ in items}

    def value(code, rev):
        if scoring == "share":
            return 1 if (code == positive) != rev else 0
        return smin + smax - code if rev else code

    def is_positive(v):
        return v == 1 if scoring == "share" else v >= positive

    registers = [yaml.safe_load(open(r, encoding="utf-8")) for r in args.register]
    reg_invited, reg_sub = {}, defaultdict(set)
    for reg in registers:
        m = reg["municipality"].strip()
        for u in reg.get("units", []):
            reg_invited[(m, u["id"])] = (u.get("service", ""), u.get("invited", {}) or {})
        for sp in reg.get("subprojects", []):
            for u in sp["units"]:
                reg_sub[(m, u)].add(sp["id"])

    respondents, file_invited, named_sub = counted_respondents(sdef, args.inputs, args.breakdown)

    def invited_of(m, u, period):
        if (m, u) in reg_invited:
            service, inv = reg_invited[(m, u)]
            by_set = inv.get(sdef["id"])
            if isinstance(by_set, dict):
                return by_set.get(period) if period in by_set else by_set.get(int(period)) if period.isdigit() else None
            if str(sdef.get("service", "")).lower() == str(service).lower() and sdef.get("service"):
                for k, v in inv.items():
                    if not isinstance(v, dict) and str(k) == period:
                        return v
        return file_invited.get((m, u, period))

    rows = []
    for period in sorted({r["period"] for r in respondents}):
        rs = [r for r in respondents if r["period"] == period]
        groups = defaultdict(list)
        for r in rs:
            m, s, u = r["municipality"], r["service"], r["unit"]
            groups[("all", "", "", "", "", "", "")].append(r)
            groups[("municipality", m, "", "", "", "", "")].append(r)
            groups[("service", m, s, "", "", "", "")].append(r)
            groups[("unit", m, s, u, "", "", "")].append(r)
            for sp in reg_sub[(m, u)] | named_sub[(m, u)]:
                groups[("subproject", m, "", "", sp, "", "")].append(r)
            if args.breakdown:
                groups[("municipality", m, "", "", "", args.breakdown, r["bg"])].append(r)

        count = {g: len(v) for g, v in groups.items()}
        # FORMAT.md §5: the `all` level is suppressed like any group and is the parent of the
        # municipalities for complementary suppression.
        primary = {g for g, c in count.items() if c < min_n}
        suppressed = set(primary)
        families = defaultdict(list)
        for g in groups:
            if g[0] == "unit":
                families[(("service", g[1], g[2], "", "", "", ""), "u")].append(g)
            elif g[0] == "service":
                families[(("municipality", g[1], "", "", "", "", ""), "s")].append(g)
            elif g[0] == "municipality" and g[5]:
                families[(("municipality", g[1], "", "", "", "", ""), "b")].append(g)
            elif g[0] == "municipality":
                families[(("all", "", "", "", "", "", ""), "m")].append(g)
        for (parent, _), kids in families.items():
            if parent in primary:
                continue
            small = [k for k in kids if k in primary]
            others = [k for k in kids if k not in primary]
            if len(small) == 1 and others:
                chosen = min(others, key=lambda k: (count[k], [x.encode() for x in k[1:]]))
                suppressed.add(chosen)
        for g, members in groups.items():
            if g[0] != "subproject" or g in suppressed:
                continue
            units = {(r["municipality"], r["service"], r["unit"]) for r in members}
            hidden = [x for x in units if ("unit", x[0], x[1], x[2], "", "", "") in suppressed]
            if len(hidden) == 1:
                suppressed.add(g)

        order = sorted(groups, key=lambda g: (LEVELS.index(g[0]), [x.encode() for x in g[1:]]))
        tq = {}

        def t975(df):
            if df not in tq:
                tq[df] = stats.t.ppf(0.975, df)
            return tq[df]

        def describe(vals):
            n = len(vals)
            if n == 0:
                return 0, None, None, None, None
            a = np.array(vals, dtype=float)
            mean = float(np.mean(a))
            if n < 2:
                return n, mean, None, None, None
            sd = float(np.std(a, ddof=1))
            half = float(t975(n - 1) * sd / np.sqrt(n))
            return n, mean, sd, mean - half, mean + half

        # Pass 1: every group's figures per row kind (total, then each dimension and its items).
        kinds = [("", "")]
        for d in dims:
            kinds.append((d["id"], ""))
            if report_items:
                kinds += [(d["id"], it["id"]) for it in d["items"]]
        figures = {}
        for g in order:
            members = groups[g]
            per_item = {}
            for d, it, rev in items:
                vals = [value(r["cells"][it], rev) for r in members if isinstance(r["cells"].get(it), int)]
                dk = sum(1 for r in members if r["cells"].get(it) == "dk")
                un = sum(1 for r in members if r["cells"].get(it, "blank") == "blank")
                per_item[it] = (vals, dk, un)
            fig, scored = {}, set()
            for d in dims:
                k = len(d["items"])
                scores = []
                for idx, r in enumerate(members):
                    vs = [value(r["cells"][it["id"]], it.get("reverse", False)) for it in d["items"]
                          if isinstance(r["cells"].get(it["id"]), int)]
                    if vs and Fraction(len(vs), k) >= min_answered:
                        scores.append(Fraction(sum(vs), len(vs)))
                        scored.add(idx)
                valid = [v for it in d["items"] for v in per_item[it["id"]][0]]
                pos = sum(1 for v in valid if is_positive(v)) / len(valid) if valid else None
                dk = sum(per_item[it["id"]][1] for it in d["items"])
                un = sum(per_item[it["id"]][2] for it in d["items"])
                fig[(d["id"], "")] = (*describe([float(x) for x in scores]), pos, dk, un)
                for it in d["items"]:
                    vals, dk, un = per_item[it["id"]]
                    pos = sum(1 for v in vals if is_positive(v)) / len(vals) if vals else None
                    fig[(d["id"], it["id"])] = (*describe(vals), pos, dk, un)
            allvals = [v for it in per_item.values() for v in it[0]]
            fig[("", "")] = (len(scored), None, None, None, None,
                             (sum(1 for v in allvals if is_positive(v)) / len(allvals)) if allvals else None,
                             sum(x[1] for x in per_item.values()), sum(x[2] for x in per_item.values()))
            figures[g] = fig

        # Pass 2: suppression per kind, then the audit (audit() below).
        cells = sorted({(r["municipality"], r["service"], r["unit"], r["bg"] if args.breakdown else "") for r in rs})
        cell_index = {c: i for i, c in enumerate(cells)}
        vectors = {}
        for g in order:
            v = [0] * len(cells)
            for r in groups[g]:
                v[cell_index[(r["municipality"], r["service"], r["unit"], r["bg"] if args.breakdown else "")]] = 1
            vectors[g] = v
        rank = {g: i for i, g in enumerate(sorted(order, key=lambda g: (count[g], order.index(g))))}
        row_suppressed = {}
        audited = {}
        for kind in kinds:
            start = frozenset(g for g in order if g in suppressed or figures[g][kind][0] < min_n)
            if start not in audited:
                audited[start] = audit(order, vectors, set(start), rank)
            row_suppressed[kind] = audited[start]
        if len(kinds) > 1:
            row_suppressed = across_kinds(
                order, vectors, kinds, [(d["id"], it["id"]) for d in dims for it in d["items"]], row_suppressed,
                lambda g, k: figures[g][k][0], lambda g: count[g] < min_n, report_items, rank)

        # Pass 3: the rows.
        for g in order:
            members = groups[g]
            n_resp = len(members)
            units = {(r["municipality"], r["unit"]) for r in members}
            inv = None
            if not g[5]:
                invited_figures = [invited_of(m, u, period) for m, u in units]
                if all(x is not None for x in invited_figures):
                    inv = sum(invited_figures)
            # Documented decision: the total averages only the published dimension means.
            dim_means = [figures[g][(d["id"], "")][1] for d in dims
                         if g not in row_suppressed[(d["id"], "")] and figures[g][(d["id"], "")][1] is not None]
            total = list(figures[g][("", "")])
            total[1] = (sum(dim_means) / len(dim_means)) if dim_means else None
            figures[g][("", "")] = tuple(total)
            for kind in kinds:
                row = [g[0], g[1], g[2], g[3], g[4], g[5], g[6], period, sdef["id"], kind[0], kind[1], n_resp,
                       inv, (n_resp / inv if inv else None)]
                if g in row_suppressed[kind]:
                    row += [None] * 8 + [True]
                else:
                    row += [*figures[g][kind], False]
                rows.append(row)

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(HEADER)
    for row in rows:
        w.writerow(["" if v is None else ("true" if v is True else "false" if v is False else repr(v) if isinstance(v, float) else v)
                    for v in row])


if __name__ == "__main__":
    main()
