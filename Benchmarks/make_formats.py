#!/usr/bin/env python3
"""The benchmark's CSV as an Excel workbook (openpyxl, write-only: streamed, shared strings none)
and as an SPSS file (pyreadstat, bytecode compressed), for Benchmarks/formats.sh. Answers that
are digits become numbers, as Excel and SPSS hold them; "vet ikke" is SPSS's user-missing 99.

Usage: make_formats.py FILE.csv OUT.xlsx OUT.sav
"""
import csv
import re
import sys

import openpyxl
import pandas as pd
import pyreadstat

source, xlsx, sav = sys.argv[1:4]
DIGITS = re.compile(r"^[0-9]+$")
with open(source, newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    header = next(rows)
    items = [i for i, name in enumerate(header) if i >= 8]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Svar")
    sheet.append(header)
    columns = {name: [] for name in header}
    for row in rows:
        cells = [int(v) if i in items and DIGITS.match(v) else (v or None) for i, v in enumerate(row)]
        sheet.append(cells)
        for i, name in enumerate(header):
            v = row[i]
            if i in items:
                columns[name].append(None if v == "" else 99.0 if v == "vet ikke" else float(v) if DIGITS.match(v) else None)
            else:
                columns[name].append(v)
    workbook.save(xlsx)
names = {name: name.replace("-", "_") for name in header}
frame = pd.DataFrame({names[k]: v for k, v in columns.items()})
items_sav = [names[header[i]] for i in items]
pyreadstat.write_sav(frame, sav, row_compress=True,
                     variable_value_labels={c: {99.0: "vet ikke"} for c in items_sav},
                     missing_ranges={c: [99] for c in items_sav})
