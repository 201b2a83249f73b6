#!/usr/bin/env bash
# The Kotlin bindings on the JVM: build libsotay_ffi and sotay-server (debug), generate the
# Kotlin bindings, and run the JUnit tests of bindings/jvm against them.
set -euo pipefail
cd "$(dirname "$0")/../.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
  echo "20-kotlin-jvm: maven and a JDK are needed (scripts/ci-packages.txt); failing" >&2
  exit 1
fi

cargo build --locked -q -p sotay-server
bindings/scripts/generate.sh >/dev/null

cd bindings/jvm
rm -rf target/surefire-reports
status=0
mvn -q -B -Dstyle.color=never test -Dsotay.lib.dir="$target_dir/debug" || status=$?
echo # Maven may leave a colour reset without a newline
# One closing line with the counts (mvn -q prints none on success).
passed=0; failed=0; skipped=0
for report in target/surefire-reports/TEST-*.xml; do
  [ -e "$report" ] || continue
  read -r t f e s < <(sed -n 's/.*<testsuite [^>]*tests="\([0-9]*\)" errors="\([0-9]*\)" skipped="\([0-9]*\)" failures="\([0-9]*\)".*/\1 \4 \2 \3/p' "$report" | head -1)
  passed=$((passed + t - f - e - s)); failed=$((failed + f + e)); skipped=$((skipped + s))
done
echo "kotlin: $passed passed, $failed failed, $skipped skipped"
exit "$status"
