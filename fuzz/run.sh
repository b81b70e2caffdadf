#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the
# other, and prints per target: executions, executions per second,
# libFuzzer's coverage (cov: edges, ft: features), corpus size and crashes.
#
#   fuzz/run.sh SECONDS [TARGET…]
#
# Environment:
#   SANITIZER  none (default, fastest) or address (ASan; slower)
#   WORK       where the growing working corpora, logs and crash files go
#              (default: $TMPDIR/hearth-fuzz); fuzz/corpus only seeds them
#   JOBS       libFuzzer -fork processes per target (default 1)
#   NICE       niceness of the fuzzing processes (default 19)
#
# Exits non-zero if any target crashed; the reproducer is in
# $WORK/artifacts/<target>/ (replay it with
# `cargo fuzz run <target> <file>` from fuzz/, under RUSTC_BOOTSTRAP=1).
set -euo pipefail

seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET…]}
shift
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
sanitizer=${SANITIZER:-none}
work=${WORK:-${TMPDIR:-/tmp}/hearth-fuzz}
jobs=${JOBS:-1}
niceness=${NICE:-19}
# cargo-fuzz passes nightly-only flags (-Z…); the stable toolchain
# accepts them when told it is building itself.
export RUSTC_BOOTSTRAP=1

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# Each sanitizer builds in its own directory, so that switching does not
# rebuild the other.
case "$sanitizer" in
    none) target_dir="$here/target" ;;
    address) target_dir="$here/target/asan" ;;
    *) target_dir="$here/target/$sanitizer" ;;
esac
nice -n "$niceness" cargo fuzz build --sanitizer "$sanitizer" --debug-assertions \
    --target-dir "$target_dir"
triple=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="$target_dir/$triple/release"

printf '%-15s %14s %10s %8s %8s %7s %8s\n' target execs execs/s cov ft corpus crashes
total=0
failed=0
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target"
    log="$work/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    cp -n "$here/corpus/$target"/* "$corpus"/ 2>/dev/null || true
    status=0
    if [ "$jobs" -gt 1 ]; then
        parallel=(-fork="$jobs" -ignore_crashes=1)
    else
        parallel=()
    fi
    nice -n "$niceness" "$bin_dir/$target" "$corpus" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "${parallel[@]}" \
        >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    printf '%-15s %14s %10s %8s %8s %7s %8s\n' "$target" "$execs" "${rate:-0}" \
        "${cov:-?}" "${ft:-?}" "$(ls "$corpus" | wc -l)" "$crashes"
    total=$((total + execs))
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        echo "  $target: exit $status; see $log" >&2
    fi
done
printf '%-15s %14s\n' total "$total"
exit "$failed"
