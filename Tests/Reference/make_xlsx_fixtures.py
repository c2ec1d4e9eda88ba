#!/usr/bin/env python3
"""Makes Excel workbooks of CSV response files with openpyxl (a tool that is not kvalitet), the
way a person would have them after opening the CSV in Excel and saving it as .xlsx: a cell of
digits only becomes a number (Excel turns "5" and "2024" into the numbers 5 and 2024), every other
cell stays text (shared strings), an empty cell is no cell.

    make_xlsx_fixtures.py            # writes all of them (run from the repository root)

- Samples/excel/*.xlsx from the samples' CSV files (Samples/ is read as a folder, so the
  workbooks live in a folder of their own);
- Tests/KvalitetTests/Resources/reference/case-N.xlsx from case-N.csv (the reference cases, so
  ReferenceScoresTests checks workbooks against the independent reference too), and
  case-N.shared.xlsx, the same saved again by LibreOffice (shared strings, as office suites write);
- Tests/KvalitetTests/Resources/xlsx/*.xlsx: workbooks with what Excel files have and CSV files
  do not (a title row, dates, booleans, formulas, a second sheet, inline strings).

kvalitet's scores of a workbook must be byte-identical to those of the CSV it was made from.
"""
import csv
import datetime
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl

DIGITS = re.compile(r"^-?[0-9]+$")


def read_csv(path):
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    header = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=header.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def cell_value(text):
    if DIGITS.match(text) and len(text.lstrip("-")) < 16:
        return int(text)
    return text if text != "" else None


def workbook_of(rows, title="Svar"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append([cell_value(text) for text in row])
    return workbook


def save(workbook, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    # openpyxl stamps the time into docProps/core.xml: made fixed, so the fixtures do not change
    # with every run of this script.
    fixed = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*<", rb"<dcterms:\1\2>2026-12-03T00:00:00Z<", data)
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 12, 3, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    fixed.replace(path)
    print(path)


def resaved(source, target):
    """`source` opened and saved again as .xlsx by LibreOffice (headless): shared strings and
    styles as an office suite writes them (openpyxl writes inline strings)."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to",
             "xlsx:Calc MS Excel 2007 XML", "--outdir", folder, str(source)],
            check=True, capture_output=True, timeout=300)
        shutil.copy(Path(folder) / Path(source).name, target)
    print(target)


def main():
    for name in ["sfo-foresatte-eksempelvik", "medarbeidere-eksempelvik"]:
        path = Path(f"Samples/excel/{name}.xlsx")
        save(workbook_of(read_csv(f"Samples/{name}.csv")), path)
        resaved(path, path)  # as an office suite saves it: shared strings

    reference = Path("Tests/KvalitetTests/Resources/reference")
    for path in sorted(reference.glob("case-*.csv")):
        if path.name.count(".") != 1 or "expected" in path.name:
            continue
        save(workbook_of(read_csv(path)), path.with_suffix(".xlsx"))
        resaved(path.with_suffix(".xlsx"), path.with_suffix(".shared.xlsx"))

    folder = Path("Tests/KvalitetTests/Resources/xlsx")
    header = ["respondent", "municipality", "service", "unit", "period", "set", "bg.innsendt", "resultat-1", "trivsel-1"]

    # What Excel files hold and CSV files do not. Expected texts per row (as a CSV export of the
    # sheet would hold them) are in kinds.expected.csv.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Svar 2024"
    sheet.append(["Foreldreundersøkelse SFO 2024"])  # a title row above the header
    sheet.append([])
    sheet.append(header)
    sheet.append(["r1", "3024 Bærum", "SFO", "lia", 2024, "sfo-foresatte", datetime.date(2024, 3, 1), 5, 4])
    sheet.append(["r2", "3024 Bærum", "SFO", "lia", 2024, "sfo-foresatte", datetime.datetime(2024, 3, 1, 12, 30), 5.0, "vet ikke"])
    sheet.append(["r3", "3024 Bærum", "SFO", "lia", 2024, "sfo-foresatte", None, 4.5, True])
    sheet.append(["r4", "3024 Bærum", "SFO", "lia", 2024, "sfo-foresatte", None, "=2+3", None])
    sheet.append([])  # a blank row: no response
    sheet.append(["r5", "3024 Bærum", "SFO", "lia", 2024, "sfo-foresatte", None, " 6 ", 1])
    sheet["H8"].number_format = "0.0"  # 5 shown as 5,0 is still the answer 5
    sheet["H5"].number_format = "0.0"
    other = workbook.create_sheet("Ansatte")
    other.append(header)
    other.append(["a1", "3024 Bærum", "SFO", "lia", 2024, "sfo-foresatte", None, 1, 1])
    save(workbook, folder / "kinds.xlsx")
    expected = [
        header,
        ["r1", "3024 Bærum", "SFO", "lia", "2024", "sfo-foresatte", "2024-03-01", "5", "4"],
        ["r2", "3024 Bærum", "SFO", "lia", "2024", "sfo-foresatte", "2024-03-01T12:30:00", "5", "vet ikke"],
        ["r3", "3024 Bærum", "SFO", "lia", "2024", "sfo-foresatte", "", "4.5", "TRUE"],
        ["r4", "3024 Bærum", "SFO", "lia", "2024", "sfo-foresatte", "", "", ""],
        ["r5", "3024 Bærum", "SFO", "lia", "2024", "sfo-foresatte", "", " 6 ", "1"],
    ]
    with open(folder / "kinds.expected.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(expected)
    print(folder / "kinds.expected.csv")
    # LibreOffice computes the formula (=2+3 is 5) and keeps the rest.
    resaved(folder / "kinds.xlsx", folder / "kinds-shared.xlsx")
    hostile(folder / "kinds-shared.xlsx", folder)


def rewrite(base, target, change):
    """A copy of the workbook `base` with its entries as `change(entries)` returns them."""
    with zipfile.ZipFile(base) as source:
        entries = {item.filename: source.read(item.filename) for item in source.infolist()}
    entries = change(entries)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zip_file:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 3, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zip_file.writestr(info, data)
    print(target)


def patch_directory(path, name, offset_in_header, value):
    """Overwrites a 4-byte field of `name`'s central directory header."""
    data = bytearray(Path(path).read_bytes())
    start = data.rfind(b"PK\x01\x02", 0, data.rfind(name.encode()))
    data[start + offset_in_header:start + offset_in_header + 4] = value.to_bytes(4, "little")
    Path(path).write_bytes(bytes(data))


def hostile(base, folder):
    """Workbooks the reader must refuse, each for one reason (XLSXReaderTests)."""
    sheet = "xl/worksheets/sheet1.xml"
    # 64 MiB of sheet whose directory says 1,000 bytes: an inflating lie (a zip bomb).
    def bomb(entries):
        entries[sheet] = entries[sheet].replace(b"<sheetData>", b"<sheetData><!--" + b"A" * (64 << 20) + b"-->")
        return entries
    rewrite(base, folder / "bomb.xlsx", bomb)
    patch_directory(folder / "bomb.xlsx", sheet, 24, 1000)
    # Two entries sharing one compressed stream (an "overlapping" zip bomb).
    rewrite(base, folder / "overlap.xlsx", lambda entries: entries)
    data = Path(folder / "overlap.xlsx").read_bytes()
    first_offset = int.from_bytes(data[data.find(b"PK\x01\x02") + 42:][:4], "little")
    patch_directory(folder / "overlap.xlsx", "xl/styles.xml", 42, first_offset)
    # A DOCTYPE with an entity in the sheet.
    def doctype(entries):
        entries[sheet] = entries[sheet].replace(
            b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY x "5">]>\n<worksheet', 1)
        return entries
    rewrite(base, folder / "doctype.xlsx", doctype)
    # A link to another workbook.
    def external(entries):
        entries["xl/externalLinks/externalLink1.xml"] = (
            b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
        return entries
    rewrite(base, folder / "external.xlsx", external)
    # A shared string that does not exist.
    def bad_string(entries):
        changed = re.sub(rb'(<c r="A4" s="0" t="s"><v>)[0-9]+', rb"\g<1>99999", entries[sheet])
        assert changed != entries[sheet]
        entries[sheet] = changed
        return entries
    rewrite(base, folder / "badstring.xlsx", bad_string)
    # The sheet cut off in the middle.
    def cut(entries):
        entries[sheet] = entries[sheet][: len(entries[sheet]) // 2]
        return entries
    rewrite(base, folder / "cut.xlsx", cut)


if __name__ == "__main__":
    main()
