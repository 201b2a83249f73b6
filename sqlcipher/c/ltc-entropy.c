/* Where LibTomCrypt's random bytes come from: the kernel's getrandom(2) where there is one, then
 * LibTomCrypt's own /dev/urandom reader. Its clock-based last resort aborts (ltc-config.h). */
#include <stdlib.h>
#include <tomcrypt.h>

#if defined(__linux__)
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

static unsigned long sotay_getrandom(unsigned char *out, unsigned long len, void (*callback)(void)) {
  unsigned long done = 0;
  (void)callback;
#ifdef SYS_getrandom
  while (done < len) {
    long n = syscall(SYS_getrandom, out + done, len - done, 0);
    if (n > 0) {
      done += (unsigned long)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return 0; /* old kernel without getrandom: LibTomCrypt reads /dev/urandom instead */
    }
  }
#endif
  return done;
}
#endif

long sotay_ltc_no_clock(void) { abort(); }

int sqlcipher_extra_init(const char *arg);

/* Runs where SQLCipher's own initialisation would (SQLITE_EXTRA_INIT), before any key is used. */
int sotay_sqlcipher_extra_init(const char *arg) {
#if defined(__linux__)
  ltc_rng = sotay_getrandom;
#endif
  return sqlcipher_extra_init(arg);
}
