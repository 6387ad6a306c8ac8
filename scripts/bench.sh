#!/usr/bin/env bash
# Benchmarks: native (AIGuard and Brave's adblock engine on the same workload), then the
# shipped wasm engine under Node on that workload. Prints figures; asserts nothing.
#   bash scripts/bench.sh           every benchmark
#   bash scripts/bench.sh fleet     only fleet delivery (fingerprint databases, bundle to enforcement)
#   bash scripts/bench.sh accuracy  only fingerprint accuracy (seeds 1-3 on each of the three corpora)
#   bash scripts/bench.sh scan      only content-scan throughput, native and wasm
# Every figure measured is also added to tests/bench/records/results.csv with the run's date,
# commit and machine: the programs write their rows to AIGUARD_BENCH_RECORD, and this script
# adds them when it ends, so the figures of the steps that ran are kept if a later one fails.
source "$(dirname "$0")/lib.sh"
bash scripts/setup.sh bench
[ -f dist/chrome/wasm/aiguard_wasm_bg.wasm ] || bash scripts/build.sh

RECORDS=tests/bench/records/results.csv
RUN_DATE=$(date -u +%F)
# The commit measured, marked "-dirty" when the sources differ from it (docs and records aside).
RUN_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$RUN_COMMIT" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no -- . ':(exclude)*.md' ':(exclude)tests/bench/records')" ]; then
  RUN_COMMIT+=-dirty
fi
RUN_MACHINE="$(nproc)-core $(uname -m)"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -z "$cpu" ] || RUN_MACHINE+=" ($cpu)"
os=$( (. /etc/os-release && echo "${NAME%% *} ${VERSION_ID:-}") 2>/dev/null || uname -s)
RUN_MACHINE+="; $os; Rust $(rustc --version | cut -d ' ' -f 2); Node $(node --version | sed 's/^v//')"

# A CSV field, quoted when it holds a comma or a quote.
csv() { if [[ $1 == *[,\"]* ]]; then printf '"%s"' "${1//\"/\"\"}"; else printf '%s' "$1"; fi; }

AIGUARD_BENCH_RECORD=$(mktemp)
export AIGUARD_BENCH_RECORD
save_records() {
  if [ -s "$AIGUARD_BENCH_RECORD" ]; then
    local prefix
    prefix="$(csv "$RUN_DATE"),$(csv "$RUN_COMMIT"),$(csv "$RUN_MACHINE")"
    while IFS= read -r row; do printf '%s,%s\n' "$prefix" "$row"; done < "$AIGUARD_BENCH_RECORD" >> "$RECORDS"
    say "$(wc -l < "$AIGUARD_BENCH_RECORD") figures added to $RECORDS"
  fi
  rm -f "$AIGUARD_BENCH_RECORD"
}
trap save_records EXIT

# The module the wasm benchmarks load, measured as scripts/build-wasm.sh reports it.
module=dist/chrome/wasm/aiguard_wasm_bg.wasm
bytes=$(stat -c %s "$module")
gzipped=$(gzip -9c "$module" | wc -c)
printf 'module-size,shipped module,AIGuard wasm,%s,%s,%s,bytes\n' \
  size "$bytes" "$bytes" "size after gzip -9" "$gzipped" "$gzipped" >> "$AIGUARD_BENCH_RECORD"
files=dist/chrome/wasm/aiguard_files_bg.wasm
printf 'module-size,file decoders module,AIGuard wasm,%s,%s,%s,bytes\n' \
  size "$(stat -c %s "$files")" "$(stat -c %s "$files")" "size after gzip -9" "$(gzip -9c "$files" | wc -c)" "$(gzip -9c "$files" | wc -c)" >> "$AIGUARD_BENCH_RECORD"

fleet() {
  cargo run --quiet --release -p aiguard-bench --bin fleet-bench
  node tests/bench/bundle-apply.mjs
}
# Content-scan throughput, native then the shipped wasm engine.
scan() {
  node tests/corpora/fetch.mjs
  cargo run --quiet --release -p aiguard-bench --bin scan-bench
  node tests/bench/scan-bench.mjs
}
# Dolos on seed 1's snippets of the fresh corpus and of the project's (the accuracy run before
# each writes the sample it measures).
compare_dolos() {
  cargo run --quiet --release -p aiguard-bench --bin fingerprint-accuracy -- --seed 1 --corpus tests/corpora/fingerprint-fresh/packages.json
  node tests/bench/fingerprint-compare.mjs
  cargo run --quiet --release -p aiguard-bench --bin fingerprint-accuracy -- --seed 1
  node tests/bench/fingerprint-compare.mjs
}
# Seeds 1-3 on each corpus: the fresh hold-out, the held-out one, then the project's. Each also
# builds a database with the other two corpora's unrelated code as --common input (the
# ablation's last row).
accuracy() {
  local project=tests/corpora/fingerprint/packages.json
  local holdout=tests/corpora/fingerprint-holdout/packages.json
  local fresh=tests/corpora/fingerprint-fresh/packages.json
  for manifest in "$project" "$holdout" "$fresh"; do node tests/corpora/fetch.mjs "$manifest"; done
  for seed in 1 2 3; do
    cargo run --quiet --release -p aiguard-bench --bin fingerprint-accuracy -- --seed "$seed" --corpus "$fresh" --common "$project" --common "$holdout"
  done
  for seed in 1 2 3; do
    cargo run --quiet --release -p aiguard-bench --bin fingerprint-accuracy -- --seed "$seed" --corpus "$holdout" --common "$project" --common "$fresh"
  done
  for seed in 1 2 3; do
    cargo run --quiet --release -p aiguard-bench --bin fingerprint-accuracy -- --seed "$seed" --common "$holdout" --common "$fresh"
  done
}
case "${1:-}" in
  fleet) fleet; exit 0 ;;
  accuracy) accuracy; exit 0 ;;
  scan) scan; exit 0 ;;
  '') ;;
  *) die "unknown benchmark set '$1' (expected: fleet, accuracy, scan, or nothing for all)" ;;
esac

cargo run --quiet --release -p aiguard-bench --bin url-bench
node tests/bench/url-bench.mjs
node tests/bench/secrets-compare.mjs
scan
node tests/bench/files-bench.mjs
accuracy
compare_dolos
node tests/bench/paste-latency.mjs
node tests/bench/audit-record.mjs
fleet
