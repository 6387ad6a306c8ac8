#!/usr/bin/env bash
# Builds everything: the aiguard CLI, the wasm engine, and both browser packages in dist/.
source "$(dirname "$0")/lib.sh"

step "setup (build tools)" bash scripts/setup.sh build
step "aiguard CLI (native)" cargo build --release --quiet -p aiguard-cli
mkdir -p target/extension
# Chrome's extension id follows from the manifest key (the development key's here; `aiguard pack`
# puts the company's id in the rules it packs), so its static rules can carry the original URL to
# the warn page; Firefox's origin is random per profile.
step "static rulesets for the built-in policy" bash -c '
  id=$(target/release/aiguard pack --key manifest/dev-key.pem --print-id) &&
  target/release/aiguard dnr --extension-base "chrome-extension://$id" > target/extension/default-rules-chrome.json
  target/release/aiguard dnr > target/extension/default-rules-firefox.json'
step "wasm engine" bash scripts/build-wasm.sh
step "browser packages" node scripts/package.mjs target/wasm-pkg target/extension
