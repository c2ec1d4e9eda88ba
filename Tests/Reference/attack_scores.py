#!/usr/bin/env python3
"""An independent attacker on a published scores CSV (FORMAT.md §5), for checking `kvalitet audit`.

With every row of the file and the registers (which units each sub-project holds), it lists each
suppressed row whose membership vector over the cells lies in the span of the published rows'
vectors of the same set, period, dimension and item: exact rank with Fractions over the whole
matrix of one kind (no blocks). Cells as `kvalitet audit` takes them from a file: each unit row's
unit, times every breakdown value its municipality has rows for.

Usage: attack_scores.py [--across-kinds MIN_N [--set SET.yaml]...] SCORES.csv [REGISTER.yaml]...
  > revealed.txt  (one row per line:
level|municipality|service|unit|subproject|breakdown|breakdown_value|period|set|dimension|item)

With --across-kinds it also attacks across kinds of row (cross_kind.py): the protected rows are
every suppressed item row, and every row of a group with fewer than MIN_N respondents (with a set
without item rows, every suppressed dimension row). A set's items come from its item rows, or
from --set for a set without item rows.
"""
import csv
import pathlib
import sys
from collections import defaultdict

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from score_reference import rank_of  # noqa: E402  (the same exact rank, one copy)
from cross_kind import Slice  # noqa: E402


def main():
    args = sys.argv[1:]
    across, set_items = None, {}
    while args and args[0].startswith("--"):
        if args[0] == "--across-kinds":
            across = int(args[1])
        elif args[0] == "--set":
            sdef = yaml.safe_load(open(args[1], encoding="utf-8"))
            set_items[sdef["id"]] = [(d["id"], it["id"]) for d in sdef["dimensions"] for it in d["items"]]
        args = args[2:]
    path, registers = args[0], args[1:]
    members = defaultdict(set)  # (municipality, subproject) -> unit ids
    for r in registers:
        reg = yaml.safe_load(open(r, encoding="utf-8"))
        for sp in reg.get("subprojects", []):
            members[(reg["municipality"].strip(), sp["id"])] |= set(sp["units"])
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    keycols = ["level", "municipality", "service", "unit", "subproject", "breakdown", "breakdown_value"]
    found = []
    for slice_key in sorted({(r["period"], r["set"]) for r in rows}):
        srows = [r for r in rows if (r["period"], r["set"]) == slice_key]
        values = defaultdict(set)
        for r in srows:
            if r["level"] == "municipality" and r["breakdown"]:
                values[r["municipality"]].add(r["breakdown_value"])
        units = sorted({(r["municipality"], r["service"], r["unit"]) for r in srows if r["level"] == "unit"})
        cells = [(m, s, u, v) for m, s, u in units for v in (sorted(values[m]) if values[m] else [""])]

        def vector(r):
            lv = r["level"]
            out = []
            for m, s, u, v in cells:
                if lv == "all":
                    hit = True
                elif lv == "municipality":
                    hit = m == r["municipality"] and (not r["breakdown"] or v == r["breakdown_value"])
                elif lv == "service":
                    hit = (m, s) == (r["municipality"], r["service"])
                elif lv == "unit":
                    hit = (m, s, u) == (r["municipality"], r["service"], r["unit"])
                else:
                    hit = m == r["municipality"] and u in members[(m, r["subproject"])]
                out.append(1 if hit else 0)
            return out

        kinds = defaultdict(list)
        for r in srows:
            if r["level"] == "subproject" and (r["municipality"], r["subproject"]) not in members:
                continue  # not auditable without its units
            kinds[(r["dimension"], r["item"])].append(r)
        for kind in sorted(kinds):
            published = [vector(r) for r in kinds[kind] if r["suppressed"] == "false"]
            base = rank_of(published)
            for r in kinds[kind]:
                if r["suppressed"] == "true" and rank_of(published + [vector(r)]) == base:
                    found.append("|".join([r[c] for c in keycols] + [slice_key[0], slice_key[1], kind[0], kind[1]]))
        if across is not None:
            found += across_kinds(srows, kinds, vector, keycols, slice_key, across, set_items)
    found = sorted(set(found))
    for line in sorted(found):
        print(line)


def across_kinds(srows, kinds, vector, keycols, slice_key, min_n, set_items):
    key = lambda r: tuple(r[c] for c in keycols)
    groups, vectors, respondents = [], {}, {}
    for r in [r for k in kinds for r in kinds[k]]:
        g = key(r)
        if g not in vectors:
            groups.append(g)
            vectors[g] = vector(r)
            respondents[g] = int(r["respondents"])
    items = [k for k in kinds if k[1]]
    if not items:
        items = set_items.get(slice_key[1], [])
    if not items:
        return []
    dims = []
    for d, _ in items:
        if d not in dims:
            dims.append(d)
    items = sorted(items, key=lambda k: dims.index(k[0]))
    present = [k for k in kinds]
    suppressed = {k: {key(r) for r in kinds[k] if r["suppressed"] == "true"} for k in present}
    has_items = any(k[1] for k in present)
    s = Slice(groups, vectors, present, items, suppressed)
    found = []
    for k in present:
        for r in kinds[k]:
            g = key(r)
            protected = bool(k[1]) or respondents[g] < min_n or (not has_items and bool(k[0]))
            if r["suppressed"] == "true" and protected and s.is_revealed(g, k):
                found.append("|".join(list(g) + [slice_key[0], slice_key[1], k[0], k[1]]))
    return found


if __name__ == "__main__":
    main()
