# Shared helpers for the build and test scripts. Source it; don't run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Versions the project pins outside Cargo.lock and package-lock.json.
GECKODRIVER_VERSION=0.37.1

say()  { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# Time a step and print how long it took.
step() {
  local name=$1; shift
  local t0=$SECONDS
  say "$name"
  "$@"
  say "$name: done in $((SECONDS - t0)) s"
}
