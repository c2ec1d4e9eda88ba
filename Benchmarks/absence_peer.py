#!/usr/bin/env python3
"""What an analyst would otherwise run on a sick-leave export: sums per unit and quarter and the
absence rate, with polars, written to CSV (kvalitet writes its rows to a file too).

Usage: absence_peer.py FILE.csv OUT.csv
"""
import sys

import polars as pl

path, out = sys.argv[1], sys.argv[2]
frame = pl.read_csv(path, separator=";", decimal_comma=True, infer_schema_length=10000)
frame = frame.with_columns(
    (pl.col("måned").str.slice(0, 4) + "-Q" + ((pl.col("måned").str.slice(5, 2).cast(pl.Int32) - 1) // 3 + 1).cast(pl.Utf8))
    .alias("kvartal"))
days = ["avtalte_dagsverk", "egenmeldte_dagsverk", "legemeldte_dagsverk"]
result = (frame.group_by(["kommune", "tjeneste", "avdeling", "kvartal"])
          .agg([pl.col(c).sum() for c in days] + [pl.col("ansatte").min()])
          .with_columns((100 * (pl.col("egenmeldte_dagsverk") + pl.col("legemeldte_dagsverk"))
                         / pl.col("avtalte_dagsverk")).alias("fravaer_pct")))
result.write_csv(out)
print(len(result), file=sys.stderr)
