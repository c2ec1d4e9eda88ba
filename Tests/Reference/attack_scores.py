#!/usr/bin/env python3
"""An independent attacker on a published scores CSV (FORMAT.md §5), for checking `kvalitet audit`.

With every row of the file and the registers (which units each sub-project holds), it lists each
suppressed row whose membership vector over the cells lies in the span of the published rows'
vectors of the same set, period, dimension and item: exact rank with Fractions over the whole
matrix of one kind (no blocks). Cells as `kvalitet audit` takes them from a file: each unit row's
unit, times every breakdown value its municipality has rows for.

Usage: attack_scores.py SCORES.csv [REGISTER.yaml]...  > revealed.txt  (one row per line:
level|municipality|service|unit|subproject|breakdown|breakdown_value|period|set|dimension|item)
"""
import csv
import pathlib
import sys
from collections import defaultdict

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from score_reference import rank_of  # noqa: E402  (the same exact rank, one copy)


def main():
    path, registers = sys.argv[1], sys.argv[2:]
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
    for line in sorted(found):
        print(line)


if __name__ == "__main__":
    main()
