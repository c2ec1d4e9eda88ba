#!/usr/bin/env python3
"""Compares two scores CSVs row by row: texts exactly, numbers to a tolerance (default 1e-9)."""
import csv
import sys


def main(a, b, tol=1e-9):
    ra, rb = list(csv.reader(open(a, encoding="utf-8"))), list(csv.reader(open(b, encoding="utf-8")))
    bad = 0
    if len(ra) != len(rb):
        print(f"row counts differ: {len(ra)} vs {len(rb)}")
        return 1
    worst = 0.0
    for i, (x, y) in enumerate(zip(ra, rb)):
        for j, (u, v) in enumerate(zip(x, y)):
            if u == v:
                continue
            try:
                d = abs(float(u) - float(v))
                worst = max(worst, d)
                if d <= tol * max(1.0, abs(float(u))):
                    continue
            except ValueError:
                pass
            bad += 1
            if bad < 10:
                print(f"row {i + 1} column {ra[0][j]}: {u!r} vs {v!r}")
    print(f"{len(ra) - 1} rows, {bad} differences, largest numeric difference {worst:.3g}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 1e-9))
