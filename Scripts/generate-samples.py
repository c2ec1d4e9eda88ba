#!/usr/bin/env python3
"""Writes the sample files in Samples/ for the fictional municipality "9999 Eksempelvik".

Everything here is synthetic: no real person, unit or municipality. Answers come from a simple
latent-trait model (one trait per respondent plus a unit effect, so dimensions correlate and
units differ), with don't-know answers, blanks and a few invalid cells, as real exports have.
Run from the repository root: python3 Scripts/generate-samples.py (the output is committed).
"""
import pathlib
import random

import yaml  # PyYAML

root = pathlib.Path(__file__).resolve().parent.parent
samples = root / "Samples"
MUNICIPALITY = "9999 Eksempelvik (fiktiv)"
rng = random.Random(20241122)


def load_set(set_id):
    return yaml.safe_load((root / "IndicatorSets" / f"{set_id}.yaml").read_text(encoding="utf-8"))


def answer(definition, item, trait, dont_know_rate=0.04, blank_rate=0.03):
    lo, hi = definition["scale"]["min"], definition["scale"]["max"]
    r = rng.random()
    if r < dont_know_rate:
        return rng.choice(["vet ikke", "0"]) if "vet ikke" in definition["scale"]["dont_know"] else "0"
    if r < dont_know_rate + blank_rate:
        return ""
    centre = lo + (hi - lo) * trait
    value = round(rng.gauss(centre, (hi - lo) * 0.11))
    value = min(hi, max(lo, value))
    if item.get("reverse"):
        value = lo + hi - value
    return str(value)


def respondents(definition, units, periods, bg=None, status_aborted=0.0, shift=None):
    """Yields (period, unit, respondent id, status, background, answers). `shift(period, unit,
    item)` adds to the trait for one item (an improvement a sub-project brought); it draws no
    random numbers, so the other sets' files stay the same."""
    items = [item for d in definition["dimensions"] for item in d["items"]]
    serial = 0
    for period, period_shift in periods:
        for unit in units:
            for _ in range(unit["n"][period]):
                serial += 1
                trait = min(0.97, max(0.05, rng.gauss(unit["level"] + period_shift, 0.15)))
                status = "aborted" if rng.random() < status_aborted else "complete"
                answers = {}
                for item in items:
                    if status == "aborted" and rng.random() < 0.7:
                        answers[item["id"]] = ""
                    else:
                        extra = shift(period, unit, item) if shift else 0.0
                        answers[item["id"]] = answer(definition, item, min(0.97, trait + extra))
                background = {name: rng.choice(values) for name, values in (bg or {}).items()}
                yield period, unit, f"{unit['prefix']}{serial:04d}", status, background, answers


# --- SFO parents: ';'-separated Windows-1252 with CRLF, as Norwegian Excel saves "CSV (semikolondelt)".
sfo = load_set("sfo-foresatte")
sfo_units = [
    {"id": "bryn", "prefix": "B", "level": 0.78, "n": {"2024": 29, "2025": 27}},
    {"id": "hosle", "prefix": "H", "level": 0.66, "n": {"2024": 24, "2025": 26}},
    {"id": "lia", "prefix": "L", "level": 0.72, "n": {"2024": 18, "2025": 17}},
    {"id": "sjøsiden", "prefix": "S", "level": 0.70, "n": {"2024": 3, "2025": 4}},
]
item_ids = [item["id"] for d in sfo["dimensions"] for item in d["items"]]
header = ["Besvarelse", "Kommune", "Tjeneste", "Enhet", "Periode", "Skjema", "bg.trinn"] + item_ids + ["Kommentar"]
rows = [header]
comments = ["", "", "", "", "Fint tilbud; men for lite plass inne", "Barnet trives.\nTakk for en fin høst!",
            "Savner mer \"uteliv\"", "", "Ønsker lengre åpningstid"]
for period, unit, rid, status, background, answers in respondents(
        sfo, sfo_units, [("2024", 0.0), ("2025", 0.03)], bg={"trinn": ["1", "2", "3", "4"]},
        # The sub-project "Økt brukermedvirkning i SFO" at Bryn and Hosle worked: in 2025 their
        # parents answer the participation items clearly higher (the report shows ▲ and "nådd").
        shift=lambda period, unit, item: 0.12 if period == "2025" and unit["id"] in ("bryn", "hosle")
        and item["id"].startswith("medvirkning") else 0.0):
    cells = [answers[i] for i in item_ids]
    rows.append([rid, MUNICIPALITY, "SFO", unit["id"], period, "sfo-foresatte", background["trinn"]] + cells
                + [rng.choice(comments)])
# A few of the things real exports carry: invalid cells, and a form registered twice.
rows[5][7 + 2] = "7"
rows[12][7 + 5] = "x"
rows[40][7 + 0] = "5,5"
rows.append(list(rows[20]))


def csv_field(text, delimiter):
    if any(ch in text for ch in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


text = "\r\n".join(";".join(csv_field(c, ";") for c in row) for row in rows) + "\r\n"
(samples / "sfo-foresatte-eksempelvik.csv").write_bytes(text.encode("cp1252"))

# --- Nursing-home relatives: XML, UTF-8, invited counts and one sub-project on the units.
parorende = load_set("sykehjem-parorende")
homes = [
    {"id": "solbakken", "name": "Solbakken sykehjem", "prefix": "SB", "level": 0.74, "n": {"2024": 31}, "invited": 48,
     "subproject": "trygg-hverdag"},
    {"id": "fjordheim", "name": "Fjordheim sykehjem", "prefix": "FH", "level": 0.62, "n": {"2024": 22}, "invited": 40,
     "subproject": ""},
    {"id": "lindelia", "name": "Lindelia bo- og behandlingssenter", "prefix": "LL", "level": 0.69, "n": {"2024": 12},
     "invited": 20, "subproject": ""},
]
lines = ['<?xml version="1.0" encoding="UTF-8"?>',
         "<!-- Synthetic sample for the fictional municipality Eksempelvik: no real persons or units. -->",
         f'<survey set="sykehjem-parorende" municipality="{MUNICIPALITY}" period="2024">']
current = None
for period, unit, rid, status, background, answers in respondents(parorende, homes, [("2024", 0.0)],
                                                                   bg={"relasjon": ["barn", "ektefelle", "annen"]}):
    if current is not unit:
        if current is not None:
            lines.append("  </unit>")
        sub = f' subproject="{unit["subproject"]}"' if unit["subproject"] else ""
        lines.append(f'  <unit id="{unit["id"]}" name="{unit["name"]}" service="Sykehjem"{sub} invited="{unit["invited"]}">')
        current = unit
    lines.append(f'    <response id="{rid}" status="{status}">')
    lines.append(f'      <background name="relasjon">{background["relasjon"]}</background>')
    for item, value in answers.items():
        if value == "" and rng.random() < 0.5:
            continue  # an unanswered item may simply be absent
        lines.append(f'      <answer item="{item}">{value}</answer>')
    if rng.random() < 0.15:
        lines.append("      <comment>Personalet er blide &amp; hjelpsomme, men har dårlig tid.</comment>")
    lines.append("    </response>")
lines += ["  </unit>", "</survey>", ""]
(samples / "sykehjem-parorende-eksempelvik.xml").write_text("\n".join(lines), encoding="utf-8")

# --- Employees: UTF-8 with BOM, ',' separated; min_n 3, only factor means reported.
medarbeidere = load_set("medarbeidere")
staff_units = [
    {"id": "bryn", "service": "SFO", "prefix": "M", "level": 0.70, "n": {"2024": 6}},
    {"id": "hosle", "service": "SFO", "prefix": "M", "level": 0.64, "n": {"2024": 5}},
    {"id": "lia", "service": "SFO", "prefix": "M", "level": 0.72, "n": {"2024": 2}},
    {"id": "solbakken", "service": "Sykehjem", "prefix": "M", "level": 0.66, "n": {"2024": 14}},
    {"id": "fjordheim", "service": "Sykehjem", "prefix": "M", "level": 0.58, "n": {"2024": 11}},
    {"id": "hjemmetjenesten-nord", "service": "Hjemmetjenester", "prefix": "M", "level": 0.62, "n": {"2024": 9}},
]
item_ids = [item["id"] for d in medarbeidere["dimensions"] for item in d["items"]]
rows = [["respondent", "municipality", "service", "unit", "period", "set", "bg.kjonn", "bg.alder"] + item_ids]
for period, unit, rid, status, background, answers in respondents(
        medarbeidere, staff_units, [("2024", 0.0)],
        bg={"kjonn": ["kvinne", "kvinne", "kvinne", "mann"], "alder": ["under 30", "30-49", "50 og over"]}):
    rows.append([rid, MUNICIPALITY, unit["service"], unit["id"], period, "medarbeidere", background["kjonn"],
                 background["alder"]] + [answers[i] for i in item_ids])
text = "\n".join(",".join(csv_field(c, ",") for c in row) for row in rows) + "\n"
(samples / "medarbeidere-eksempelvik.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
print("wrote Samples/")
