#!/usr/bin/env bash
# Issue 23's judge: `npm run chaos -- --short` ten times in a row, then the full `npm run chaos`,
# stopping at the first failure. Run it in a fresh clone, on an otherwise idle machine (a chaos
# run owns ports 29092, 29093 and 25432). Each run's whole output goes to <log dir>/run-N.log and
# the ledgers to <log dir>/summary.
#   bash scripts/bench/chaos-loop.sh [log dir, default /tmp/chaos-loop-logs] [short runs, default 10]
set -uo pipefail
cd "$(dirname "$0")/../.."
logs="${1:-/tmp/chaos-loop-logs}"
runs="${2:-10}"
mkdir -p "$logs"
summary="$logs/summary"
echo "build $(git rev-parse --short HEAD), started $(date -u +%FT%TZ)" > "$summary"
source scripts/lib/deps.sh
ensure_dependencies > "$logs/install.log" 2>&1 || { echo "install failed" >> "$summary"; exit 1; }
bash scripts/build.sh > "$logs/build.log" 2>&1 || { echo "build failed" >> "$summary"; exit 1; }
# One run: its log, and the ledger lines of its report in the summary.
run() {
  local name="$1"
  shift
  local start=$SECONDS result=pass
  node scripts/bench/chaos.mjs --no-build "$@" > "$logs/run-$name.log" 2>&1 || result=FAIL
  echo "$name: $result in $((SECONDS - start)) s, ended $(date -u +%T)" >> "$summary"
  grep -E '^(ledger|outcomes|order|poison records|dead letters|result) ' "$logs/run-$name.log" | sed 's/^/    /' >> "$summary"
  [[ $result == pass ]]
}
for n in $(seq 1 "$runs"); do run "short-$n" --short || exit 1; done
run full
