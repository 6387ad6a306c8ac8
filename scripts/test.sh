#!/usr/bin/env bash
# Runs every test: the README's second command (and what CI runs).
source "$(dirname "$0")/lib.sh"
t0=$SECONDS

step "setup (build and test tools)" bash scripts/setup.sh test
step "build" bash scripts/build.sh
step "engine, file decoder and CLI tests (native)" cargo test --quiet -p aiguard-engine -p aiguard-files -p aiguard-cli
step "wasm engine under Node (shared vectors)" node --test tests/wasm/url_vectors.test.mjs tests/wasm/content_vectors.test.mjs tests/wasm/fingerprint.test.mjs tests/wasm/files.test.mjs tests/wasm/bundle.test.mjs
step "Firefox package lint (web-ext)" node_modules/.bin/web-ext lint --source-dir dist/firefox --no-input --warnings-as-errors=false
step "test pages with real editors (no extension)" node --test tests/e2e/composer-page.test.mjs
# A browser or driver left behind must not hold a finished test file open (Node 20.14+).
FORCE_EXIT=$(node --test-force-exit -e '' 2>/dev/null && echo --test-force-exit)
step "browser end-to-end: Chromium" node --test --test-concurrency=1 $FORCE_EXIT tests/e2e/chromium.test.mjs tests/e2e/content.chromium.test.mjs tests/e2e/hostile.chromium.test.mjs tests/e2e/sidedoors.chromium.test.mjs tests/e2e/files.chromium.test.mjs tests/e2e/bundles.chromium.test.mjs tests/e2e/locked.chromium.test.mjs tests/e2e/forceinstall.chromium.test.mjs tests/e2e/reporting.chromium.test.mjs tests/e2e/console.chromium.test.mjs tests/e2e/popup.chromium.test.mjs
step "browser end-to-end: Firefox ESR" node --test --test-concurrency=1 $FORCE_EXIT tests/e2e/firefox.test.mjs tests/e2e/content.firefox.test.mjs tests/e2e/bundles.firefox.test.mjs tests/e2e/locked.firefox.test.mjs tests/e2e/forceinstall.firefox.test.mjs tests/e2e/reporting.firefox.test.mjs tests/e2e/console.firefox.test.mjs

say "all tests passed in $((SECONDS - t0)) s"
