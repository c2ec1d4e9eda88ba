#!/usr/bin/env python3
"""What users would otherwise run: per-unit mean, sd and n of every item of a kvalitet CSV, with
polars, DuckDB or pandas. Answers that are not numbers ("vet ikke", blanks, "x") become missing.

Usage: peers.py polars|duckdb|pandas FILE.csv
       peers.py pandas-xlsx|polars-xlsx FILE.xlsx     (read_excel with the calamine engine)
       peers.py pyreadstat FILE.sav                    (read_sav, then pandas)
"""
import sys

tool, path = sys.argv[1], sys.argv[2]
if not tool.endswith("xlsx") and tool != "pyreadstat":
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
    items = header[8:]

if tool == "polars":
    import polars as pl
    frame = pl.read_csv(path, infer_schema_length=0)  # everything as text, as kvalitet reads it
    numbers = [pl.col(c).str.strip_chars().cast(pl.Int64, strict=False).alias(c) for c in items]
    frame = frame.select([pl.col("municipality"), pl.col("unit")] + numbers)
    aggregates = [f(pl.col(c)).alias(f"{c}_{n}") for c in items
                  for n, f in (("mean", pl.Expr.mean), ("sd", pl.Expr.std), ("n", pl.Expr.count))]
    result = frame.group_by(["municipality", "unit"]).agg(aggregates)
elif tool == "duckdb":
    import duckdb
    selects = ", ".join(f"avg(TRY_CAST(trim(\"{c}\") AS INTEGER)), stddev_samp(TRY_CAST(trim(\"{c}\") AS INTEGER)), "
                        f"count(TRY_CAST(trim(\"{c}\") AS INTEGER))" for c in items)
    result = duckdb.sql(f"SELECT municipality, unit, {selects} FROM read_csv('{path}', all_varchar=true, header=true) "
                        "GROUP BY municipality, unit").fetchall()
elif tool == "pandas":
    import pandas as pd
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in items:
        frame[c] = pd.to_numeric(frame[c].str.strip(), errors="coerce")
    result = frame.groupby(["municipality", "unit"])[items].agg(["mean", "std", "count"])
elif tool == "pandas-xlsx":
    import pandas as pd
    frame = pd.read_excel(path, engine="calamine")
    items = list(frame.columns[8:])
    for c in items:
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    result = frame.groupby(["municipality", "unit"])[items].agg(["mean", "std", "count"])
elif tool == "polars-xlsx":
    import polars as pl
    frame = pl.read_excel(path, engine="calamine")
    items = frame.columns[8:]
    numbers = [pl.col(c).cast(pl.Float64, strict=False).alias(c) for c in items]
    frame = frame.select([pl.col("municipality"), pl.col("unit")] + numbers)
    aggregates = [f(pl.col(c)).alias(f"{c}_{n}") for c in items
                  for n, f in (("mean", pl.Expr.mean), ("sd", pl.Expr.std), ("n", pl.Expr.count))]
    result = frame.group_by(["municipality", "unit"]).agg(aggregates)
elif tool == "pyreadstat":
    import pyreadstat
    frame, meta = pyreadstat.read_sav(path, user_missing=False)
    items = list(frame.columns[8:])
    result = frame.groupby(["municipality", "unit"])[items].agg(["mean", "std", "count"])
else:
    sys.exit(f"unknown tool {tool}")
print(len(result), file=sys.stderr)
