#!/usr/bin/env python3
"""The report's monthly sick-leave P′ charts of the samples, computed independently.

The month rows come from absence_reference.py (FORMAT.md §8 with its suppression, written apart
from the Swift code); each sub-project's and unit's published (not suppressed) months are charted
by spc_reference.chart('pp', …, multiply=100), y = absence_days and n = possible_days, with a new
part from the month of the sub-project's `start` in the register (a unit's: the earliest of its
sub-projects'). Groups with fewer than two published months get no chart.

    python3 Tests/Reference/report_spc_expected.py > Tests/KvalitetTests/Resources/report/samples-spc-expected.json
"""
import csv
import io
import json
import os
import subprocess
import sys

import yaml

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, here)
from spc_reference import chart  # noqa: E402

register_path = os.path.join(root, "Samples/register-eksempelvik.yaml")
absence = subprocess.run(
    [sys.executable, os.path.join(here, "absence_reference.py"), "--register", register_path,
     os.path.join(root, "Samples/fravaer/fravaer-eksempelvik.csv")],
    check=True, capture_output=True, text=True).stdout
rows = [r for r in csv.DictReader(io.StringIO(absence)) if r["period_kind"] == "month"]
register = yaml.safe_load(open(register_path, encoding="utf-8"))
starts, unit_starts = {}, {}
for sub in register.get("subprojects", []):
    if "start" in sub:
        starts[sub["id"]] = sub["start"]
        for unit in sub["units"]:
            unit_starts[unit] = min(sub["start"], unit_starts.get(unit, sub["start"]))

groups = {}
for r in rows:
    if r["level"] == "subproject":
        key = ("subproject", r["subproject"])
    elif r["level"] == "unit":
        key = ("unit", r["unit"])
    else:
        continue
    groups.setdefault(key, []).append(r)

charts = []
for (level, gid), group_rows in sorted(groups.items()):
    shown = [r for r in sorted(group_rows, key=lambda r: r["period"])
             if r["suppressed"] == "false" and r["absence_days"] and float(r["possible_days"]) > 0]
    if len(shown) < 2:
        charts.append({"level": level, "id": gid, "chart": False})
        continue
    start = starts.get(gid) if level == "subproject" else unit_starts.get(gid)
    parts = []
    if start:
        before = sum(1 for r in shown if r["period"] < start)
        if 0 < before < len(shown):
            parts = [before]
    points, summaries = chart("pp", [r["period"] for r in shown], [float(r["absence_days"]) for r in shown],
                              [float(r["possible_days"]) for r in shown], parts=parts, multiply=100.0)
    charts.append({
        "level": level, "id": gid, "chart": True, "hidden_months": len(group_rows) - len(shown),
        "x": [p["x"] for p in points], "value": [p["value"] for p in points],
        "cl": [p["cl"] for p in points], "lcl": [p["lcl"] for p in points], "ucl": [p["ucl"] for p in points],
        "sigma_signal": [p["sigma_signal"] for p in points],
        "parts": [{"n_useful": s["n_useful"], "longest_run": s["longest_run"], "crossings": s["crossings"],
                   "runs_signal": s["runs_signal"], "sigma_signals": s["sigma_signals"]} for s in summaries],
    })
json.dump({"charts": charts}, sys.stdout, indent=1, ensure_ascii=False)
print()
