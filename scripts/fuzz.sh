#!/usr/bin/env bash
# Fuzzes every parser and tokenizer for a while: scripts/fuzz.sh [seconds per target] [target...]
# Needs cargo-fuzz (installed here if missing). On a stable toolchain the targets build without
# a sanitizer (RUSTC_BOOTSTRAP lets cargo-fuzz's flags through); assertions in the targets and
# Rust's own checks still catch panics, overflows and out-of-bounds access.
source "$(dirname "$0")/lib.sh"
SECONDS_PER=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(policy url url_filter scan normalise fingerprint_db fingerprint_scan fingerprint_split tokenize secret_keywords files bundle)
have cargo-fuzz || cargo install cargo-fuzz --locked
for t in "${TARGETS[@]}"; do
  say "fuzzing $t for ${SECONDS_PER}s"
  mkdir -p "wasm/fuzz/corpus/$t"
  log=$(mktemp)
  # The run's own status counts: a target that does not build, or a fuzzer that stops for any
  # reason but the time limit, fails the script (its log's tail shows why).
  status=0
  RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir wasm/fuzz --sanitizer none --release "$t" "wasm/fuzz/corpus/$t" -- \
    -max_total_time="$SECONDS_PER" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 > "$log" 2>&1 || status=$?
  grep -E "(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==|thread .* panicked|SUMMARY)" "$log" || true
  [ -z "$(ls wasm/fuzz/artifacts/"$t" 2>/dev/null)" ] || die "$t: crash artifacts in wasm/fuzz/artifacts/$t"
  if [ "$status" -ne 0 ]; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    die "$t: the fuzzer exited with status $status"
  fi
  rm -f "$log"
done
