#!/usr/bin/env python3
"""The report's series of the sub-projects and units across periods, computed independently.

Makes Tests/KvalitetTests/Resources/report/series/sfo-12-perioder-enheter.csv from
sfo-12-perioder.csv (see report_series_expected.py) by keeping only the first 3 responses of
enhet-3 in 2021-H1, 2022-H1 and 2023-H1, so that unit is hidden in three periods (and others
with it by complementary suppression and the audit). With register-12-perioder.yaml (three units,
two overlapping sub-projects) score_reference.py (FORMAT.md §2–§5, apart from the Swift code)
gives the published rows; then, as Docs/Report.md says, per sub-project and unit (sub-projects
first, each in order of name):

- with at least 10 periods whose total row is published: an I chart (spc_reference.chart('i'))
  per dimension of the published means;
- else a table: per dimension and the total, per period, the mean with one decimal (rounded half
  away from zero from the CSV's figure, decimal comma) and its interval "(low–high)", or
  "færre enn 5 svar" for a suppressed row of fewer than 5 respondents, "–" for another
  suppressed row or no row.

    python3 Tests/Reference/report_series_groups_expected.py \\
        > Tests/KvalitetTests/Resources/report/series/expected-groups.json
"""
import csv
import io
import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, here)
from spc_reference import chart  # noqa: E402

folder = os.path.join(root, "Tests/KvalitetTests/Resources/report/series")
source = os.path.join(folder, "sfo-12-perioder.csv")
data = os.path.join(folder, "sfo-12-perioder-enheter.csv")
register = os.path.join(folder, "register-12-perioder.yaml")

with open(source, newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = list(reader)
unit, period = header.index("unit"), header.index("period")
kept, seen = [], {}
for r in rows:
    if r[unit] == "enhet-3" and r[period] in ("2021-H1", "2022-H1", "2023-H1"):
        seen[r[period]] = seen.get(r[period], 0) + 1
        if seen[r[period]] > 3:
            continue
    kept.append(r)
with open(data, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    w.writerows(kept)

scores = subprocess.run(
    [sys.executable, os.path.join(here, "score_reference.py"), "--set", os.path.join(root, "IndicatorSets/sfo-foresatte.yaml"),
     "--register", register, data],
    check=True, capture_output=True, text=True).stdout
table = [r for r in csv.DictReader(io.StringIO(scores)) if r["item"] == "" and r["breakdown"] == ""]
periods = sorted({r["period"] for r in table})
dimensions = ["resultat", "trivsel", "brukermedvirkning", "respekt", "tilgjengelighet", "informasjon", "fysisk-miljo",
              "helhet", ""]

names = {"enhet-1": "Eik SFO", "enhet-2": "Bjørk SFO", "enhet-3": "Alm SFO", "p1": "Bedre informasjon",
         "p2": "Mer medvirkning"}


def one_decimal(text):
    return str(Decimal(text).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")


groups = []
for level, ids in (("subproject", ["p1", "p2"]), ("unit", ["enhet-1", "enhet-2", "enhet-3"])):
    for gid in sorted(ids, key=lambda i: names[i]):
        key = "subproject" if level == "subproject" else "unit"
        mine = {(r["period"], r["dimension"]): r for r in table if r["level"] == level and r[key] == gid}
        published = sum(1 for p in periods if (p, "") in mine and mine[(p, "")]["suppressed"] == "false")
        title = ("Delprosjekt " if level == "subproject" else "Enhet ") + names[gid]
        group = {"title": title, "published_periods": published}
        if published >= 10:
            group["charts"] = []
            for d in dimensions:
                series = [(p, float(mine[(p, d)]["mean"])) for p in periods
                          if (p, d) in mine and mine[(p, d)]["suppressed"] == "false" and mine[(p, d)]["mean"]]
                if len(series) < 2:
                    continue
                points, summaries = chart("i", [p for p, _ in series], [m for _, m in series], [None] * len(series))
                group["charts"].append({
                    "dimension": d, "x": [p["x"] for p in points], "value": [p["value"] for p in points],
                    "cl": points[0]["cl"], "lcl": points[0]["lcl"], "ucl": points[0]["ucl"],
                    "runs_signal": summaries[0]["runs_signal"], "longest_run": summaries[0]["longest_run"],
                    "crossings": summaries[0]["crossings"], "sigma_signals": summaries[0]["sigma_signals"],
                })
        else:
            cells = {}
            for d in dimensions:
                line = []
                for p in periods:
                    r = mine.get((p, d))
                    if r is None:
                        line.append("–")
                    elif r["suppressed"] == "true":
                        line.append("færre enn 5 svar" if int(r["respondents"]) < 5 else "–")
                    else:
                        text = one_decimal(r["mean"])
                        if r["ci_low"] and r["ci_high"]:
                            text += f" ({one_decimal(r['ci_low'])}–{one_decimal(r['ci_high'])})"
                        line.append(text)
                cells[d] = line
            group["periods"] = periods
            group["cells"] = cells
        groups.append(group)
json.dump({"groups": groups}, sys.stdout, indent=1, ensure_ascii=False)
print()
