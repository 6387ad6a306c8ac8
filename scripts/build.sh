#!/usr/bin/env bash
# Builds everything: the aiguard CLI, the wasm engine, and both browser packages in dist/.
source "$(dirname "$0")/lib.sh"

step "setup (build tools)" bash scripts/setup.sh build
step "aiguard CLI (native)" cargo build --release --quiet -p aiguard-cli
mkdir -p target/extension
# Chrome's extension id is fixed by the manifest key, so its static rules can carry the original
# URL to the warn page; Firefox's origin is random per profile.
step "static rulesets for the built-in policy" bash -c '
  target/release/aiguard dnr --extension-base "chrome-extension://$(cat manifest/extension-id.txt)" > target/extension/default-rules-chrome.json
  target/release/aiguard dnr > target/extension/default-rules-firefox.json'
step "wasm engine" bash scripts/build-wasm.sh
step "browser packages" node scripts/package.mjs target/wasm-pkg target/extension
