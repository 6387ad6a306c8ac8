#!/usr/bin/env bash
# Builds everything: the aiguard CLI, the wasm engine, and both browser packages in dist/.
source "$(dirname "$0")/lib.sh"

step "setup (build tools)" bash scripts/setup.sh build
step "aiguard CLI (native)" cargo build --release --quiet -p aiguard-cli
mkdir -p target/extension
step "static ruleset for the built-in policy" \
  bash -c 'target/release/aiguard dnr > target/extension/default-rules.json'
step "wasm engine" bash scripts/build-wasm.sh
step "browser packages" node scripts/package.mjs target/wasm-pkg target/extension/default-rules.json
