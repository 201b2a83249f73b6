#!/usr/bin/env bash
# Runs every test of the project: Rust (core, server, bindings, end-to-end), then the Kotlin
# tests of the bindings on the JVM and the browser tests of the dashboard when their tools exist.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

cargo test --workspace --locked

for extra in scripts/test.d/*.sh; do
  [ -e "$extra" ] || continue
  echo "== $extra"
  bash "$extra"
done
