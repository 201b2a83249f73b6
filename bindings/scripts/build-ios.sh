#!/usr/bin/env bash
# iOS packaging (macOS with Xcode only): a static libsotay_ffi for devices (aarch64-apple-ios) and
# the simulator (aarch64-apple-ios-sim + x86_64-apple-ios, joined with lipo), wrapped as
# SotayFFI.xcframework with the generated C header and module map, and the generated Swift copied
# into the Swift package in bindings/swift (`import Sotay`).
#
#   bindings/scripts/build-ios.sh
#
# SQLCipher uses Apple's CommonCrypto here (sotay-sqlcipher picks it for Apple targets), so the iOS
# library carries no crypto library of its own.
#
# Needs: Xcode command line tools, and
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# Not run in CI (Linux); see bindings/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -s)" = Darwin ] || { echo "build-ios.sh runs on macOS with Xcode" >&2; exit 1; }
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
profile=release-mobile
pkg=bindings/swift
work="$target_dir/ios-package"

for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo rustc --locked -p sotay-ffi --lib --profile "$profile" --target "$t" --crate-type staticlib
done

rm -rf "$work" "$pkg/SotayFFI.xcframework"
mkdir -p "$work/headers" "$work/sim" "$work/gen"
bindings/scripts/generate.sh "$work/gen" >/dev/null
cp "$work/gen/swift/SotayFFI.h" "$work/headers/"
cp "$work/gen/swift/SotayFFI.modulemap" "$work/headers/module.modulemap"

lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/libsotay_ffi.a" \
  "$target_dir/x86_64-apple-ios/$profile/libsotay_ffi.a" \
  -output "$work/sim/libsotay_ffi.a"

xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/$profile/libsotay_ffi.a" -headers "$work/headers" \
  -library "$work/sim/libsotay_ffi.a" -headers "$work/headers" \
  -output "$pkg/SotayFFI.xcframework"

mkdir -p "$pkg/Sources/Sotay"
cp "$work/gen/swift/Sotay.swift" "$pkg/Sources/Sotay/Sotay.swift"
echo "Swift package ready: $pkg (add it to the Xcode project as a local package, import Sotay)"
