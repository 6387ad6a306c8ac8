#!/usr/bin/env bash
# Installs what building and testing AIGuard needs, and only what is missing, so it is cheap to
# run every time. Usage: scripts/setup.sh [build|test|bench]   (default: test, which includes
# build; bench adds the peer tools the benchmarks compare against)
source "$(dirname "$0")/lib.sh"
WHAT=${1:-test}

# --- Debian packages ---------------------------------------------------------------------
need_pkgs=()
pkg_missing() { ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# The wasm32 target: rustup's if it has it, otherwise Debian's rustc-web with std sources.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  :
else
  for p in rustc-web cargo-web rust-web-src lld; do pkg_missing "$p" && need_pkgs+=("$p"); done
fi
pkg_missing zip && need_pkgs+=(zip)
if [ "$WHAT" = test ] || [ "$WHAT" = bench ]; then
  for p in chromium firefox-esr openssl; do pkg_missing "$p" && need_pkgs+=("$p"); done
fi
if [ "$WHAT" = bench ]; then
  # Dolos compiles its tree-sitter grammars against the system Node's headers.
  for p in g++ make python3; do pkg_missing "$p" && need_pkgs+=("$p"); done
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! have sudo; then
    die "missing Debian packages: ${need_pkgs[*]} (install them as root: apt-get install ${need_pkgs[*]})"
  fi
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  say "installing Debian packages: ${need_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# --- Node packages (wasm-opt, test drivers, web-ext) ---------------------------------------
have node || die "Node.js 18+ is required (apt-get install nodejs npm)"
have npm || die "npm is required (apt-get install npm)"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Dolos (the fingerprint benchmark's peer; benchmarks only) -----------------------------
if [ "$WHAT" = bench ]; then
  dolos=tests/bench/dolos
  if [ ! -f "$dolos/node_modules/.package-lock.json" ] || [ "$dolos/package-lock.json" -nt "$dolos/node_modules/.package-lock.json" ]; then
    [ -f /usr/include/node/node_api.h ] || die "Dolos needs Node's C headers in /usr/include/node (Debian's nodejs package has them)"
    say "installing Dolos for the fingerprint benchmark (compiles tree-sitter grammars, about 2 minutes, once)"
    # nodedir: node-gyp would otherwise download the headers from nodejs.org.
    (cd "$dolos" && npm_config_nodedir=/usr npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# --- geckodriver (Firefox tests) -------------------------------------------------------
if [ "$WHAT" = test ] || [ "$WHAT" = bench ]; then
  if ! have geckodriver || [ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
    say "building geckodriver $GECKODRIVER_VERSION (about 2 minutes, once)"
    cargo install geckodriver --version "=$GECKODRIVER_VERSION" --locked --quiet \
      || cargo install geckodriver --version "=$GECKODRIVER_VERSION" --quiet
  fi
fi
