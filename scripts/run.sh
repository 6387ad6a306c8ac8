#!/usr/bin/env bash
# Build everything and show it working: the README's first command.
source "$(dirname "$0")/lib.sh"
bash scripts/build.sh
bash scripts/setup.sh test   # the demo needs Chromium
step "demo" node scripts/demo.mjs
