#!/usr/bin/env bash
# Benchmarks: native (AIGuard and Brave's adblock engine on the same workload), then the
# shipped wasm engine under Node on that workload. Prints figures; asserts nothing.
source "$(dirname "$0")/lib.sh"
bash scripts/setup.sh bench
[ -f dist/chrome/wasm/aiguard_wasm_bg.wasm ] || bash scripts/build.sh
cargo run --quiet --release -p aiguard-bench --bin url-bench
node tests/bench/url-bench.mjs
node tests/bench/secrets-compare.mjs
node tests/corpora/fetch.mjs
cargo run --quiet --release -p aiguard-bench --bin scan-bench
node tests/bench/scan-bench.mjs
cargo run --quiet --release -p aiguard-bench --bin fingerprint-accuracy
node tests/bench/fingerprint-compare.mjs
node tests/bench/paste-latency.mjs
