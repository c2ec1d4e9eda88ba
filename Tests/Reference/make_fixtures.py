#!/usr/bin/env python3
"""Makes the end-to-end reference fixtures in Tests/KvalitetTests/Resources/reference/.

Each case is a dataset whose structure is drawn at random from a seed, not designed by hand: a
random set definition (scale, number of dimensions and items, reversed items, don't-know words,
min_n, min_answered, mean or share scoring), random municipalities, services, units and sizes
(many below min_n, so suppression is exercised), aborted interviews, duplicates, missing fields,
invalid cells, background variables, a register with invited counts and sub-projects. The same
responses are written as UTF-8 CSV, as XML and as ';'-separated Windows-1252 CSV with CRLF,
and the expected scores come from score_reference.py (numpy/scipy), never from kvalitet.

Run from the repository root: python3 Tests/Reference/make_fixtures.py
"""
import pathlib
import random
import subprocess
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent.parent
out = root / "Tests/KvalitetTests/Resources/reference"
out.mkdir(parents=True, exist_ok=True)
reference = root / "Tests/Reference/score_reference.py"


def make_case(seed):
    rng = random.Random(seed)
    share = rng.random() < 0.3
    if share:
        smin, smax, positive = 1, 2, 1
    else:
        smin = rng.choice([0, 1, 1, 1])
        smax = rng.choice([4, 5, 6, 7, 10]) if smin == 0 else rng.choice([5, 6, 7])
        positive = rng.randint(smin + 1, smax)
    dont_know = ["vet ikke", "ikke aktuelt"] + (["99"] if smax < 99 else [])
    if smin > 0:
        dont_know.append("0")
    dims = []
    for d in range(rng.randint(2, 5)):
        k = rng.randint(1, 6)
        dims.append({"id": f"dim-{d}", "title": {"nb": f"Dimensjon {d}", "en": f"Dimension {d}"},
                     "items": [{"id": f"q{d}-{i}", "text": {"nb": f"Påstand {d}.{i}", "en": f"Statement {d}.{i}"},
                                **({"reverse": True} if rng.random() < 0.25 else {})} for i in range(k)]})
    set_id = f"random-{seed}"
    sdef = {"id": set_id, "version": 1, "title": {"nb": f"Tilfeldig sett {seed}", "en": f"Random set {seed}"},
            "sector": "oppvekst", "service": "Tjeneste A", "respondent": "bruker",
            "scale": {"min": smin, "max": smax, "dont_know": dont_know},
            "scoring": "share" if share else "mean", "positive": positive,
            "min_n": rng.choice([3, 5, 5, 7]), "min_answered": rng.choice([0.5, 0.6, 1.0, 0.34]),
            "report_items": rng.random() < 0.8, "dimensions": dims}
    items = [(it["id"], it.get("reverse", False)) for d in dims for it in d["items"]]

    municipalities = [f"{1000 + rng.randint(0, 8999)} Kommune{m}" for m in range(rng.randint(1, 2))]
    services = ["Tjeneste A", "Tjeneste B"][: rng.randint(1, 2)]
    units = []
    for m in municipalities:
        for s in services:
            for u in range(rng.randint(1, 4)):
                units.append({"m": m, "s": s, "id": f"enhet-{s[-1].lower()}{u}", "level": rng.random(),
                              "n": {p: rng.choice([1, 2, 3, 4, 6, 9, 15, 25]) for p in ("2023", "2024")}})
    records = []
    serial = 0
    for p in ("2023", "2024"):
        for unit in units:
            for _ in range(unit["n"][p]):
                serial += 1
                trait = rng.random() * 0.5 + unit["level"] * 0.5
                rec = {"respondent": f"r{serial:05d}", "municipality": unit["m"], "service": unit["s"],
                       "unit": unit["id"], "period": p, "status": "complete", "bg": rng.choice(["a", "b", "c", ""]),
                       "answers": {}}
                r = rng.random()
                if r < 0.05:
                    rec["status"] = "aborted"
                for item, rev in items:
                    x = rng.random()
                    if x < 0.06:
                        v = rng.choice(dont_know).upper() if rng.random() < 0.3 else rng.choice(dont_know)
                    elif x < 0.12:
                        v = ""
                    elif x < 0.14:
                        v = rng.choice(["x", str(smax + 1), "3.5", "-1"])
                    else:
                        code = round(smin + (smax - smin) * min(1, max(0, rng.gauss(trait, 0.25))))
                        v = str(code)
                        if rng.random() < 0.05:
                            v = f" {v} "
                    rec["answers"][item] = v
                if rng.random() < 0.03:
                    rec["answers"] = {k: "" for k in rec["answers"]}  # nothing valid: not counted
                records.append(rec)
    # Duplicates and a response with a missing field.
    for _ in range(2):
        records.append(dict(rng.choice(records)))
    broken = dict(rng.choice(records))
    broken["respondent"] = f"r{serial + 1:05d}"
    broken["unit"] = ""
    records.append(broken)

    register = {"municipality": municipalities[0], "units": [], "subprojects": []}
    for unit in units:
        if unit["m"] == municipalities[0]:
            entry = {"id": unit["id"], "service": unit["s"]}
            if rng.random() < 0.8:
                entry["invited"] = {p: unit["n"][p] + rng.randint(0, 10) for p in ("2023", "2024")}
            register["units"].append(entry)
    ids = [u["id"] for u in register["units"]]
    ids = list(dict.fromkeys(ids))
    # The same unit id may occur in two services; the register lists it once.
    register["units"] = list({u["id"]: u for u in register["units"]}.values())
    if len(ids) >= 2:
        register["subprojects"].append({"id": "prosjekt-1", "units": rng.sample(ids, min(len(ids), 2))})
        register["subprojects"].append({"id": "prosjekt-2", "units": rng.sample(ids, 1)})
    return sdef, records, register


def csv_field(text, delimiter):
    if any(ch in text for ch in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_case(seed):
    sdef, records, register = make_case(seed)
    name = f"case-{seed}"
    (out / f"{name}.set.yaml").write_text(yaml.safe_dump(sdef, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (out / f"{name}.register.yaml").write_text(yaml.safe_dump(register, allow_unicode=True, sort_keys=False),
                                               encoding="utf-8")
    items = list(records[0]["answers"].keys())
    header = ["respondent", "municipality", "service", "unit", "period", "status", "bg.gruppe", "set"] + items
    rows = [header] + [[r["respondent"], r["municipality"], r["service"], r["unit"], r["period"], r["status"],
                        r["bg"], sdef["id"]] + [r["answers"][i] for i in items] for r in records]
    (out / f"{name}.csv").write_text("\n".join(",".join(csv_field(c, ",") for c in row) for row in rows) + "\n",
                                     encoding="utf-8")
    # Norwegian header names, ';', CRLF, and a free-text column (ignored with a warning) whose
    # "æøå" and "–" (0x96) make the file invalid as UTF-8, so it must be read as Windows-1252.
    cp = ["Besvarelse", "Kommune", "Tjeneste", "Enhet", "Periode", "Status", "bakgrunn.gruppe", "Skjema"] + items
    notes = ["", "Ærlig talt – på høy tid; takk", "Blå øyne\r\nny linje", "«sitat» med \"anførsel\""]
    body = [row + [notes[i % len(notes)]] for i, row in enumerate(rows[1:])]
    text = "\r\n".join(";".join(csv_field(c, ";") for c in row) for row in [cp + ["Merknad"]] + body) + "\r\n"
    (out / f"{name}.cp1252.csv").write_bytes(text.encode("cp1252"))
    # XML: one <survey> per municipality and period, so write one file per (m, p).
    from xml.sax.saxutils import escape, quoteattr
    groups = {}
    for r in records:
        groups.setdefault((r["municipality"], r["period"]), []).append(r)
    for idx, ((m, p), recs) in enumerate(sorted(groups.items())):
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 f'<survey set={quoteattr(sdef["id"])} municipality={quoteattr(m)} period={quoteattr(p)}>']
        by_unit = {}
        for r in recs:
            by_unit.setdefault((r["unit"], r["service"]), []).append(r)
        for (u, s), rs in by_unit.items():
            lines.append(f'  <unit id={quoteattr(u)} service={quoteattr(s)}>')
            for r in rs:
                lines.append(f'    <response id={quoteattr(r["respondent"])} status={quoteattr(r["status"])}>')
                if r["bg"]:
                    lines.append(f'      <background name="gruppe">{escape(r["bg"])}</background>')
                for item, v in r["answers"].items():
                    lines.append(f'      <answer item={quoteattr(item)}>{escape(v)}</answer>')
                lines.append("    </response>")
            lines.append("  </unit>")
        lines += ["</survey>", ""]
        (out / f"{name}.xml.{idx}.xml").write_text("\n".join(lines), encoding="utf-8")
    expected = subprocess.run(
        [sys.executable, str(reference), "--set", str(out / f"{name}.set.yaml"), "--register",
         str(out / f"{name}.register.yaml"), "--breakdown", "gruppe", str(out / f"{name}.csv")],
        check=True, capture_output=True, text=True).stdout
    (out / f"{name}.expected.csv").write_text(expected, encoding="utf-8")
    print(f"{name}: {len(records)} responses, {expected.count(chr(10)) - 1} expected rows")


for seed in (11, 23, 37, 41, 59, 71, 83):
    write_case(seed)

# The independent attacker (attack_scores.py) must find no suppressed row of the expected scores
# that the published ones determine.
attacker = root / "Tests/Reference/attack_scores.py"
for seed in (11, 23, 37, 41, 59, 71, 83):
    name = f"case-{seed}"
    min_n = str(yaml.safe_load((out / f"{name}.set.yaml").read_text(encoding="utf-8")).get("min_n", 5))
    revealed = subprocess.run([sys.executable, str(attacker), "--across-kinds", min_n, "--set", str(out / f"{name}.set.yaml"),
                               str(out / f"{name}.expected.csv"), str(out / f"{name}.register.yaml")],
                              check=True, capture_output=True, text=True).stdout
    assert revealed == "", f"{name}: the attacker computes suppressed rows:\n{revealed}"
    print(f"{name}: the attacker computes no suppressed row")

# The samples in Samples/, one expected scores file each, also from the reference.
golden = root / "Tests/KvalitetTests/Resources/samples"
golden.mkdir(parents=True, exist_ok=True)
for sample, set_id, breakdown in [("sfo-foresatte-eksempelvik.csv", "sfo-foresatte", "trinn"),
                                  ("sykehjem-parorende-eksempelvik.xml", "sykehjem-parorende", "relasjon"),
                                  ("medarbeidere-eksempelvik.csv", "medarbeidere", "kjonn")]:
    expected = subprocess.run(
        [sys.executable, str(reference), "--set", str(root / "IndicatorSets" / f"{set_id}.yaml"), "--register",
         str(root / "Samples/register-eksempelvik.yaml"), "--breakdown", breakdown, str(root / "Samples" / sample)],
        check=True, capture_output=True, text=True).stdout
    (golden / f"{sample}.expected.csv").write_text(expected, encoding="utf-8")
    print(f"{sample}: {expected.count(chr(10)) - 1} expected rows")
