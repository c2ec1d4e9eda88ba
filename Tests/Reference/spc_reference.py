#!/usr/bin/env python3
"""Independent reference for `kvalitet spc` (FORMAT.md §9) on random series.

Written from FORMAT.md §9 alone (not from the Swift code): numpy for the arithmetic, scipy's
binomial quantile for Anhøj's crossings limit. It makes random series of every chart type with
freeze, parts, excluded points, screening on and off, ties on the median, repeated x values and
--multiply, writes each series as a CSV (semicolons and decimal commas in some, as Norwegian
Excel writes them) and the expected points and summary rows.

    python3 Tests/Reference/spc_reference.py Tests/KvalitetTests/Resources/spc/random

Outputs: series-NN.csv, cases.csv (how each case is called), expected_points.csv,
expected_summary.csv. Seeded: the same files every run.
"""
import csv
import math
import os
import sys

import numpy as np
from scipy.stats import binom

CHARTS = ["run", "i", "mr", "c", "p", "pp", "u", "up"]
NEEDS_N = {"p", "pp", "u", "up"}


def median(values):
    return float(np.median(np.array(values, dtype=float))) if values else None


def mr_sigma(values, screen):
    """Mean moving range / 1.128, moving ranges >= 3.267 x their mean left out when screening."""
    if len(values) < 2:
        return None
    ranges = np.abs(np.diff(np.array(values, dtype=float)))
    if screen:
        ranges = ranges[ranges < 3.267 * ranges.mean()]
    if len(ranges) == 0:
        return None
    return float(ranges.mean()) / 1.128


def runs_figures(values, centre):
    signs = [1 if v > centre else -1 for v in values if v is not None and v != centre]
    useful = len(signs)
    longest, current, crossings = 0, 0, 0
    for k, s in enumerate(signs):
        if k > 0 and s != signs[k - 1]:
            crossings += 1
            current = 0
        current += 1
        longest = max(longest, current)
    if useful == 0:
        return useful, 0, 0, 0, 0
    longest_max = int(math.floor(math.log2(useful) + 3 + 0.5))  # R's round: no .5 ties here
    crossings_min = int(binom.ppf(0.05, useful - 1, 0.5))
    return useful, longest, longest_max, crossings, crossings_min


def chart(kind, xs, ys, ns, freeze=None, parts=(), exclude=(), screen=True, multiply=1.0):
    # Rows with the same x are added up, in the order x first appears.
    order, sums = [], {}
    for x, y, n in zip(xs, ys, ns):
        if x not in sums:
            order.append(x)
            sums[x] = [0.0, 0.0]
        sums[x][0] += y
        sums[x][1] += n if n is not None else 0.0
    points = [(x, sums[x][0], sums[x][1] if kind in NEEDS_N else None) for x in order]
    count = len(points)
    bounds = [0] + [k for k in sorted(parts) if 0 < k < count] + [count]
    if parts:
        freeze = None
    rows, summaries = [], []
    for part in range(len(bounds) - 1):
        lo, hi = bounds[part], bounds[part + 1]
        idx = list(range(lo, hi))
        included = [(i + 1) not in exclude for i in idx]
        baseline = [included[k] and (freeze is None or idx[k] < freeze) for k in range(len(idx))]
        if kind == "mr":
            values = [None] + [abs(points[i][1] - points[i - 1][1]) for i in idx[1:]]
        elif kind in NEEDS_N:
            values = [points[i][1] / points[i][2] for i in idx]
        else:
            values = [points[i][1] for i in idx]
        base_values = [values[k] for k in range(len(idx)) if baseline[k] and values[k] is not None]
        m = len(idx)
        cl = [None] * m
        lcl, ucl, lcl95, ucl95 = [None] * m, [None] * m, [None] * m, [None] * m

        def set_limits(k, centre, sigma, floor=None, ceiling=None):
            cl[k] = centre
            if centre is None or sigma is None:
                return
            lo3, hi3, lo2, hi2 = centre - 3 * sigma, centre + 3 * sigma, centre - 2 * sigma, centre + 2 * sigma
            if floor is not None:
                lo3, lo2 = max(floor, lo3), max(floor, lo2)
            if ceiling is not None:
                hi3, hi2 = min(ceiling, hi3), min(ceiling, hi2)
            lcl[k], ucl[k], lcl95[k], ucl95[k] = lo3, hi3, lo2, hi2

        if kind == "run":
            for k in range(m):
                cl[k] = median(base_values)
        elif kind == "i":
            centre = float(np.mean(base_values))
            sigma = mr_sigma(base_values, screen)
            for k in range(m):
                set_limits(k, centre, sigma)
        elif kind == "mr":
            centre = float(np.mean(base_values))
            for k in range(m):
                cl[k], lcl[k], ucl[k], lcl95[k], ucl95[k] = centre, 0.0, 3.267 * centre, 0.0, 2.178 * centre
        elif kind == "c":
            centre = float(np.mean(base_values))
            for k in range(m):
                set_limits(k, centre, math.sqrt(centre), floor=0.0)
        else:
            base_idx = [idx[k] for k in range(m) if baseline[k]]
            centre = sum(points[i][1] for i in base_idx) / sum(points[i][2] for i in base_idx)
            if kind in ("p", "pp"):
                sig = [math.sqrt(centre * (1 - centre) / points[i][2]) for i in idx]
            else:
                sig = [math.sqrt(centre / points[i][2]) for i in idx]
            factor = 1.0
            if kind in ("pp", "up"):
                z = [(values[k] - centre) / sig[k] for k in range(m) if baseline[k]]
                factor = mr_sigma(z, screen)
            for k in range(m):
                set_limits(k, centre, sig[k] * factor, floor=0.0, ceiling=1.0 if kind in ("p", "pp") else None)

        def scaled(v):
            return None if v is None else v * multiply

        signals = 0
        part_rows = []
        for k in range(m):
            v = scaled(values[k])
            lo3, hi3 = scaled(lcl[k]), scaled(ucl[k])
            signal = v is not None and ((hi3 is not None and v > hi3) or (lo3 is not None and v < lo3))
            signals += signal
            i = idx[k]
            part_rows.append({
                "part": part + 1, "index": i + 1, "x": points[i][0], "y": points[i][1], "n": points[i][2],
                "value": v, "cl": scaled(cl[k]), "lcl": lo3, "ucl": hi3, "lcl_95": scaled(lcl95[k]),
                "ucl_95": scaled(ucl95[k]), "included": included[k], "sigma_signal": signal,
            })
        ruled = [r for r in part_rows if r["included"]]
        centre = ruled[0]["cl"] if ruled else None
        useful, longest, longest_max, crossings, crossings_min = runs_figures([r["value"] for r in ruled], centre)
        runs_signal = kind != "mr" and useful > 0 and (longest > longest_max or crossings < crossings_min)
        summaries.append({
            "part": part + 1, "n_obs": len(ruled), "n_useful": useful, "longest_run": longest,
            "longest_run_max": longest_max, "crossings": crossings, "crossings_min": crossings_min,
            "runs_signal": runs_signal, "sigma_signals": signals,
        })
        rows += part_rows
    return rows, summaries


def text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(20261202)
    cases = []
    number = 0
    variants = [
        {},
        {"freeze": "half"},
        {"parts": "one"},
        {"parts": "two", "exclude": 2},
        {"exclude": 3},
        {"screen": False, "spike": True},
        {"spike": True},
        {"ties": True},
        {"multiply": 100.0, "duplicates": True},
    ]
    points_out, summary_out = [], []
    for kind in CHARTS:
        for variant in variants:
            number += 1
            count = int(rng.integers(12, 40))
            shift = count // 2 if rng.random() < 0.5 else None
            xs = [f"2024-{1 + k // 12:02d}-{1 + k % 12:02d}" if k % 3 else str(100 + k) for k in range(count)]
            if kind in ("run", "i", "mr"):
                ys = rng.normal(50, 6, count)
                if variant.get("ties"):
                    ys = rng.integers(3, 7, count).astype(float)
                ys = [round(float(v), 3) for v in ys]
                ns = [None] * count
            elif kind == "c":
                ys = [float(v) for v in rng.poisson(9 if not variant.get("ties") else 4, count)]
                ns = [None] * count
            else:
                ns = [float(v) for v in rng.integers(20, 400, count)]
                rate = 0.15 if kind in ("p", "pp") else 0.4
                ys = [float(rng.binomial(int(n), rate)) if kind in ("p", "pp") else float(rng.poisson(rate * n)) for n in ns]
                if kind in ("u", "up"):
                    ns = [n / 10 for n in ns]  # denominators that are not whole (days, meters)
            if shift is not None:
                for k in range(shift, count):
                    if kind in ("run", "i", "mr"):
                        ys[k] = round(ys[k] + 12, 3)
                    elif kind == "c":
                        ys[k] += 6
                    elif kind in ("p", "pp"):
                        ys[k] = min(ns[k], float(round(ys[k] * 1.6)))
                    else:
                        ys[k] = float(round(ys[k] * 1.6))
            if variant.get("spike"):
                k = int(rng.integers(1, count - 1))
                if kind in ("run", "i", "mr"):
                    ys[k] = round(ys[k] + 60, 3)
                elif kind == "c":
                    ys[k] += 25
                elif kind in ("p", "pp"):
                    ys[k] = min(ns[k], ys[k] + ns[k] * 0.3)
                else:
                    ys[k] += ns[k] * 2
            rows_x, rows_y, rows_n = list(xs), list(ys), list(ns)
            if variant.get("duplicates"):
                # Some points come as two rows (one per ward) that must be added up.
                for k in sorted(rng.choice(count, 4, replace=False), reverse=True):
                    part_y = math.floor(rows_y[k] / 2)
                    rows_y[k] -= part_y
                    rows_x.append(xs[k])
                    rows_y.append(float(part_y))
                    extra_n = None
                    if ns[k] is not None:
                        extra_n = ns[k] / 2
                        rows_n[k] = ns[k] - extra_n
                    rows_n.append(extra_n)
            freeze = count // 2 if variant.get("freeze") == "half" else None
            parts = []
            if variant.get("parts") == "one":
                parts = [count // 2]
            elif variant.get("parts") == "two":
                parts = [count // 3, 2 * count // 3]
            exclude = set()
            if variant.get("exclude"):
                exclude = set(int(v) + 1 for v in rng.choice(count, variant["exclude"], replace=False))
            screen = variant.get("screen", True)
            multiply = variant.get("multiply", 1.0)
            name = f"series-{number:02d}.csv"
            norwegian = number % 2 == 0
            with open(os.path.join(folder, name), "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, delimiter=";" if norwegian else ",")
                w.writerow(["periode", "teller", "nevner"])
                for x, y, n in zip(rows_x, rows_y, rows_n):
                    def cell(v):
                        if v is None:
                            return ""
                        s = repr(float(v))
                        if s.endswith(".0"):
                            s = s[:-2]
                        return s.replace(".", ",") if norwegian else s
                    w.writerow([x, cell(y), cell(n)])
            case = f"{kind}-{number:02d}"
            cases.append({
                "case": case, "file": name, "chart": kind, "freeze": freeze or "",
                "parts": " ".join(map(str, parts)), "exclude": " ".join(map(str, sorted(exclude))),
                "screen": "true" if screen else "false", "multiply": repr(multiply),
            })
            rows, summaries = chart(kind, rows_x, rows_y, rows_n, freeze, parts, exclude, screen, multiply)
            points_out += [{"case": case, **r} for r in rows]
            summary_out += [{"case": case, **s} for s in summaries]

    def write(name, rows):
        with open(os.path.join(folder, name), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(rows[0].keys())
            for r in rows:
                w.writerow([text(v) for v in r.values()])

    write("cases.csv", cases)
    write("expected_points.csv", points_out)
    write("expected_summary.csv", summary_out)
    print(f"{len(cases)} cases, {len(points_out)} points, {len(summary_out)} parts; "
          f"{sum(s['runs_signal'] for s in summary_out)} parts with a runs signal, "
          f"{sum(s['sigma_signals'] > 0 for s in summary_out)} with points outside the limits")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/KvalitetTests/Resources/spc/random")
