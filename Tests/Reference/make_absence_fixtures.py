#!/usr/bin/env python3
"""Makes the sick-leave reference fixtures in Tests/KvalitetTests/Resources/absence/.

Each case's structure is drawn at random from a seed, not designed by hand: municipalities,
services, units of random size (several below min_employees, so every suppression rule is
exercised), a seasonal absence level per unit, units that start late or miss a month (incomplete
quarters and years), optional columns present in some files only, overlapping sub-projects, bad
rows of every kind of FORMAT.md §8 and duplicates across files. The files are written in several
dialects (UTF-8 with `,` and `.`; Windows-1252 with `;`, decimal commas and Norwegian headers;
Excel's `sep=` line). The expected rows and rejects come from absence_reference.py, never from
kvalitet.

It also checks, independently of both implementations, the claim the suppression across periods
rests on (Docs/Absence.md): in every calendar year, no suppressed row of any period kind lies in
the span of the published rows' (unit, month) indicator vectors. The test is exact rank over the
prime field GF(2^31 − 1) (0/1 matrices: a rank over the rationals differs only if the prime
divides every maximal minor, which for these sizes does not happen).

Run from the repository root: python3 Tests/Reference/make_absence_fixtures.py
"""
import csv
import io
import math
import pathlib
import random
import subprocess
import sys

import numpy as np
import yaml

root = pathlib.Path(__file__).resolve().parent.parent.parent
out = root / "Tests/KvalitetTests/Resources/absence"
out.mkdir(parents=True, exist_ok=True)
reference = root / "Tests/Reference/absence_reference.py"
SEEDS = [3, 17, 29, 44, 58]
EN = ["municipality", "service", "unit", "month", "employees", "possible_days", "self_certified_days",
      "doctor_certified_days", "employer_period_days", "sick_child_days"]
NB = ["kommune", "tjeneste", "avdeling", "måned", "ansatte", "avtalte_dagsverk", "egenmeldte_dagsverk",
      "legemeldte_dagsverk", "dagsverk_i_arbeidsgiverperioden", "sykt_barn_dagsverk"]
SEASON = [1.35, 1.25, 1.1, 0.95, 0.9, 0.8, 0.55, 0.75, 0.95, 1.05, 1.15, 1.2]


def make_case(seed):
    rng = random.Random(seed)
    municipalities = [f"{1000 + rng.randint(0, 8999)} Kommune{m}" for m in range(rng.randint(1, 3))]
    services = ["Sykehjem", "Barnehage", "Hjemmetjeneste"][: rng.randint(1, 3)]
    first_year = rng.choice([2007, 2023, 2024])
    n_months = rng.randint(14, 26)
    months = [f"{first_year + (i // 12)}-{i % 12 + 1:02d}" for i in range(n_months)]
    units = []
    for m in municipalities:
        for s in services:
            for u in range(rng.randint(1, 5)):
                size = rng.choice([2, 3, 4, 5, 6, 8, 12, 20, 35])
                units.append({"m": m, "s": s, "id": f"{s[:3].lower()}-{u}", "size": size,
                              "level": rng.uniform(0.02, 0.14), "start": rng.choice([0, 0, 0, rng.randint(1, 8)]),
                              "gap": rng.choice([None, None, None, rng.randint(0, n_months - 1)])})
    rows = []
    for unit in units:
        for i, month in enumerate(months):
            if i < unit["start"] or i == unit["gap"]:
                continue
            employees = max(1, unit["size"] + rng.randint(-1, 1))
            possible = round(employees * rng.uniform(15, 21) * rng.uniform(0.6, 1.0), 2)
            rate = min(0.9, unit["level"] * SEASON[i % 12] * rng.uniform(0.6, 1.4))
            absence = possible * rate
            self_share = rng.uniform(0.1, 0.35)
            selfc = round(absence * self_share, 1)
            doctor = round(absence * (1 - self_share), 2)
            employer = round((selfc + doctor) * rng.uniform(0.3, 0.7), 2)
            sick_child = round(rng.uniform(0, 3), 1)
            rows.append([unit["m"], unit["s"], unit["id"], month, employees, possible, selfc, doctor, employer,
                         sick_child])
    rng.shuffle(rows)
    # Bad rows of every kind (each breaks one rule) and duplicates.
    bad = []
    template = list(rows[0])
    for field, value in [(0, ""), (3, "2024-13"), (3, "mars 2024"), (4, "12.5"), (4, ""), (5, "1 200"),
                         (5, "-3"), (7, "abc"), (6, "1,2.3"), (8, "-1")]:
        row = list(template)
        row[field] = value
        bad.append(row)
    row = list(template)
    row[7] = row[5]  # absence above possible days (self + doctor > possible)
    row[6] = 1
    bad.append(row)
    row = list(template)
    row[8] = row[6] + row[7] + 5  # employer period above the absence
    bad.append(row)
    duplicates = [list(r) for r in rng.sample(rows, 3)]

    # Split into files of different dialects; optional columns left out of one file.
    rng.shuffle(bad)
    third = len(rows) // 3
    parts = [rows[:third] + bad[:6], rows[third:2 * third] + bad[6:] + duplicates[:1], rows[2 * third:] + duplicates[1:]]
    dialects = ["utf8", "cp1252", "sep"]
    rng.shuffle(dialects)
    drop_optional = rng.randint(0, 2)
    names = []
    for index, (part, dialect) in enumerate(zip(parts, dialects)):
        header = list(NB if dialect == "cp1252" else EN)
        keep = list(range(10))
        if index == drop_optional:
            keep = [k for k in keep if k not in (8, 9)]
        if dialect == "utf8" and rng.random() < 0.5:
            keep = [k for k in keep if k != 6]  # no self-certified column: 0
            part = [r for r in part if not (isinstance(r[6], str))]
        buf = io.StringIO()
        delim = "," if dialect == "utf8" else ";"
        w = csv.writer(buf, delimiter=delim, lineterminator="\r\n" if dialect == "cp1252" else "\n")
        if dialect == "sep":
            buf.write("sep=;\n")
        w.writerow([header[k].upper() if dialect == "sep" and k == 5 else header[k] for k in keep])
        for r in part:
            cells = []
            for k in keep:
                v = r[k]
                if isinstance(v, float) and delim == ";":
                    v = repr(v).replace(".", ",")
                cells.append(v)
            w.writerow(cells)
        name = f"case-{seed}.{index}.csv"
        data = buf.getvalue().encode("cp1252" if dialect == "cp1252" else "utf-8")
        (out / name).write_bytes(data)
        names.append(name)

    register = {"municipality": municipalities[0], "units": [], "subprojects": []}
    own = [u for u in units if u["m"] == municipalities[0]]
    for u in own:
        register["units"].append({"id": u["id"], "name": f"{u['s']} {u['id']}", "service": u["s"]})
    for p in range(rng.randint(1, 3)):
        members = sorted({u["id"] for u in rng.sample(own, min(len(own), rng.randint(1, 3)))})
        goal_year = months[-1][:4]
        register["subprojects"].append({
            "id": f"delprosjekt-{p}", "name": f"Delprosjekt {p}", "units": members,
            "goals": [{"measure": "absence_pct", "target": round(rng.uniform(4, 9), 1), "by": f"{goal_year}-Q2",
                       "baseline": f"{months[0][:4]}-Q2"}]})
    (out / f"case-{seed}.register.yaml").write_text(yaml.safe_dump(register, allow_unicode=True, sort_keys=False),
                                                     encoding="utf-8")
    costs = {"annual_pay": rng.choice([520000, 560000, 610000]), "holiday_pay_pct": 12.0, "pension_pct": 18.0,
             "employer_tax_pct": 14.1, "days_per_year": 230, "project_position": 960000}
    (out / f"case-{seed}.costs.yaml").write_text(yaml.safe_dump(costs), encoding="utf-8")
    min_e = rng.choice([3, 5, 5, 7])
    (out / f"case-{seed}.args").write_text(f"{min_e}\n", encoding="utf-8")

    args = [sys.executable, str(reference), "--register", f"case-{seed}.register.yaml", "--min-employees", str(min_e),
            "--costs", f"case-{seed}.costs.yaml", "--rejects", f"case-{seed}.expected-rejects.csv"] + names
    expected = subprocess.run(args, cwd=out, check=True, capture_output=True, text=True).stdout
    (out / f"case-{seed}.expected.csv").write_text(expected, encoding="utf-8")
    check_span(expected, register, out, names)
    print(f"case {seed}: {len(expected.splitlines()) - 1} rows, min_employees {min_e}")


P = 2**31 - 1


def check_span(expected, register, folder, names):
    """No suppressed row of a year lies in the span of that year's published rows."""
    rows = list(csv.DictReader(io.StringIO(expected)))
    # Which units have data in which month: from the month rows of level unit.
    cells = sorted({(r["municipality"], r["service"], r["unit"], r["period"]) for r in rows
                    if r["level"] == "unit" and r["period_kind"] == "month"})
    members = {}
    for r in rows:
        if r["level"] == "unit" and r["period_kind"] == "month":
            members.setdefault(("month", r["period"]), []).append((r["municipality"], r["service"], r["unit"]))
    sub_units = {sp["id"]: set(sp["units"]) for sp in register["subprojects"]}

    def in_group(r, cell):
        m, s, u, month = cell
        if r["period_kind"] == "month" and month != r["period"]:
            return False
        if r["period_kind"] == "quarter" and (month[:4] != r["period"][:4] or (int(month[5:]) - 1) // 3 + 1 != int(r["period"][-1])):
            return False
        if r["period_kind"] == "year" and month[:4] != r["period"]:
            return False
        level = r["level"]
        if level == "all":
            return True
        if m != r["municipality"]:
            return False
        if level == "municipality":
            return True
        if level == "service":
            return s == r["service"]
        if level == "unit":
            return s == r["service"] and u == r["unit"]
        return u in sub_units.get(r["subproject"], set()) and m == register["municipality"]

    for year in sorted({c[3][:4] for c in cells}):
        year_cells = [c for c in cells if c[3][:4] == year]
        year_rows = [r for r in rows if r["period"][:4] == year]
        vectors = np.array([[1 if in_group(r, c) else 0 for c in year_cells] for r in year_rows], dtype=np.int64)
        published = vectors[[r["suppressed"] == "false" for r in year_rows]]
        basis = echelon(published)
        for r, v in zip(year_rows, vectors):
            if r["suppressed"] == "true" and reduces_to_zero(basis, v):
                raise SystemExit(f"suppressed row revealed: {r}")


def echelon(matrix):
    m = matrix.copy() % P
    pivots = []
    row = 0
    for col in range(m.shape[1]):
        nz = [i for i in range(row, m.shape[0]) if m[i, col] != 0]
        if not nz:
            continue
        m[[row, nz[0]]] = m[[nz[0], row]]
        inv = pow(int(m[row, col]), P - 2, P)
        m[row] = (m[row] * inv) % P
        for i in range(m.shape[0]):
            if i != row and m[i, col] != 0:
                m[i] = (m[i] - m[i, col] * m[row]) % P
        pivots.append((row, col))
        row += 1
        if row == m.shape[0]:
            break
    return [(m[r].copy(), c) for r, c in pivots]


def reduces_to_zero(basis, vector):
    v = vector.copy() % P
    for b, col in basis:
        if v[col] != 0:
            v = (v - v[col] * b) % P
    return not v.any()


if __name__ == "__main__":
    for seed in SEEDS:
        make_case(seed)
