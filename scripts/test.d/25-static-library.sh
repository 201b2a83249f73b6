#!/usr/bin/env bash
# The static library the iOS XCFramework is made of (bindings/scripts/build-ios.sh) must carry
# SQLCipher itself: Xcode links nothing else. Built here for the host in debug and checked with nm:
# SQLite's entry point and SQLCipher's crypto are defined inside it, and so is the uniffi API.
set -euo pipefail
cd "$(dirname "$0")/../.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

cargo rustc --locked -q -p sotay-ffi --lib --crate-type staticlib
lib="$target_dir/debug/libsotay_ffi.a"
defined=$(nm -g --defined-only "$lib" 2>/dev/null | awk '{print $3}')
status=0
for symbol in sqlite3_open_v2 sqlite3_key_v2 rijndael_ecb_encrypt; do
  if ! grep -qx "$symbol" <<<"$defined"; then
    echo "static library: $symbol is not defined in $lib" >&2
    status=1
  fi
done
if ! grep -q '^uniffi_sotay_ffi_fn_' <<<"$defined"; then
  echo "static library: no uniffi API in $lib" >&2
  status=1
fi
[ "$status" = 0 ] && echo "static library: SQLCipher, LibTomCrypt and the uniffi API are inside"
exit "$status"
