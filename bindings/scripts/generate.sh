#!/usr/bin/env bash
# Build sotay-ffi for this host and generate its Kotlin and Swift bindings in library mode
# (the interface is read from the built library's metadata; bindings/uniffi.toml configures it).
#
#   bindings/scripts/generate.sh [OUT_DIR]        default OUT_DIR: bindings/generated (git-ignored)
#
# Environment: PROFILE (cargo profile, default dev), CARGO_TARGET_DIR (default ./target).
# Prints the path of the built library on its last line. Generated code is never edited by hand.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-bindings/generated}"
profile="${PROFILE:-dev}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
profile_dir="$profile"; [ "$profile" = dev ] && profile_dir=debug

cargo build --locked -q -p sotay-ffi --lib --profile "$profile"
cargo build --locked -q -p sotay-ffi --features cli --bin uniffi-bindgen
case "$(uname -s)" in
  Darwin) lib="$target_dir/$profile_dir/libsotay_ffi.dylib" ;;
  *) lib="$target_dir/$profile_dir/libsotay_ffi.so" ;;
esac

rm -rf "$out/kotlin" "$out/swift"
mkdir -p "$out/kotlin" "$out/swift"
bindgen="$target_dir/debug/uniffi-bindgen"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format
"$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift" --no-format
echo "$lib"
