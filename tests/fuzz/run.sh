#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD for SECONDS each, starting from the seeds kept in
# tests/fuzz/corpus/<target>/ (read only) plus what earlier runs found (BUILD/corpus/).
# Prints libFuzzer's final stats and one summary line per target; a crash, leak, timeout
# or sanitizer report fails the run and leaves the input in BUILD/artifacts/<target>/.
# Usage: run.sh BUILD SECONDS [target ...]
set -uo pipefail
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in "$here"/fuzz_*.cc; do targets+=("$(basename "$source" .cc)"); done
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
summary=()
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  seeds=$here/corpus/$name
  corpus=$build/corpus/$name
  artifacts=$build/artifacts/$name
  log=$build/logs/$name.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")" "$seeds"
  echo "== fuzz $name for ${seconds}s (seeds: $(ls "$seeds" | wc -l))"
  "$build/tests/fuzz/$target" "$corpus" "$seeds" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  grep -E '^(stat::|#[0-9]+[[:space:]]+DONE)' "$log"
  done_line=$(grep -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
  if [ $rc -ne 0 ]; then
    status=1
    tail -60 "$log"
    summary+=("$name: FAILED (exit $rc), input in $artifacts/")
  else
    summary+=("$name: ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}")
  fi
done
echo "== fuzz summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
exit $status
