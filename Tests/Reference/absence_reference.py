#!/usr/bin/env python3
"""An independent implementation of FORMAT.md §8 (`kvalitet absence --format csv`), written from
the format description, for checking the Swift code against.

It keeps every unit-month as a dict, sums with pandas-free plain Python over dictionaries, and
uses score_reference.py's exact Fraction audit (itself written independently of the Swift
code). The project's documented decisions where §8 is silent (Docs/Absence.md): a row's first
problem is reported (fields in §8's table order, then the sums); a row with every cell empty is
no row; header names compare ignoring case, with spaces and hyphens read as underscores;
`employees` "12,0" is the whole number 12; a quarter or year row is suppressed exactly when a
month row of the same group in it is (month rows get §5's rules and audit, units as cells).

Usage: absence_reference.py [--register R.yaml]... [--min-employees N] [--costs C.yaml]
                            [--rejects OUT.csv] INPUT... > absence.csv
"""
import argparse
import csv
import io
import re
import sys
from collections import defaultdict

import yaml

sys.path.insert(0, __import__("os").path.dirname(__file__))
from score_reference import audit  # noqa: E402  (the exact span audit of FORMAT.md §5)

FIELDS = [
    ("municipality", ["municipality", "kommune"], True),
    ("service", ["service", "tjeneste"], True),
    ("unit", ["unit", "enhet", "avdeling"], True),
    ("month", ["month", "måned", "periode", "period"], True),
    ("employees", ["employees", "ansatte"], True),
    ("possible_days", ["possible_days", "mulige_dagsverk", "avtalte_dagsverk"], True),
    ("self_certified_days", ["self_certified_days", "egenmeldte_dagsverk"], False),
    ("doctor_certified_days", ["doctor_certified_days", "legemeldte_dagsverk"], True),
    ("employer_period_days", ["employer_period_days", "dagsverk_i_arbeidsgiverperioden"], False),
    ("sick_child_days", ["sick_child_days", "sykt_barn_dagsverk"], False),
]
HEADER = ("level,municipality,service,unit,subproject,period,period_kind,employees,possible_days,"
          "self_certified_days,doctor_certified_days,absence_days,absence_pct,self_certified_pct,"
          "doctor_certified_pct,employer_period_days,sick_child_days,previous_absence_pct,change_pp,"
          "suppressed").split(",")
COST_HEADER = ["cost", "employer_cost", "saving_per_0_1_pp", "break_even_pp"]
LEVELS = ["all", "municipality", "service", "unit", "subproject"]
NUMBER = re.compile(r"^-?(?=.*[0-9])[0-9]*([.,][0-9]*)?$")
MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def decode(path):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    if text.startswith("\ufeff"):
        text = text[1:]
    line = 1
    if text.startswith("sep=") and len(text) > 4:
        delimiter = text[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        line = 2
    else:
        first = text.split("\n", 1)[0]
        delimiter = max([";", ",", "\t"], key=lambda d: first.count(d)) if any(d in first for d in ";,\t") else ","
    return text, delimiter, line


def number(text):
    if not NUMBER.match(text):
        return None
    return float(text.replace(",", "."))


def exceeds(value, limit):
    return value > limit + 1e-9 * max(1.0, limit)


def read_file(path, rejects):
    """The valid rows of one file as dicts with their line; problems appended to `rejects`."""
    text, delimiter, header_line = decode(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    while len(header) > 1 and header[-1].strip() == "":
        header.pop()
    columns = {}
    for i, name in enumerate(header):
        norm = name.strip().lower().replace(" ", "_").replace("-", "_")
        for field, names, _ in FIELDS:
            if norm in names:
                columns[field] = i
    for field, _, required in FIELDS:
        if required and field not in columns:
            raise SystemExit(f"{path}: no column {field}")
    out = []
    previous_end = reader.line_num + header_line - 1
    for row in reader:
        line = previous_end + 1
        previous_end = reader.line_num + header_line - 1
        if all(c.strip() == "" for c in row):
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            rejects.append((path, line, "", "", "", "field-count"))
            out.append(None)
            continue

        def cell(field):
            i = columns.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        problem = None
        values = {}
        for field, names, required in FIELDS:
            value = cell(field)
            if field in ("municipality", "service", "unit", "month"):
                if not value:
                    problem = (field, "missing")
                    break
                if field == "month":
                    m = MONTH.match(value)
                    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
                        problem = (field, "month")
                        break
                values[field] = value
                continue
            if not value:
                if required:
                    problem = (field, "missing")
                    break
                values[field] = None
                continue
            x = number(value)
            if x is None:
                problem = (field, "number")
                break
            if x < 0:
                problem = (field, "negative")
                break
            values[field] = x
        if problem is None:
            if values["employees"] != int(values["employees"]):
                problem = ("employees", "whole")
        if problem is None:
            values["self_certified_days"] = values["self_certified_days"] or 0.0
            absence = values["self_certified_days"] + values["doctor_certified_days"]
            if exceeds(absence, values["possible_days"]):
                problem = ("doctor_certified_days", "above")
            elif values["employer_period_days"] is not None and exceeds(values["employer_period_days"], absence):
                problem = ("employer_period_days", "above")
        if problem:
            field = problem[0]
            column = header[columns[field]] if field in columns else field
            rejects.append((path, line, "", column, cell(field), "invalid-absence"))
            out.append(None)
            continue
        values["employees"] = int(values["employees"])
        values["line"] = line
        out.append(values)
    return [r for r in out if r is not None]


def municipality_parts(text):
    t = text.strip()
    digits = ""
    for ch in t:
        if ch.isascii() and ch.isdigit():
            digits += ch
        else:
            break
    return (digits if len(digits) == 4 else None), t[len(digits):].strip().lower()


def same_municipality(a, b):
    if a == b:
        return True
    (na, ta), (nb, tb) = municipality_parts(a), municipality_parts(b)
    if na and nb:
        return na == nb
    return bool(ta) and ta == tb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--register", action="append", default=[])
    ap.add_argument("--min-employees", type=int, default=5)
    ap.add_argument("--costs")
    ap.add_argument("--rejects")
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    min_e = args.min_employees

    registers = [yaml.safe_load(open(r, encoding="utf-8")) for r in args.register]

    def subprojects_of(m, u):
        for reg in registers:
            if same_municipality(str(reg["municipality"]), m):
                return [sp["id"] for sp in reg.get("subprojects", []) or [] if u in sp["units"]]
        return []

    rejects = []
    cells = {}  # (m, s, u, month) -> values
    seen = set()
    for path in args.inputs:
        for r in read_file(path, rejects):
            key = (r["municipality"], r["unit"], r["month"])
            if key in seen:
                rejects.append((path, r["line"], "", "month", r["month"], "duplicate-unit-month"))
                continue
            seen.add(key)
            cells[(r["municipality"], r["service"], r["unit"], r["month"])] = r

    def groups_of(m, s, u):
        gs = [("all", "", "", "", "", "", ""), ("municipality", m, "", "", "", "", ""),
              ("service", m, s, "", "", "", ""), ("unit", m, s, u, "", "", "")]
        gs += [("subproject", m, "", "", sp, "", "") for sp in subprojects_of(m, u)]
        return gs

    def order_key(g):
        return (LEVELS.index(g[0]), [x.encode() for x in g[1:]])

    months = sorted({k[3] for k in cells})
    month_rows = {}  # month -> {group: figures}
    suppressed = {}  # (month, group) -> bool
    for month in months:
        unit_cells = sorted(k[:3] for k in cells if k[3] == month)
        members = defaultdict(list)
        for (m, s, u) in unit_cells:
            for g in groups_of(m, s, u):
                members[g].append((m, s, u))
        figures = {}
        for g, us in members.items():
            rs = [cells[(m, s, u, month)] for (m, s, u) in us]
            figures[g] = summed(rs)
        month_rows[month] = figures
        # FORMAT.md §5's rules with employees for respondents.
        count = {g: f["employees"] for g, f in figures.items()}
        primary = {g for g, c in count.items() if c < min_e}
        supp = set(primary)
        families = defaultdict(list)
        for g in figures:
            if g[0] == "unit":
                families[("service", g[1], g[2], "", "", "", "")].append(g)
            elif g[0] == "service":
                families[("municipality", g[1], "", "", "", "", "")].append(g)
            elif g[0] == "municipality":
                families[("all", "", "", "", "", "", "")].append(g)
        for parent, kids in families.items():
            if parent in primary:
                continue
            small = [k for k in kids if k in primary]
            others = [k for k in kids if k not in primary]
            if len(small) == 1 and others:
                supp.add(min(others, key=lambda k: (count[k], [x.encode() for x in k[1:]])))
        for g, us in members.items():
            if g[0] != "subproject" or g in supp:
                continue
            hidden = [x for x in us if ("unit", x[0], x[1], x[2], "", "", "") in supp]
            if len(hidden) == 1:
                supp.add(g)
        order = sorted(figures, key=order_key)
        index = {c: i for i, c in enumerate(unit_cells)}
        vectors = {}
        for g in order:
            v = [0] * len(unit_cells)
            for x in members[g]:
                v[index[x]] = 1
            vectors[g] = v
        rank = {g: i for i, g in enumerate(sorted(order, key=lambda g: (count[g], order.index(g))))}
        supp = audit(order, vectors, supp, rank)
        for g in figures:
            suppressed[(month, g)] = g in supp

    # Quarters and years: complete ones, suppressed when one of their months is.
    def quarter_of(month):
        y, mo = month.split("-")
        return f"{y}-Q{(int(mo) - 1) // 3 + 1}"

    period_rows = {}  # (kind, period) -> {group: figures}
    for kind, label, size in (("month", lambda x: x, 1), ("quarter", quarter_of, 3), ("year", lambda x: x[:4], 12)):
        periods = defaultdict(list)
        for month in months:
            periods[label(month)].append(month)
        for period in sorted(periods):
            if kind == "month":
                period_rows[(kind, period)] = {g: dict(f, suppressed=suppressed[(period, g)])
                                               for g, f in month_rows[period].items()}
                continue
            unit_months = defaultdict(int)
            for month in periods[period]:
                for k in cells:
                    if k[3] == month:
                        unit_months[k[:3]] += 1
            incomplete = set()
            for unit, n in unit_months.items():
                if n < size:
                    incomplete.update(groups_of(*unit))
            out = {}
            for g in {g for month in periods[period] for g in month_rows[month]}:
                if g in incomplete:
                    continue
                ms = [month for month in periods[period] if g in month_rows[month]]
                fs = [month_rows[month][g] for month in ms]
                f = summed_months(fs)
                f["suppressed"] = any(suppressed[(month, g)] for month in ms)
                out[g] = f
            if out:
                period_rows[(kind, period)] = out

    costs = yaml.safe_load(open(args.costs, encoding="utf-8")) if args.costs else None
    day_cost = None
    if costs:
        day_cost = (costs["annual_pay"] * (1 + costs["holiday_pay_pct"] / 100) * (1 + costs["pension_pct"] / 100)
                    * (1 + costs["employer_tax_pct"] / 100) / costs["days_per_year"])

    def earlier(kind, period):
        if kind == "month":
            return f"{int(period[:4]) - 1:04d}{period[4:]}"
        if kind == "quarter":
            return f"{int(period[:4]) - 1:04d}{period[4:]}"
        return f"{int(period) - 1:04d}"

    def pct(f):
        return 100 * (f["self"] + f["doctor"]) / f["possible"] if f["possible"] > 0 else None

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(HEADER + (COST_HEADER if costs else []))
    kinds = ["month", "quarter", "year"]
    for (kind, period) in sorted(period_rows, key=lambda kp: (kinds.index(kp[0]), kp[1])):
        rows = period_rows[(kind, period)]
        for g in sorted(rows, key=order_key):
            f = rows[g]
            keys = [g[0], g[1], g[2], g[3], g[4], period, kind, str(f["employees"])]
            if f["suppressed"]:
                w.writerow(keys + [""] * 11 + ["true"] + ([""] * 4 if costs else []))
                continue
            absence = f["self"] + f["doctor"]
            p = pct(f)
            prev = period_rows.get((kind, earlier(kind, period)), {}).get(g)
            prev_pct = pct(prev) if prev and not prev["suppressed"] else None
            change = p - prev_pct if p is not None and prev_pct is not None else None
            out = keys + [num(f["possible"]), num(f["self"]), num(f["doctor"]), num(absence), num(p),
                          num(100 * f["self"] / f["possible"] if f["possible"] > 0 else None),
                          num(100 * f["doctor"] / f["possible"] if f["possible"] > 0 else None),
                          num(f["employer"]), num(f["sick_child"]), num(prev_pct), num(change), "false"]
            if costs:
                saving = 0.001 * f["possible"] * day_cost
                be = None
                if g[0] == "municipality" and kind == "year" and costs.get("project_position") and saving > 0:
                    be = 0.1 * costs["project_position"] / saving
                employer = f["employer"] if f["employer"] is not None else absence
                out += [num(absence * day_cost), num(employer * day_cost), num(saving), num(be)]
            w.writerow(out)

    if args.rejects:
        with open(args.rejects, "w", encoding="utf-8", newline="") as fh:
            rw = csv.writer(fh, lineterminator="\n")
            rw.writerow(["file", "line", "respondent", "column", "value", "problem"])
            files = {path: i for i, path in enumerate(args.inputs)}
            for r in sorted(rejects, key=lambda r: (files[r[0]], r[1])):
                rw.writerow([r[0], r[1], r[2], r[3], r[4], r[5]])


def summed(rs):
    def opt(field):
        return None if any(r[field] is None for r in rs) else sum(r[field] for r in rs)
    return {"employees": sum(r["employees"] for r in rs), "possible": sum(r["possible_days"] for r in rs),
            "self": sum(r["self_certified_days"] for r in rs), "doctor": sum(r["doctor_certified_days"] for r in rs),
            "employer": opt("employer_period_days"), "sick_child": opt("sick_child_days")}


def summed_months(fs):
    def opt(field):
        return None if any(f[field] is None for f in fs) else sum(f[field] for f in fs)
    return {"employees": min(f["employees"] for f in fs), "possible": sum(f["possible"] for f in fs),
            "self": sum(f["self"] for f in fs), "doctor": sum(f["doctor"] for f in fs),
            "employer": opt("employer"), "sick_child": opt("sick_child")}


def num(x):
    return "" if x is None else repr(float(x))


if __name__ == "__main__":
    main()
