#!/usr/bin/env python3
"""Writes Tests/KvalitetTests/Resources/statistics/*.csv: Student t quantiles and regularized
incomplete beta values from scipy, for checking kvalitet's own implementations."""
import csv
import pathlib

from scipy import special, stats

out = pathlib.Path(__file__).resolve().parent.parent / "KvalitetTests/Resources/statistics"
out.mkdir(parents=True, exist_ok=True)
with open(out / "t-quantiles.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["df", "p", "quantile"])
    for df in [1, 2, 3, 4, 5, 7, 10, 15, 29, 30, 50, 99, 100, 250, 1000, 10000, 100000, 2.5, 0.5]:
        for p in [0.975, 0.95, 0.995, 0.9, 0.6, 0.025, 0.999]:
            w.writerow([repr(float(df)), repr(p), repr(float(stats.t.ppf(p, df)))])
with open(out / "incomplete-beta.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["x", "a", "b", "value"])
    for a, b in [(0.5, 0.5), (1, 1), (2, 3), (0.5, 10), (10, 0.5), (50, 0.5), (5, 50), (100, 200), (0.1, 0.1)]:
        for x in [1e-6, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999999]:
            w.writerow([repr(x), repr(float(a)), repr(float(b)), repr(float(special.betainc(a, b, x)))])
with open(out / "f-quantiles.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["d1", "d2", "p", "quantile"])
    for d1, d2 in [(1, 1), (2, 5), (4, 12), (11, 110), (29, 58), (73, 292), (199, 597), (999, 2997), (5, 1e5)]:
        for p in [0.025, 0.975, 0.5, 0.001, 0.999, 0.3]:
            w.writerow([repr(float(d1)), repr(float(d2)), repr(p), repr(float(stats.f.ppf(p, d1, d2)))])
print("wrote", out)
with open(out / "welch.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["mean1", "sd1", "n1", "mean2", "sd2", "n2", "t", "df", "p"])
    for m1, s1, n1, m2, s2, n2 in [(4.6, 0.8, 74, 4.5, 0.9, 80), (4.9, 0.6, 30, 4.4, 1.1, 25), (3.1, 0.5, 5, 3.9, 0.7, 6),
                                   (4.0, 1.0, 2, 4.0, 1.0, 2), (5.2, 0.3, 400, 5.15, 0.35, 380), (2.5, 1.2, 12, 4.5, 0.2, 3000)]:
        r = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
        v1, v2 = s1 * s1 / n1, s2 * s2 / n2
        df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        w.writerow([repr(m1), repr(s1), n1, repr(m2), repr(s2), n2, repr(float(r.statistic)), repr(df), repr(float(r.pvalue))])
print("wrote welch.csv")
