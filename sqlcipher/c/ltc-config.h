/* LibTomCrypt configuration for SQLCipher's provider: only the algorithms it uses. Every
 * LibTomCrypt unit and SQLCipher itself are compiled with this header first, so that their
 * struct layouts agree. */
#ifndef SOTAY_LTC_CONFIG_H
#define SOTAY_LTC_CONFIG_H

#define LTC_NOTHING
#define LTC_RIJNDAEL
#define LTC_CBC_MODE
#define LTC_SHA1
#define LTC_SHA256
#define LTC_SHA512
#define LTC_HASH_HELPERS
#define LTC_HMAC
#define LTC_FORTUNA
#define LTC_PKCS_5
#define LTC_RNG_GET_BYTES
#define LTC_PRNG_ENABLE_LTC_RNG
#define LTC_DEVRANDOM
#define LTC_TRY_URANDOM_FIRST
#define LTC_NO_TEST
#define LTC_NO_MATH
#define LTC_CLEAN_STACK
/* A bad argument returns CRYPT_INVALID_ARG instead of aborting the app. */
#define ARGTYPE 4
/* rng_get_bytes ends in a clock-jitter generator, far too weak for keys and IVs. Reaching it means
 * the OS gave no randomness at all: stop rather than encrypt with guessable IVs. */
#define XCLOCK sotay_ltc_no_clock
#define XCLOCKS_PER_SEC 1
long sotay_ltc_no_clock(void);

#endif
