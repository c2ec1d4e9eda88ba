#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (Fuzz/Corpus/<target>/) from the samples and the built-in sets:
small, valid files of every shape the readers know, for libFuzzer to mutate. Run from the
repository root; the output is committed and replayed by the tests (FuzzRegressionTests)."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "Fuzz/Corpus"


def put(target, name, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


# CSV: the first lines of the samples (Windows-1252 ';' with CRLF and a quoted line break;
# UTF-8 with BOM), and small hand-made files for quoting, aborts, duplicates and don't-know.
sfo = (root / "Samples/sfo-foresatte-eksempelvik.csv").read_bytes().split(b"\r\n")
put("csv", "sfo-cp1252.csv", b"\r\n".join(sfo[:14]) + b"\r\n")
employees = (root / "Samples/medarbeidere-eksempelvik.csv").read_bytes().split(b"\n")
put("csv", "employees-bom.csv", b"\n".join(employees[:8]) + b"\n")
items = "resultat-1,trivsel-1,medvirkning-1,respekt-1,informasjon-1,helhet-1"
put("csv", "quoted.csv",
    f'respondent,municipality,service,unit,period,status,bg.trinn,{items}\n'
    '1,"Kommune, by",SFO,bryn,2024,complete,1,6,5,4,"vet ikke",,3\n'
    '2,"Kommune, by",SFO,bryn,2024,aborted,2,1,,,,,\n'
    '"3","Kommune, by",SFO,"hosle ""nord""",2025,,3,"5\n",6,6,0,x,7\n'
    '1,"Kommune, by",SFO,bryn,2024,complete,1,6,5,4,3,2,1\n')
put("csv", "tab.csv", "Besvarelse\tKommune\tEnhet\tPeriode\tSkjema\tresultat-1\ttrivsel-1\n"
    "a\tK\tlia\t2024\tsfo-foresatte\t5\t4\nb\tK\tlia\t2024\tsfo-foresatte\t2\tvet ikke\n")

# XML: the first unit of the sample with three responses, and a small file of every element.
xml = (root / "Samples/sykehjem-parorende-eksempelvik.xml").read_text(encoding="utf-8")
head, first_unit = xml.split("<unit ", 1)
responses = re.findall(r"    <response .*?</response>\n", first_unit, re.S)
unit_start = "<unit " + first_unit.split("\n", 1)[0] + "\n"
put("xml", "sykehjem.xml", head + unit_start + "".join(responses[:3]) + "  </unit>\n</survey>\n")
put("xml", "small.xml", '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    '<survey set="sfo-foresatte" municipality="K" period="2024">\n'
    '  <unit id="bryn" service="SFO" subproject="medvirkning-sfo" invited="12">\n'
    '    <response id="r1"><background name="trinn">2</background>'
    '<answer item="resultat-1">5</answer><answer item="trivsel-1">vet ikke</answer></response>\n'
    '    <response id="r2" status="aborted"><answer item="resultat-1">9</answer></response>\n'
    '  </unit>\n  <response id="stray"/>\n</survey>\n')

# Set definitions and registers: the built-in sets and the samples' register.
for path in sorted((root / "IndicatorSets").glob("*.yaml")):
    put("set", path.name, path.read_bytes())
put("register", "eksempelvik.yaml", (root / "Samples/register-eksempelvik.yaml").read_bytes())
put("register", "per-set.yaml", 'municipality: "K"\nunits:\n  - {id: a, service: SFO, invited: {"2024": 3, '
    'medarbeidere: {"2024": 9}}}\nsubprojects:\n  - {id: p, name: P, units: [a], goals: '
    '[{set: sfo-foresatte, dimension: trivsel, target: 5, by: "2025"}]}\n')
print("wrote", corpus.relative_to(root))


# Excel workbooks: the openpyxl and LibreOffice fixtures (inline and shared strings, dates,
# a title row, two sheets). SPSS: the labelled and user-missing fixture, a reference case in
# both compressions. Triple-S: metadata, the marker line, data (FuzzSupport.tripleS).
resources = root / "Tests/KvalitetTests/Resources"
for name in ["kinds.xlsx", "kinds-shared.xlsx"]:
    put("xlsx", name, (resources / "xlsx" / name).read_bytes())
put("sav", "kinds.sav", (resources / "spss/kinds.sav").read_bytes())
put("sav", "case-11.sav", (resources / "reference/case-11.sav").read_bytes())
put("sav", "case-11.zsav", (resources / "reference/case-11.zsav").read_bytes())
marker = b"\n--kvalitet-data--\n"
for folder, stem, data in [
    ("spec-v20-example1-fixed", "example1", "example1.asc"), ("spec-v20-example2-csv", "example2", "example2.csv"),
    ("spec-v12-sp5201-rsss", "sample-1", "sample-1.asc"),
]:
    base = resources / "triple-s" / folder
    put("sss", f"{stem}.sss", (base / f"{stem}.sss").read_bytes() + marker + (base / data).read_bytes())
