#!/usr/bin/env bash
# Size of the phone library (a benchmark, not a test: kept out of scripts/test.sh).
#
# Builds libsotay_ffi.so for this host with the `release-mobile` profile (opt-level z, fat LTO,
# one codegen unit, stripped, panic = unwind), as shipped to Android: SQLCipher with LibTomCrypt
# (sotay-sqlcipher), rustls + ring, reqwest, zstd and uniffi. Only the cdylib is built (the
# staticlib for iOS would double the LTO time).
#
#   bindings/scripts/size-report.sh [--by-crate]    CARGO_TARGET_DIR as usual (default ./target)
#
# --by-crate also builds it unstripped and sums its symbol sizes by crate (nm).
set -euo pipefail
cd "$(dirname "$0")/../.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
profile=release-mobile
lib="$target_dir/$profile/libsotay_ffi.so"
out="$target_dir/size-report"
mkdir -p "$out"

cargo rustc --locked -q -p sotay-ffi --lib --profile "$profile" --crate-type cdylib
cp "$lib" "$out/libsotay_ffi.so"
shipped=$(stat -c %s "$out/libsotay_ffi.so")
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB (%.2f MiB)", b / 1e6, b / 1048576 }'; }
host=$(rustc -vV | sed -n 's/^host: //p')

echo "profile:  $profile (opt-level z, lto, codegen-units 1, strip, panic unwind)"
echo "target:   $host"
echo "libsotay_ffi.so (SQLCipher + LibTomCrypt, rustls, ring, reqwest, zstd, uniffi): $shipped bytes = $(mb "$shipped")"
echo "shared libraries it needs: $(ldd "$out/libsotay_ffi.so" | awk '{print $1}' | tr '\n' ' ')"
if [ "${1:-}" = --by-crate ]; then
  CARGO_PROFILE_RELEASE_MOBILE_STRIP=false \
    cargo rustc --locked -q -p sotay-ffi --lib --profile "$profile" --crate-type cdylib
  cp "$lib" "$out/libsotay_ffi.unstripped.so"
  echo "symbol bytes by crate (unstripped; top 20):"
  nm -C --size-sort -S -t d "$out/libsotay_ffi.unstripped.so" | awk '
    NF >= 4 {
      size = $2 + 0; name = $4
      for (i = 5; i <= NF; i++) name = name " " $i
      sub(/^</, "", name); sub(/^_</, "", name)
      if (name ~ /^(sqlite3|sqlcipher)/) crate = "sqlite/sqlcipher (C)"
      else if (name ~ /^(aes_|rijndael|sha1_|sha256_|sha512_|hmac_|fortuna|cbc_|pkcs_5|register_|find_|crypt_|rng_|ltc_|zeromem|burn_stack|hash_)/) crate = "libtomcrypt (C)"
      else if (name ~ /^(ZSTD|HUF|FSE|HIST|ZDICT|COVER|POOL)/) crate = "zstd (C)"
      else if (name ~ /^(ring_core|GFp|p256|p384|x25519|ChaCha20|CRYPTO|aes_|ecp_nistz)/) crate = "ring (C/asm)"
      else if (match(name, /^[A-Za-z_][A-Za-z0-9_]*::/)) crate = substr(name, 1, RLENGTH - 2)
      else crate = "(other)"
      total[crate] += size
    }
    END { for (c in total) printf "%10d  %s\n", total[c], c }' | sort -rn | head -20
fi

goal=8000000
if [ "$shipped" -le "$goal" ]; then echo "goal (< 8 MB): met"; else echo "goal (< 8 MB): MISSED"; fi
