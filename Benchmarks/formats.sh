#!/usr/bin/env bash
# Times `kvalitet score` on the same responses as CSV, as an Excel workbook and as an SPSS file,
# beside what users would run instead on those files: pandas and polars `read_excel` (calamine)
# and pyreadstat `read_sav`, each then grouping per unit (Benchmarks/peers.py). Alternating tools,
# several runs; medians, ratios and peak memory.
# Usage: Benchmarks/formats.sh [RESPONSES (1000000)] [RUNS (3)]
# Environment: BENCH_DIR (data, default /tmp/kvalitet-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
responses=${1:-1000000}
runs=${2:-3}
dir=${BENCH_DIR:-/tmp/kvalitet-bench}
mkdir -p "$dir"
[ -x /usr/bin/time ] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
if ! "$dir/formats-venv/bin/python" -c "import openpyxl, pyreadstat, polars, fastexcel, python_calamine" 2>/dev/null; then
    python3 -m venv "$dir/formats-venv"
    "$dir/formats-venv/bin/pip" install -q openpyxl pyreadstat pandas polars fastexcel python-calamine
fi
python="$dir/formats-venv/bin/python"

swift build -c release --product kvalitet >/dev/null
kvalitet=$(swift build -c release --show-bin-path)/kvalitet

csv="$dir/bench-$responses.csv"
[ -f "$csv" ] || "$kvalitet" generate --sets Benchmarks/sets --set bench-30 --responses "$responses" \
    --units 400 --format csv --seed 42 --output "$csv"
xlsx="$dir/bench-$responses.xlsx"
sav="$dir/bench-$responses.sav"
[ -f "$xlsx" ] && [ -f "$sav" ] || "$python" Benchmarks/make_formats.py "$csv" "$xlsx" "$sav"
echo "data: $responses responses x 30 items; CSV $(du -m "$csv" | cut -f1) MB, XLSX $(du -m "$xlsx" | cut -f1) MB, SAV $(du -m "$sav" | cut -f1) MB"

# The same scores from every format, or the timing means nothing.
"$kvalitet" score --sets Benchmarks/sets --format csv --output "$dir/f-csv.csv" "$csv" 2>/dev/null
for format in xlsx sav; do
    "$kvalitet" score --sets Benchmarks/sets --format csv --output "$dir/f-$format.csv" "$dir/bench-$responses.$format" 2>/dev/null
    cmp -s "$dir/f-csv.csv" "$dir/f-$format.csv" && echo "scores from $format: identical to the CSV's" \
        || { echo "scores from $format differ from the CSV's"; exit 1; }
done

declare -A commands=(
    [kvalitet-csv]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/f-csv.csv $csv"
    [kvalitet-xlsx]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/f-xlsx.csv $xlsx"
    [kvalitet-sav]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/f-sav.csv $sav"
    [pandas-xlsx]="$python Benchmarks/peers.py pandas-xlsx $xlsx"
    [polars-xlsx]="$python Benchmarks/peers.py polars-xlsx $xlsx"
    [pyreadstat]="$python Benchmarks/peers.py pyreadstat $sav"
)
order=(kvalitet-csv kvalitet-xlsx polars-xlsx pandas-xlsx kvalitet-sav pyreadstat)
source Benchmarks/timing.sh
time_alternating

printf '%-16s %10s %12s\n' tool "median s" "peak MB"
for name in "${order[@]}"; do
    printf '%-16s %10s %12d\n' "$name" "$(median "${times[$name]}")" $(( ${memory[$name]} / 1024 ))
done
ratio() { awk -v a="$(median "${times[$1]}")" -v b="$(median "${times[$2]}")" -v n="$1" -v m="$2" \
    'BEGIN { printf "%s / %s: %.2fx\n", n, m, a / b }'; }
ratio kvalitet-xlsx polars-xlsx
ratio kvalitet-xlsx pandas-xlsx
ratio kvalitet-sav pyreadstat
ratio kvalitet-xlsx kvalitet-csv
ratio kvalitet-sav kvalitet-csv
