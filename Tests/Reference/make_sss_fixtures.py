#!/usr/bin/env python3
"""Writes Triple-S 2.0 files (metadata `.sss` and fixed-width data `.asc`) of CSV response files,
by the specification (https://triple-s.org), independently of kvalitet's code:

- every column is a variable named as in the CSV with `-` written `_` (`trivsel_1`);
- an item column whose cells are codes or "vet ikke" is a `single` whose values are its codes and
  99 labelled "vet ikke"; an empty cell is blank; any other column (keys, texts, a column with
  invalid texts such as "x" or "5,5") is `character`; the respondent is `use="serial"`
  (`character`, so ids keep their text); line breaks inside a text become spaces (a fixed-width
  record is one line);
- positions are character positions, each variable as wide as its longest value.

    make_sss_fixtures.py        # run from the repository root; writes
      Samples/triple-s/*.sss, *.asc                       (from the samples' CSV files)
      Tests/KvalitetTests/Resources/reference/case-N.sss, case-N.asc

kvalitet's scores of a Triple-S file must be byte-identical to those of the CSV it was made from.
"""
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, str(Path(__file__).parent))
from make_xlsx_fixtures import read_csv  # noqa: E402

DIGITS = re.compile(r"^[0-9]+$")
KEYS = {"respondent", "besvarelse", "respondent_id", "id", "municipality", "kommune", "service", "tjeneste",
        "unit", "enhet", "period", "periode", "year", "år", "set", "skjema", "subproject", "delprosjekt", "status"}


def write(rows, metadata_path):
    header, data = rows[0], rows[1:]
    data = [[(row[i] if i < len(row) else "").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
             for i in range(len(header))] for row in data]
    variables = []
    position = 1
    for index, name in enumerate(header):
        values = [row[index] for row in data]
        lower = name.lower()
        is_item = (lower not in KEYS and not lower.startswith(("bg.", "bakgrunn."))
                   and all(v == "" or DIGITS.match(v) or v.strip().lower() == "vet ikke" for v in values))
        if is_item:
            values = ["99" if v.strip().lower() == "vet ikke" else v for v in values]
        width = max([1] + [len(v) for v in values])
        variables.append((name, is_item, position, width, values))
        position += width
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<!DOCTYPE sss PUBLIC "-//triple-s//DTD Survey Interchange v2.0//EN" "http://www.triple-s.org/dtd/sss_v20.dtd">',
             '<sss version="2.0">', "  <survey>", f"    <name>{escape(Path(metadata_path).stem)}</name>",
             f'    <record ident="A" format="fixed" href={quoteattr(Path(metadata_path).with_suffix(".asc").name)}>']
    for ident, (name, is_item, start, width, values) in enumerate(variables, start=1):
        serial = ' use="serial"' if name.lower() in ("respondent", "besvarelse", "respondent_id", "id") else ""
        kind = "single" if is_item else "character"
        lines.append(f'      <variable ident="{ident}" type="{kind}"{serial}>')
        lines.append(f"        <name>{escape(name.replace('-', '_'))}</name>")
        lines.append(f"        <label>{escape(name)}</label>")
        lines.append(f'        <position start="{start}" finish="{start + width - 1}"/>')
        if is_item:
            codes = sorted({int(v) for v in values if v and v != "99"} | {1})
            lines.append("        <values>")
            lines += [f'          <value code="{code}">{code}</value>' for code in codes]
            lines.append('          <value code="99">vet ikke</value>')
            lines.append("        </values>")
        else:
            lines.append(f"        <size>{width}</size>")
        lines.append("      </variable>")
    lines += ["    </record>", "  </survey>", "</sss>", ""]
    metadata_path = Path(metadata_path)
    metadata_path.parent.mkdir(parents=True, exist_ok=True)
    metadata_path.write_text("\n".join(lines), encoding="utf-8")
    records = []
    for row_index in range(len(data)):
        records.append("".join(values[row_index].ljust(width) for (_, _, _, width, values) in variables))
    metadata_path.with_suffix(".asc").write_text("\r\n".join(records) + "\r\n", encoding="utf-8")
    print(metadata_path)


def main():
    for name in ["sfo-foresatte-eksempelvik", "medarbeidere-eksempelvik"]:
        write(read_csv(f"Samples/{name}.csv"), f"Samples/triple-s/{name}.sss")
    reference = Path("Tests/KvalitetTests/Resources/reference")
    for path in sorted(reference.glob("case-*.csv")):
        if path.name.count(".") != 1 or "expected" in path.name:
            continue
        write(read_csv(path), path.with_suffix(".sss"))


if __name__ == "__main__":
    main()
