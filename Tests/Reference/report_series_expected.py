#!/usr/bin/env python3
"""The report's I charts of the dimensions across periods, computed independently.

Input: Tests/KvalitetTests/Resources/report/series/sfo-12-perioder.csv, made with
`kvalitet generate --set sfo-foresatte --responses 600 --units 3 --periods 2020-H1,…,2025-H2
--seed 11`, then every valid medvirkning answer below 6 raised by one from 2023-H2 on (a
shift the run rules should find). score_reference.py (FORMAT.md §2–§5, apart from the Swift
code) gives the municipality's published means per period and dimension; spc_reference.chart('i')
charts each dimension's means (shares × 100 for a share set; this one is a mean set).

    python3 Tests/Reference/report_series_expected.py > Tests/KvalitetTests/Resources/report/series/expected.json
"""
import csv
import io
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, here)
from spc_reference import chart  # noqa: E402

data = os.path.join(root, "Tests/KvalitetTests/Resources/report/series/sfo-12-perioder.csv")
scores = subprocess.run(
    [sys.executable, os.path.join(here, "score_reference.py"), "--set", os.path.join(root, "IndicatorSets/sfo-foresatte.yaml"), data],
    check=True, capture_output=True, text=True).stdout
rows = [r for r in csv.DictReader(io.StringIO(scores)) if r["level"] == "municipality" and r["item"] == ""]
by_dimension = {}
for r in rows:
    if r["suppressed"] == "false" and r["mean"]:
        by_dimension.setdefault(r["dimension"], []).append((r["period"], float(r["mean"])))
charts = []
for dimension, series in by_dimension.items():
    series.sort()
    points, summaries = chart("i", [p for p, _ in series], [m for _, m in series], [None] * len(series))
    charts.append({
        "dimension": dimension, "x": [p["x"] for p in points], "value": [p["value"] for p in points],
        "cl": points[0]["cl"], "lcl": points[0]["lcl"], "ucl": points[0]["ucl"],
        "runs_signal": summaries[0]["runs_signal"], "longest_run": summaries[0]["longest_run"],
        "crossings": summaries[0]["crossings"], "sigma_signals": summaries[0]["sigma_signals"],
    })
json.dump({"charts": charts}, sys.stdout, indent=1, ensure_ascii=False)
print()
