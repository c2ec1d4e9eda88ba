#!/usr/bin/env python3
"""Makes SPSS data files (.sav, .zsav) of CSV response files with pyreadstat (ReadStat's Python
binding, a tool that is not kvalitet), the way survey tools export them:

- variable names as SPSS allows them: `-` becomes `_` (`trivsel-1` is `trivsel_1`);
- an item column whose cells are codes or "vet ikke" is numeric, "vet ikke" a user-missing code
  (99) labelled "vet ikke", an empty cell system-missing; a column with other texts in it (an
  invalid "x", "5,5") stays a string variable, as a tool does with a free-text field;
- the period is numeric (2024); in the employee sample the units are numeric codes with value
  labels (bryn = 1, …), as SPSS users code them.

    make_sav_fixtures.py        # run from the repository root; writes
      Samples/spss/*.sav                                    (from the samples' CSV files)
      Tests/KvalitetTests/Resources/reference/case-N.sav    (from case-N.csv; bytecode compressed)
      Tests/KvalitetTests/Resources/reference/case-N.zsav   (zlib compressed)
      Tests/KvalitetTests/Resources/spss/kinds.sav and kinds.expected.csv

kvalitet's scores of an SPSS file must be byte-identical to those of the CSV it was made from.
"""
import csv
import datetime
import re
import sys
from pathlib import Path

import pandas as pd
import pyreadstat

sys.path.insert(0, str(Path(__file__).parent))
from make_xlsx_fixtures import read_csv  # noqa: E402

DIGITS = re.compile(r"^-?[0-9]+$")
KEYS = {"respondent", "besvarelse", "respondent_id", "id", "municipality", "kommune", "service", "tjeneste",
        "unit", "enhet", "set", "skjema", "subproject", "delprosjekt", "status"}
PERIOD = {"period", "periode", "year", "år"}
DONT_KNOW = 99


def spss_name(name):
    return name.replace("-", "_").replace(" ", "_")


def frame_of(rows, coded_units=False):
    header, data = rows[0], rows[1:]
    columns, labels, missing = {}, {}, {}
    for index, name in enumerate(header):
        values = [row[index] if index < len(row) else "" for row in data]
        variable = spss_name(name)
        lower = name.lower()
        if lower in PERIOD and all(DIGITS.match(v) for v in values):
            columns[variable] = [float(v) for v in values]
        elif coded_units and lower in ("unit", "enhet"):
            codes = {unit: number for number, unit in enumerate(sorted(set(values)), start=1)}
            columns[variable] = [float(codes[v]) for v in values]
            labels[variable] = {float(number): unit for unit, number in codes.items()}
        elif lower in KEYS or lower in PERIOD or lower.startswith(("bg.", "bakgrunn.")):
            columns[variable] = values
        elif all(v == "" or DIGITS.match(v) or v.strip().lower() == "vet ikke" for v in values):
            columns[variable] = [
                None if v == "" else float(DONT_KNOW) if v.strip().lower() == "vet ikke" else float(v) for v in values]
            labels[variable] = {float(DONT_KNOW): "vet ikke"}
            missing[variable] = [DONT_KNOW]
        else:
            columns[variable] = values
    return pd.DataFrame(columns), labels, missing


def write(rows, path, compress=False, coded_units=False):
    frame, labels, missing = frame_of(rows, coded_units)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(
        frame, str(path), variable_value_labels=labels, missing_ranges=missing, compress=compress,
        row_compress=not compress)
    print(path)


def main():
    write(read_csv("Samples/sfo-foresatte-eksempelvik.csv"), "Samples/spss/sfo-foresatte-eksempelvik.sav")
    write(read_csv("Samples/medarbeidere-eksempelvik.csv"), "Samples/spss/medarbeidere-eksempelvik.sav",
          coded_units=True)

    reference = Path("Tests/KvalitetTests/Resources/reference")
    for path in sorted(reference.glob("case-*.csv")):
        if path.name.count(".") != 1 or "expected" in path.name:
            continue
        rows = read_csv(path)
        write(rows, path.with_suffix(".sav"), coded_units=True)
        write(rows, path.with_suffix(".zsav"), compress=True)

    # What SPSS files hold and CSV files do not: user-missing codes with and without a don't-know
    # label, system-missing, labelled keys and background codes, a date.
    folder = Path("Tests/KvalitetTests/Resources/spss")
    frame = pd.DataFrame({
        "respondent": ["r1", "r2", "r3", "r4"],
        "kommune": ["3024 Bærum"] * 4,
        "tjeneste": ["SFO"] * 4,
        "enhet": [1.0, 2.0, 1.0, 2.0],
        "periode": [2024.0] * 4,
        "skjema": ["sfo-foresatte"] * 4,
        "bg_alder": [1.0, 2.0, None, 1.0],
        "innsendt": [datetime.datetime(2024, 3, 1), datetime.datetime(2024, 3, 2, 12, 30), None,
                     datetime.datetime(2024, 3, 4)],
        "resultat_1": [5.0, 99.0, 98.0, None],
        "TRIVSEL_1": [4.0, 6.0, 97.0, 2.5],
    })
    folder.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(
        frame, str(folder / "kinds.sav"),
        variable_value_labels={
            "enhet": {1.0: "lia", 2.0: "bryn"}, "bg_alder": {1.0: "under 30", 2.0: "30-49"},
            "resultat_1": {99.0: "Vet ikke", 98.0: "Ikke aktuelt"}, "TRIVSEL_1": {97.0: "Nekter"}},
        missing_ranges={"resultat_1": [98, 99], "TRIVSEL_1": [97]},
        variable_format={"innsendt": "DATETIME20"})
    print(folder / "kinds.sav")
    expected = [
        ["respondent", "kommune", "tjeneste", "enhet", "periode", "skjema", "bg.alder", "innsendt", "resultat-1",
         "TRIVSEL-1"],
        ["r1", "3024 Bærum", "SFO", "lia", "2024", "sfo-foresatte", "under 30", "2024-03-01", "5", "4"],
        ["r2", "3024 Bærum", "SFO", "bryn", "2024", "sfo-foresatte", "30-49", "2024-03-02T12:30:00", "Vet ikke", "6"],
        ["r3", "3024 Bærum", "SFO", "lia", "2024", "sfo-foresatte", "", "", "", ""],
        ["r4", "3024 Bærum", "SFO", "bryn", "2024", "sfo-foresatte", "under 30", "2024-03-04", "", "2.5"],
    ]
    with open(folder / "kinds.expected.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(expected)
    print(folder / "kinds.expected.csv")


if __name__ == "__main__":
    main()
