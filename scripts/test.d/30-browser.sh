#!/usr/bin/env bash
# Browser tests of the dashboard: a real server with the demo district, driven in headless
# Chromium (Debian's chromium) by playwright-core. Screenshots go to target/e2e-screenshots.
# In CI (CI=true) missing tools are an error; on a developer machine the tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."

chromium="${CHROMIUM:-/usr/bin/chromium}"
missing=()
[ -x "$chromium" ] || missing+=("chromium")
command -v node >/dev/null || missing+=("node")
command -v npm >/dev/null || missing+=("npm")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "browser tests need: ${missing[*]} (see scripts/ci-packages.txt)" >&2
    exit 1
  fi
  echo "browser tests skipped: ${missing[*]} not installed"
  exit 0
fi

target="${CARGO_TARGET_DIR:-target}"
cargo build -p sotay-server --locked --quiet
# playwright-core from the committed lock file, into tests/browser/node_modules (ignored by git).
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
SOTAY_SERVER_BIN="$(cd "$target" && pwd)/debug/sotay-server" CHROMIUM="$chromium" \
  node --test --test-concurrency=1 tests/browser/
