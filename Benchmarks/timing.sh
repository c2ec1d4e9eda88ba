# Shared by the benchmark scripts (sourced): runs the commands of the associative array `commands`
# in the order of the array `order`, `runs` times, alternating; fills `times` (seconds, space
# separated, per command) and `memory` (peak kilobytes). Needs `dir` for its scratch files.
declare -A times memory
time_alternating() {
    local run name seconds kilobytes
    for run in $(seq "$runs"); do
        for name in "${order[@]}"; do
            /usr/bin/time -f "%e %M" -o "$dir/time.txt" ${commands[$name]} >/dev/null 2>"$dir/stderr.txt" \
                || { echo "$name failed:"; cat "$dir/stderr.txt"; exit 1; }
            read -r seconds kilobytes < "$dir/time.txt"
            times[$name]+="$seconds "
            memory[$name]=$(( kilobytes > ${memory[$name]:-0} ? kilobytes : ${memory[$name]:-0} ))
        done
    done
}

# The median of a space-separated list of numbers.
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
