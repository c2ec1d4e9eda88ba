#!/usr/bin/env bash
# Times `kvalitet absence` against polars (sums per unit and quarter, and the rate) on a national
# shape of sick-leave exports: 356 municipalities × 40 units × 60 months (about 850,000 rows),
# alternating, several runs; prints medians, the ratio and peak memory.
# Usage: Benchmarks/absence.sh [MUNICIPALITIES (356)] [RUNS (5)]
# Environment: BENCH_DIR (data, default /tmp/kvalitet-bench), SKIP_PEERS=1 (kvalitet only),
# KVALITET=PATH (a kvalitet binary to time instead of building this checkout's).
set -euo pipefail
cd "$(dirname "$0")/.."
municipalities=${1:-356}
runs=${2:-5}
dir=${BENCH_DIR:-/tmp/kvalitet-bench}
mkdir -p "$dir"

[ -x /usr/bin/time ] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
if [ "${SKIP_PEERS:-0}" != 1 ] && [ ! -x "$dir/venv/bin/python" ]; then
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install -q polars duckdb pandas
fi

if [ -n "${KVALITET:-}" ]; then
    kvalitet=$KVALITET
else
    swift build -c release --product kvalitet >/dev/null
    kvalitet=$(swift build -c release --show-bin-path)/kvalitet
fi

file="$dir/absence-$municipalities.csv"
[ -f "$file" ] || "$kvalitet" generate --absence --municipalities "$municipalities" --units 40 --from 2020-01 \
    --months 60 --seed 42 --output "$file"
echo "data: $(( $(wc -l < "$file") - 1 )) unit-months; $(du -m "$file" | cut -f1) MB; $(nproc) cores"

declare -A commands=(
    [kvalitet-absence]="$kvalitet absence --format csv --output $dir/absence-rows.csv $file"
)
order=(kvalitet-absence)
if [ "${SKIP_PEERS:-0}" != 1 ]; then
    commands[polars]="$dir/venv/bin/python Benchmarks/absence_peer.py $file $dir/absence-polars.csv"
    order+=(polars)
fi

source Benchmarks/timing.sh
time_alternating
for name in "${order[@]}"; do
    printf '%-18s median %6.2f s  peak %5d MB   (%s)\n' "$name" "$(median "${times[$name]}")" \
        $(( memory[$name] / 1024 )) "${times[$name]}"
done
if [ "${SKIP_PEERS:-0}" != 1 ]; then
    awk -v a="$(median "${times[kvalitet-absence]}")" -v b="$(median "${times[polars]}")" \
        'BEGIN { printf "kvalitet / polars: %.2f\n", a / b }'
fi
echo "rows written: $(( $(wc -l < "$dir/absence-rows.csv") - 1 ))"
