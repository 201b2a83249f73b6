#!/usr/bin/env bash
# Size of the phone library (a benchmark, not a test: kept out of scripts/test.sh).
#
# Builds libsotay_ffi.so for this host with the `release-mobile` profile (opt-level z, fat LTO,
# one codegen unit, stripped, panic = unwind) twice:
#   1. as shipped to phones: SQLCipher with OpenSSL's libcrypto built from source and linked in
#      (feature `vendored-openssl`), plus rustls, ring and uniffi;
#   2. the same library with SQLCipher linked against the system's libcrypto.so (not shippable,
#      phones have none): the difference is what the vendored OpenSSL costs.
# Only the cdylib is built (the staticlib for iOS would double the LTO time).
#
#   bindings/scripts/size-report.sh [--by-crate]    CARGO_TARGET_DIR as usual (default ./target)
#
# --by-crate also builds variant 2 unstripped and sums its symbol sizes by crate (nm), to show
# where the non-OpenSSL part goes.
set -euo pipefail
cd "$(dirname "$0")/../.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
profile=release-mobile
lib="$target_dir/$profile/libsotay_ffi.so"
out="$target_dir/size-report"
mkdir -p "$out"

build() { # FEATURES COPY_AS
  cargo rustc --locked -q -p sotay-ffi --lib --profile "$profile" --crate-type cdylib ${1:+--features "$1"}
  cp "$lib" "$out/$2"
}

build vendored-openssl libsotay_ffi.vendored-openssl.so
build "" libsotay_ffi.system-libcrypto.so

size_of() { stat -c %s "$out/$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB (%.2f MiB)", b / 1e6, b / 1048576 }'; }
vendored=$(size_of libsotay_ffi.vendored-openssl.so)
system=$(size_of libsotay_ffi.system-libcrypto.so)
host=$(rustc -vV | sed -n 's/^host: //p')

echo "profile:  $profile (opt-level z, lto, codegen-units 1, strip, panic unwind)"
echo "target:   $host"
echo "shipped (SQLCipher + vendored OpenSSL, rustls, ring, uniffi): $vendored bytes = $(mb "$vendored")"
echo "same, SQLCipher on the system libcrypto.so:                   $system bytes = $(mb "$system")"
echo "vendored OpenSSL adds:                                        $((vendored - system)) bytes = $(mb $((vendored - system)))"
echo "libcrypto needed at run time by each:"
for f in libsotay_ffi.vendored-openssl.so libsotay_ffi.system-libcrypto.so; do
  printf '  %-36s %s\n' "$f" "$( (ldd "$out/$f" | grep -o 'libcrypto[^ ]*' || echo none) | head -1)"
done
if [ "${1:-}" = --by-crate ]; then
  CARGO_PROFILE_RELEASE_MOBILE_STRIP=false \
    cargo rustc --locked -q -p sotay-ffi --lib --profile "$profile" --crate-type cdylib
  cp "$lib" "$out/libsotay_ffi.unstripped.so"
  echo "symbol bytes by crate (SQLCipher on system libcrypto, unstripped; top 20):"
  nm -C --size-sort -S -t d "$out/libsotay_ffi.unstripped.so" | awk '
    NF >= 4 {
      size = $2 + 0; name = $4
      for (i = 5; i <= NF; i++) name = name " " $i
      sub(/^</, "", name); sub(/^_</, "", name)
      if (name ~ /^(sqlite3|sqlcipher)/) crate = "sqlite/sqlcipher (C)"
      else if (name ~ /^(ZSTD|HUF|FSE|HIST|ZDICT|COVER|POOL)/) crate = "zstd (C)"
      else if (name ~ /^(ring_core|GFp|p256|p384|x25519|ChaCha20|CRYPTO|aes_|ecp_nistz)/) crate = "ring (C/asm)"
      else if (match(name, /^[A-Za-z_][A-Za-z0-9_]*::/)) crate = substr(name, 1, RLENGTH - 2)
      else crate = "(other)"
      total[crate] += size
    }
    END { for (c in total) printf "%10d  %s\n", total[c], c }' | sort -rn | head -20
fi

goal=8000000
if [ "$vendored" -le "$goal" ]; then echo "goal (< 8 MB): met"; else echo "goal (< 8 MB): MISSED"; fi
