#!/usr/bin/env python3
"""Checks a workbook kvalitet wrote (--format xlsx) against the CSV of the same run, with tools
that are not kvalitet's: openpyxl reads every cell, LibreOffice (headless) opens the file and
saves it as CSV.

    check_workbook.py WORKBOOK.xlsx SAME.csv [--soffice PATH]

- openpyxl: the first sheet's header row is the CSV's; every cell is the CSV's: an empty CSV
  cell is an empty cell, a number is a numeric cell holding exactly the same double (never a
  text), true/false are booleans, texts are the same text; numbers show one decimal (`0.0`),
  counts none (`0`); the header row is frozen and filtered over every row. No warnings. A scores
  workbook's second sheet, "Oversikt", holds the same rows for people: the same figures (exact
  doubles, empty where the CSV's are), shares as percentages, a suppressed row's reason in words.
- LibreOffice: converts the workbook to CSV without an error, and that CSV has the same cells
  (numbers to LibreOffice's 15 significant digits, booleans as TRUE/FALSE).

Prints "ok: N rows" and exits 0, or prints each difference and exits 1.
"""
import csv
import math
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter


# The columns that hold texts in every output (FORMAT.md §5, §6, §8), even when they look like
# numbers (a period 2024, a unit id 101).
TEXT_COLUMNS = {
    "level", "municipality", "service", "unit", "subproject", "breakdown", "breakdown_value", "period", "set",
    "dimension", "item", "flags", "period_kind",
}


def is_number(text):
    try:
        float(text)
        return text not in ("", "nan", "inf", "-inf") and not text.startswith(("+",))
    except ValueError:
        return False


def check_openpyxl(workbook_path, rows, problems):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        workbook = openpyxl.load_workbook(workbook_path)
    if "positive_share" in rows[0]:  # a scores workbook
        check_overview(workbook, rows, problems)
    elif "absence_pct" in rows[0]:
        check_absence_overview(workbook, rows, problems)
    sheet = workbook.worksheets[0]
    if sheet.freeze_panes != "A2":
        problems.append(f"header not frozen (freeze_panes {sheet.freeze_panes})")
    expected_filter = f"A1:{get_column_letter(len(rows[0]))}{len(rows)}"
    if sheet.auto_filter.ref != expected_filter:
        problems.append(f"auto-filter {sheet.auto_filter.ref}, expected {expected_filter}")
    if sheet.max_row != len(rows):
        problems.append(f"{sheet.max_row} rows, the CSV has {len(rows)}")
    for r, (cells, expected) in enumerate(zip(sheet.iter_rows(), rows), start=1):
        if len(expected) != len(rows[0]):
            problems.append(f"CSV row {r} has {len(expected)} fields")
        for c, text in enumerate(expected):
            cell = cells[c] if c < len(cells) else None
            value = cell.value if cell is not None else None
            where = f"row {r}, column {c + 1} ({rows[0][c]})"
            if r == 1:
                if value != text:
                    problems.append(f"header {where}: {value!r}, expected {text!r}")
                continue
            if text == "":
                if value is not None:
                    problems.append(f"{where}: {value!r}, expected an empty cell")
            elif rows[0][c] in TEXT_COLUMNS:
                if value != text:
                    problems.append(f"{where}: {value!r}, expected the text {text!r}")
            elif text in ("true", "false"):
                if value is not (text == "true"):
                    problems.append(f"{where}: {value!r}, expected the boolean {text}")
            elif is_number(text):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    problems.append(f"{where}: {value!r} is not a number (CSV {text})")
                elif float(value) != float(text):
                    problems.append(f"{where}: {value!r}, expected exactly {text}")
                else:
                    whole = "." not in text and "e" not in text.lower()
                    wanted = "0" if whole else "0.0"
                    if cell.number_format != wanted:
                        problems.append(f"{where}: shown as {cell.number_format!r}, expected {wanted!r}")
            elif value != text:
                problems.append(f"{where}: {value!r}, expected the text {text!r}")
        if len(problems) > 20:
            return


# The scores workbook's second sheet, for people (Docs/Decisions.md): its bokmål header, and per
# column the CSV column whose figure it holds.
OVERVIEW = ["Nivå", "Gruppe", "Periode", "Indikatorsett", "Dimensjon", "Spørsmål", "Svar", "Utsendt", "Svarprosent",
            "n", "Snitt", "95 % KI fra", "95 % KI til", "Andel positive", "Vet ikke", "Ubesvart", "Merknad"]
OVERVIEW_FIGURES = {"Svar": "respondents", "Utsendt": "invited", "Svarprosent": "response_rate", "n": "n",
                    "Snitt": "mean", "95 % KI fra": "ci_low", "95 % KI til": "ci_high",
                    "Andel positive": "positive_share", "Vet ikke": "dont_know", "Ubesvart": "unanswered"}
LEVELS = {"all": "Alle svar", "municipality": "Kommune", "service": "Tjeneste", "unit": "Enhet",
          "subproject": "Delprosjekt"}


def check_note(where, suppressed, note, counted, problems):
    """A suppressed row's reason in words ("færre enn 5 svar" / "… ansatte", or hidden to protect
    another); a published row none."""
    if suppressed:
        if not (note == "skjult for å verne en mindre gruppe"
                or (isinstance(note, str) and note.startswith("færre enn ") and note.endswith(" " + counted))):
            problems.append(f"{where}: suppressed, note {note!r}")
    elif note is not None:
        problems.append(f"{where}: published, note {note!r}")


def check_overview(workbook, rows, problems):
    """The "Oversikt" sheet: the same rows in the same order; every figure the CSV's exact double
    (or empty where the CSV's is: a suppressed row's), shares shown as percentages; a suppressed
    row's reason in words and nothing else; the level and total in words."""
    if len(workbook.worksheets) < 2 or workbook.worksheets[1].title != "Oversikt":
        problems.append(f"sheets {[w.title for w in workbook.worksheets]}, expected a second sheet Oversikt")
        return
    sheet = workbook.worksheets[1]
    if sheet.freeze_panes != "A2":
        problems.append("Oversikt: header not frozen")
    got = list(sheet.iter_rows())
    if len(got) != len(rows):
        problems.append(f"Oversikt: {len(got)} rows, the CSV has {len(rows)}")
    if [c.value for c in got[0]] != OVERVIEW:
        problems.append(f"Oversikt header {[c.value for c in got[0]]}")
        return
    column = {name: i for i, name in enumerate(rows[0])}
    for r, (cells, expected) in enumerate(zip(got[1:], rows[1:]), start=2):
        value = {name: cells[i] for i, name in enumerate(OVERVIEW) if i < len(cells)}
        where = f"Oversikt row {r}"
        if value["Nivå"].value != LEVELS[expected[column["level"]]]:
            problems.append(f"{where}: level {value['Nivå'].value!r}")
        if value["Periode"].value != expected[column["period"]]:
            problems.append(f"{where}: period {value['Periode'].value!r}")
        if expected[column["dimension"]] == "" and value["Dimensjon"].value != "Snitt av dimensjonene":
            problems.append(f"{where}: total named {value['Dimensjon'].value!r}")
        item = expected[column["item"]]
        if (value["Spørsmål"].value is None) != (item == "") or (item and not value["Spørsmål"].value.startswith(item + ": ")):
            problems.append(f"{where}: item {value['Spørsmål'].value!r} for {item!r}")
        for name, source in OVERVIEW_FIGURES.items():
            text, cell = expected[column[source]], value[name]
            if text == "":
                if cell.value is not None:
                    problems.append(f"{where}, {name}: {cell.value!r}, expected an empty cell")
            elif isinstance(cell.value, bool) or not isinstance(cell.value, (int, float)) or float(cell.value) != float(text):
                problems.append(f"{where}, {name}: {cell.value!r}, expected exactly {text}")
            elif name in ("Svarprosent", "Andel positive") and cell.number_format != "0%":
                problems.append(f"{where}, {name}: shown as {cell.number_format!r}, expected '0%'")
        check_note(where, expected[column["suppressed"]] == "true", value["Merknad"].value, "svar", problems)
        if len(problems) > 20:
            return


# The absence workbook's second sheet: the same, with presence (100 − absence_pct) beside the rates.
ABSENCE_FIGURES = {"Ansatte": "employees", "Mulige dagsverk": "possible_days",
                   "Egenmeldte dagsverk": "self_certified_days", "Legemeldte dagsverk": "doctor_certified_days",
                   "Fraværsdagsverk": "absence_days", "Sykefravær %": "absence_pct", "Egenmeldt %": "self_certified_pct",
                   "Legemeldt %": "doctor_certified_pct", "Arbeidsgiverperiode dagsverk": "employer_period_days",
                   "Sykt barn dagsverk": "sick_child_days", "Samme periode i fjor %": "previous_absence_pct",
                   "Endring (prosentpoeng)": "change_pp"}
ABSENCE_COSTS = {"Kostnad (kr)": "cost", "Arbeidsgivers del (kr)": "employer_cost",
                 "Verdi av 0,1 prosentpoeng (kr)": "saving_per_0_1_pp", "Nullpunkt (prosentpoeng)": "break_even_pp"}


def check_absence_overview(workbook, rows, problems):
    """The absence workbook's "Oversikt": the same rows; every figure the CSV's exact double (empty
    where the CSV's is), presence exactly 100 − absence_pct, a suppressed row's reason in words."""
    if len(workbook.worksheets) < 2 or workbook.worksheets[1].title != "Oversikt":
        problems.append(f"sheets {[w.title for w in workbook.worksheets]}, expected a second sheet Oversikt")
        return
    column = {name: i for i, name in enumerate(rows[0])}
    figures = dict(ABSENCE_FIGURES, **(ABSENCE_COSTS if "cost" in column else {}))
    got = list(workbook.worksheets[1].iter_rows())
    header = [c.value for c in got[0]]
    expected_header = (["Nivå", "Gruppe", "Periode"] + list(ABSENCE_FIGURES)[:8] + ["Nærvær %"]
                       + list(ABSENCE_FIGURES)[8:] + (list(ABSENCE_COSTS) if "cost" in column else []) + ["Merknad"])
    if header != expected_header:
        problems.append(f"Oversikt header {header}")
        return
    if len(got) != len(rows):
        problems.append(f"Oversikt: {len(got)} rows, the CSV has {len(rows)}")
    levels = dict(LEVELS, all="Alle kommuner")
    for r, (cells, expected) in enumerate(zip(got[1:], rows[1:]), start=2):
        value = {name: cells[i].value for i, name in enumerate(header) if i < len(cells)}
        where = f"Oversikt row {r}"
        if value["Nivå"] != levels[expected[column["level"]]] or value["Periode"] != expected[column["period"]]:
            problems.append(f"{where}: {value['Nivå']!r} {value['Periode']!r}")
        for name, source in figures.items():
            text = expected[column[source]]
            if text == "":
                if value[name] is not None:
                    problems.append(f"{where}, {name}: {value[name]!r}, expected an empty cell")
            elif not isinstance(value[name], (int, float)) or float(value[name]) != float(text):
                problems.append(f"{where}, {name}: {value[name]!r}, expected exactly {text}")
        pct = expected[column["absence_pct"]]
        if (value["Nærvær %"] is None) != (pct == "") or (pct and value["Nærvær %"] != 100 - float(pct)):
            problems.append(f"{where}: presence {value['Nærvær %']!r} for absence {pct!r}")
        check_note(where, expected[column["suppressed"]] == "true", value["Merknad"], "ansatte", problems)
        if len(problems) > 20:
            return


def check_libreoffice(workbook_path, rows, soffice, problems):
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "profile"
        # 44 ',', 34 '"', 76 UTF-8, from line 1; "save cell contents as shown" off: the values.
        result = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
             "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false", "--outdir", folder,
             str(workbook_path)],
            capture_output=True, text=True, timeout=300)
        converted = Path(folder) / (Path(workbook_path).stem + ".csv")
        if result.returncode != 0 or not converted.exists():
            problems.append(f"LibreOffice could not convert the workbook: {result.stdout} {result.stderr}")
            return
        with open(converted, newline="", encoding="utf-8") as f:
            office = list(csv.reader(f))
    if len(office) != len(rows):
        problems.append(f"LibreOffice: {len(office)} rows, the CSV has {len(rows)}")
    for r, (got, expected) in enumerate(zip(office, rows), start=1):
        for c, text in enumerate(expected):
            value = got[c] if c < len(got) else ""
            if r > 1 and rows[0][c] in TEXT_COLUMNS:
                ok = value == text
            elif r > 1 and text in ("true", "false"):
                ok = value == text.upper()
            elif r > 1 and is_number(text) and is_number(value):
                ok = math.isclose(float(value), float(text), rel_tol=1e-14, abs_tol=1e-300)
            else:
                ok = value == text
            if not ok:
                problems.append(f"LibreOffice row {r}, column {c + 1}: {value!r}, expected {text!r}")
        if len(problems) > 20:
            return


def main():
    arguments = sys.argv[1:]
    soffice = None
    if "--soffice" in arguments:
        index = arguments.index("--soffice")
        soffice = arguments[index + 1]
        del arguments[index:index + 2]
    workbook_path, csv_path = arguments
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    problems = []
    check_openpyxl(workbook_path, rows, problems)
    if soffice:
        check_libreoffice(workbook_path, rows, soffice, problems)
    for problem in problems[:20]:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"ok: {len(rows)} rows")


if __name__ == "__main__":
    main()
