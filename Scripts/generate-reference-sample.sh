#!/usr/bin/env bash
# Writes Samples/referanse/landssnitt-fiktivt.csv: a fictional "national average" to compare the
# samples with (`kvalitet report --reference`). Synthetic responses from `kvalitet generate` for
# 80 made-up municipalities, scored, keeping the pooled rows (level `all`) of dimensions and totals,
# which is what a secretariat would publish. Run from the repository root.
set -euo pipefail
swift build -c release --product kvalitet
K=.build/release/kvalitet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$K generate --set sfo-foresatte --responses 24000 --municipalities 80 --units 4 --periods 2024,2025 --seed 101 --output "$work/sfo.csv"
$K generate --set sykehjem-parorende --responses 9000 --municipalities 80 --units 3 --periods 2024 --seed 102 --output "$work/par.csv"
$K generate --set medarbeidere --responses 15000 --municipalities 80 --units 5 --periods 2024 --seed 103 --output "$work/med.csv"
$K score --format csv --output "$work/all.csv" "$work/sfo.csv" "$work/par.csv" "$work/med.csv" 2>/dev/null
mkdir -p Samples/referanse
{ head -1 "$work/all.csv"; awk -F, '$1 == "all" && $11 == ""' "$work/all.csv"; } > Samples/referanse/landssnitt-fiktivt.csv
echo "wrote Samples/referanse/landssnitt-fiktivt.csv"
