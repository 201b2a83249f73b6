#!/usr/bin/env bash
# Android packaging: libsotay_ffi.so for arm64-v8a, armeabi-v7a and x86_64 (release-mobile,
# SQLCipher with LibTomCrypt from sotay-sqlcipher) laid out as jniLibs, plus the generated Kotlin.
#
#   bindings/scripts/build-android.sh [OUT_DIR]     default OUT_DIR: bindings/dist/android
#
# Needs: the Android NDK (ANDROID_NDK_HOME), cargo-ndk (`cargo install cargo-ndk`), and
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
# The app then takes OUT_DIR/jniLibs as its jniLibs source dir, OUT_DIR/kotlin as a source dir,
# and depends on "net.java.dev.jna:jna:<version>@aar".
# Not run in CI (no NDK there); see bindings/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-bindings/dist/android}"
api="${ANDROID_MIN_SDK:-24}"

: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the Android NDK}"
command -v cargo-ndk >/dev/null || { echo "cargo-ndk is needed: cargo install cargo-ndk" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/jniLibs" "$out/kotlin"
cargo ndk --platform "$api" -t arm64-v8a -t armeabi-v7a -t x86_64 -o "$out/jniLibs" \
  build --locked -p sotay-ffi --lib --profile release-mobile

# The bindings come from a host build: the stripped phone libraries carry no uniffi metadata.
gen="$(mktemp -d)"
bindings/scripts/generate.sh "$gen" >/dev/null
cp -R "$gen/kotlin/." "$out/kotlin/"
rm -rf "$gen"

find "$out/jniLibs" -name '*.so' -exec ls -l {} \;
echo "Kotlin: $out/kotlin"
