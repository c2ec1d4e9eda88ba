#!/usr/bin/env python3
"""Writes Tests/KvalitetTests/Resources/report/samples-expected.json: what the report of the
samples must show, derived independently of kvalitet from the reference scores of the samples
(Resources/samples/*.expected.csv, written by score_reference.py) and the register.

Rules re-implemented here (Docs/Report.md): one decimal rounded half away from zero from the CSV's
text (Python's decimal ROUND_HALF_UP), percentages the same way, the latest period against the one
before with Welch's t test at 5% (scipy), units ranked by mean (ties by name, hidden units last by
name), goal status from the sub-project's dimension means up to the deadline.

Run with a Python that has scipy: python3 Tests/Reference/report_expected.py
"""
import csv
import json
import pathlib
import re
from decimal import Decimal, ROUND_HALF_UP

from scipy import stats

root = pathlib.Path(__file__).resolve().parent.parent.parent
resources = root / "Tests/KvalitetTests/Resources"
samples = {
    "sfo-foresatte": "sfo-foresatte-eksempelvik.csv.expected.csv",
    "sykehjem-parorende": "sykehjem-parorende-eksempelvik.xml.expected.csv",
    "medarbeidere": "medarbeidere-eksempelvik.csv.expected.csv",
}


def decimal(text):
    return str(Decimal(text).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")


def percent(text):
    return str((Decimal(text) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) + " %"


def text_key(s):
    return s.encode("utf-8")


# The register: unit names and goals (a small YAML subset, read by hand to stay independent).
register_text = (root / "Samples/register-eksempelvik.yaml").read_text(encoding="utf-8")
unit_names = dict(re.findall(r"- id: (\S+)\n\s+name: (.+)", register_text))
subprojects = re.findall(r'- id: (\S+)\n\s+name: "(.+)"\n\s+units: .*\n\s+goals:\n\s+- \{set: (\S+), dimension: (\S+), '
                         r'target: (\S+), by: "(\d+)", baseline: "(\d+)"\}', register_text)
municipality = re.search(r'municipality: "(.+)"', register_text).group(1)

sections = []
for set_id, name in samples.items():
    definition = (root / "IndicatorSets" / f"{set_id}.yaml").read_text(encoding="utf-8")
    found = re.search(r"^min_n: (\d+)", definition, re.M)
    min_n = int(found.group(1)) if found else 5  # FORMAT.md §1: min_n defaults to 5
    dimensions = re.findall(r"^  - id: (\S+)", definition, re.M)
    with open(resources / "samples" / name, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["breakdown"] == ""]

    def row(level, period, dimension="", item="", unit="", subproject=""):
        for r in rows:
            if (r["level"], r["period"], r["dimension"], r["item"], r["unit"], r["subproject"]) == (
                    level, period, dimension, item, unit, subproject):
                return r
        return None

    def hidden(r, total):
        if int(r["respondents"]) < min_n:
            return f"færre enn {min_n} svar"
        if total["suppressed"] == "true":
            return "skjult for å verne en mindre gruppe"
        return f"færre enn {min_n} svar"

    periods = sorted({r["period"] for r in rows if r["level"] == "municipality"}, key=text_key)
    current, previous = periods[-1], (periods[-2] if len(periods) > 1 else None)
    total = row("municipality", current)
    section = {"set": set_id, "period": current, "respondents": total["respondents"], "dimensions": [], "units": [],
               "goals": []}
    if total["invited"]:
        section["responseRate"] = f'{total["respondents"]} av {total["invited"]} ({percent(total["response_rate"])})'
    published = []
    for d in dimensions + [""]:
        now = row("municipality", current, d)
        before = row("municipality", previous, d) if previous else None
        expected = {"id": d, "n": now["n"], "mean": decimal(now["mean"]) if now["mean"] else "",
                    "interval": f'{decimal(now["ci_low"])}–{decimal(now["ci_high"])}' if now["ci_low"] else ""}
        if now["suppressed"] == "true":
            expected["hidden"] = hidden(now, total)
        if previous:
            expected["previous"] = decimal(before["mean"]) if before and before["mean"] else ""
            change = ""
            if d and now["sd"] and before and before["sd"]:
                t, p = stats.ttest_ind_from_stats(float(now["mean"]), float(now["sd"]), int(now["n"]),
                                                  float(before["mean"]), float(before["sd"]), int(before["n"]),
                                                  equal_var=False)
                change = ("▲ økt" if t > 0 else "▼ sank") if p < 0.05 else "–"
            expected["change"] = change
        section["dimensions"].append(expected)
        if d and now["mean"]:
            published.append((float(now["mean"]), d))
    if len(published) >= 2:
        section["strongest"] = max(published, key=lambda x: x[0])[1]  # first of ties: max keeps the first
        section["weakest"] = min(published, key=lambda x: x[0])[1]

    units = sorted({r["unit"] for r in rows if r["level"] == "unit" and r["period"] == current})
    for d in [""] + dimensions:
        shown, kept = [], []
        for u in units:
            r = row("unit", current, d, unit=u)
            unit_total = row("unit", current, unit=u)
            label = unit_names.get(u, u)
            if r["mean"]:
                shown.append((-float(r["mean"]), text_key(label), {"name": label, "mean": decimal(r["mean"])}))
            else:
                kept.append((text_key(label), {"name": label, "hidden": hidden(r, unit_total)}))
        section["units"].append({"dimension": d, "rows": [x[2] for x in sorted(shown)] + [x[1] for x in sorted(kept)]})

    for sp_id, sp_name, goal_set, dimension, target, by, baseline in subprojects:
        if goal_set != set_id:
            continue
        values = {}
        for r in rows:
            if r["level"] == "subproject" and r["subproject"] == sp_id and r["dimension"] == dimension and not r["item"]:
                values[r["period"]] = r
        measured = [p for p in sorted(values, key=text_key) if text_key(p) <= text_key(by)]
        latest = [p for p in measured if values[p]["mean"]]
        if by in values:
            status = "mangler data" if not values[by]["mean"] else (
                "nådd" if float(values[by]["mean"]) >= float(target) else "ikke nådd")
            shown_period = by if values[by]["mean"] else (latest[-1] if latest else None)
        elif latest:
            shown_period = latest[-1]
            status = "nådd" if float(values[shown_period]["mean"]) >= float(target) else "på vei"
        else:
            status, shown_period = "mangler data", None
        base = values.get(baseline)
        section["goals"].append({
            "subproject": sp_name, "target": decimal(target), "deadline": by, "status": status,
            "baseline": f'{decimal(base["mean"])} ({baseline})' if base and base["mean"] else None,
            "current": f'{decimal(values[shown_period]["mean"])} ({shown_period})' if shown_period else "–",
        })
    sections.append(section)

out = resources / "report/samples-expected.json"
out.write_text(json.dumps({"municipality": municipality, "sections": sections}, ensure_ascii=False, indent=1) + "\n",
               encoding="utf-8")
print("wrote", out.relative_to(root))
