#!/usr/bin/env python3
"""Makes Tests/KvalitetTests/Resources/validation/: expected `kvalitet validate --format csv`
output (and omega) from validate_reference.py (pandas, pingouin, scipy) for the random-structure
cases of make_fixtures.py, the samples, and pingouin's own documented example dataset
`cronbach_wide_missing` (alpha 0.732660835214447), written as a kvalitet CSV with a 0–1 set.

Needs pingouin: python3 -m venv .venv && .venv/bin/pip install pingouin pyyaml
Run from the repository root: .venv/bin/python Tests/Reference/make_validation_fixtures.py
"""
import pathlib
import subprocess
import sys

import pingouin as pg
import yaml

root = pathlib.Path(__file__).resolve().parent.parent.parent
out = root / "Tests/KvalitetTests/Resources/validation"
out.mkdir(parents=True, exist_ok=True)
reference = root / "Tests/Reference/validate_reference.py"
cases = root / "Tests/KvalitetTests/Resources/reference"


def expect(name, set_path, inputs):
    result = subprocess.run([sys.executable, str(reference), "--set", str(set_path), "--omega",
                             str(out / f"{name}.omega.csv")] + [str(p) for p in inputs],
                            check=True, capture_output=True, text=True).stdout
    (out / f"{name}.expected.csv").write_text(result, encoding="utf-8")
    print(f"{name}: {result.count(chr(10)) - 1} rows")


# pingouin's documented example: 12 respondents, 11 items of 0/1, 4 missing cells.
data = pg.read_dataset("cronbach_wide_missing")
items = list(data.columns)
set_def = {"id": "pingouin-wide-missing", "version": 1, "title": {"nb": "pingouin-eksempel", "en": "pingouin example"},
           "scale": {"min": 0, "max": 1}, "scoring": "mean", "positive": 1, "min_n": 1,
           "dimensions": [{"id": "alle", "title": {"nb": "Alle", "en": "All"},
                           "items": [{"id": q, "text": {"nb": q, "en": q}} for q in items]}]}
(out / "pingouin-wide-missing.set.yaml").write_text(yaml.safe_dump(set_def, sort_keys=False), encoding="utf-8")
lines = ["respondent,municipality,service,unit,period,set," + ",".join(items)]
for index, row in data.iterrows():
    cells = ["" if row[q] != row[q] else str(int(row[q])) for q in items]
    lines.append(f"p{index + 1},M,S,enhet-{index % 3},2020,pingouin-wide-missing," + ",".join(cells))
(out / "pingouin-wide-missing.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
expect("pingouin-wide-missing", out / "pingouin-wide-missing.set.yaml", [out / "pingouin-wide-missing.csv"])

for seed in (11, 23, 37, 41, 59):
    expect(f"case-{seed}", cases / f"case-{seed}.set.yaml", [cases / f"case-{seed}.csv"])

for sample, set_id in [("sfo-foresatte-eksempelvik.csv", "sfo-foresatte"),
                       ("sykehjem-parorende-eksempelvik.xml", "sykehjem-parorende"),
                       ("medarbeidere-eksempelvik.csv", "medarbeidere")]:
    expect(sample, root / "IndicatorSets" / f"{set_id}.yaml", [root / "Samples" / sample])
