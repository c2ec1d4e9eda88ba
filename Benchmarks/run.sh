#!/usr/bin/env bash
# Times `kvalitet score` against polars, DuckDB and pandas (CSV) and `xmllint --stream` (XML) on
# the same generated responses, alternating tools, several runs; prints medians, ratios and peak
# memory. Usage: Benchmarks/run.sh [RESPONSES (1000000)] [RUNS (5)]
# Environment: BENCH_DIR (data, default /tmp/kvalitet-bench), SKIP_PEERS=1 (kvalitet and xmllint only).
set -euo pipefail
cd "$(dirname "$0")/.."
responses=${1:-1000000}
runs=${2:-5}
dir=${BENCH_DIR:-/tmp/kvalitet-bench}
mkdir -p "$dir"

command -v xmllint >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q libxml2-utils >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
if [ "${SKIP_PEERS:-0}" != 1 ] && [ ! -x "$dir/venv/bin/python" ]; then
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install -q polars duckdb pandas
fi

swift build -c release --product kvalitet >/dev/null
kvalitet=$(swift build -c release --show-bin-path)/kvalitet

csv="$dir/bench-$responses.csv"
xml="$dir/bench-$responses.xml"
# One municipality and period, 400 units: the CSV and the XML hold the same responses.
for format in csv xml; do
    file="$dir/bench-$responses.$format"
    [ -f "$file" ] || "$kvalitet" generate --sets Benchmarks/sets --set bench-30 --responses "$responses" \
        --units 400 --format "$format" --seed 42 --output "$file"
done
echo "data: $responses responses x 30 items; CSV $(du -m "$csv" | cut -f1) MB, XML $(du -m "$xml" | cut -f1) MB; $(nproc) cores"

declare -A commands=(
    [kvalitet-csv]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scores.csv $csv"
    [kvalitet-xml]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scores-xml.csv $xml"
    [xmllint-stream]="xmllint --stream --noout $xml"
)
order=(kvalitet-csv kvalitet-xml xmllint-stream)
if [ "${SKIP_PEERS:-0}" != 1 ]; then
    for tool in polars duckdb pandas; do
        commands[$tool]="$dir/venv/bin/python Benchmarks/peers.py $tool $csv"
        order+=("$tool")
    done
fi

source Benchmarks/timing.sh
time_alternating

printf '%-16s %10s %10s %12s\n' tool "median s" "vs kvalitet" "peak MB"
base=$(median "${times[kvalitet-csv]}")
for name in "${order[@]}"; do
    m=$(median "${times[$name]}")
    ratio=$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    printf '%-16s %10s %10s %12d\n' "$name" "$m" "${ratio}x" $(( ${memory[$name]} / 1024 ))
done
