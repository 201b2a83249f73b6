//! Compiles SQLCipher into one static library, `libsqlcipher.a`, for libsqlite3-sys to link.
//!
//! Crypto provider by target:
//! - Apple: CommonCrypto (part of the OS);
//! - everything else: LibTomCrypt from `sqlcipher-src`, configured by `c/ltc-config.h` down to the
//!   algorithms SQLCipher uses, with OS randomness from `c/ltc-entropy.c`.
//!
//! The SQLite options are the ones libsqlite3-sys uses for its bundled build, so behaviour does not
//! change with the provider (foreign keys on by default, FTS5, JSON, ...).

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_vendor = env::var("CARGO_CFG_TARGET_VENDOR").unwrap_or_default();
    let source_dir = sqlcipher_src::source_dir();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=c");

    let mut sqlite = sqlite_build(source_dir, &target_os);
    let mut objects = Vec::new();
    let provider = if target_vendor == "apple" {
        sqlite.define("SQLCIPHER_CRYPTO_CC", None).define("SQLITE_EXTRA_INIT", "sqlcipher_extra_init");
        println!("cargo:rustc-link-lib=framework=Security");
        println!("cargo:rustc-link-lib=framework=CoreFoundation");
        "commoncrypto"
    } else {
        let ltc_headers = source_dir.join(sqlcipher_src::LIBTOMCRYPT_INCLUDE_DIR);
        let config = here.join("c/ltc-config.h");
        sqlite
            .define("SQLCIPHER_CRYPTO_LIBTOMCRYPT", None)
            .define("SQLITE_EXTRA_INIT", "sotay_sqlcipher_extra_init")
            .include(&ltc_headers)
            .flag("-include")
            .flag(config.to_str().expect("the crate path is UTF-8"));
        let mut ltc = cc::Build::new();
        ltc.include(&ltc_headers)
            .flag("-include")
            .flag(config.to_str().expect("the crate path is UTF-8"))
            .define("LTC_SOURCE", None)
            // Small and hot (every page is encrypted and MACed): optimise even in debug builds.
            .opt_level(2)
            .warnings(false)
            .files(sqlcipher_src::LIBTOMCRYPT_SOURCES.iter().map(|s| source_dir.join(s)))
            .file(here.join("c/ltc-entropy.c"));
        objects.extend(ltc.compile_intermediates());
        "libtomcrypt"
    };
    objects.extend(sqlite.compile_intermediates());

    // One archive, so the linker resolves SQLCipher's calls into LibTomCrypt within it whatever
    // order the libraries come in. Linked as a static library of this crate, so that it is also
    // bundled into static libraries built from it (the iOS XCFramework); its directory is on the
    // search path for libsqlite3-sys's own `-lsqlcipher`, which then finds the same archive (the
    // linker takes each member once).
    cc::Build::new().objects(&objects).cargo_metadata(false).compile("sqlcipher");
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-lib=static=sqlcipher");
    println!("cargo:rustc-env=SOTAY_SQLCIPHER_PROVIDER={provider}");
}

fn sqlite_build(source_dir: &Path, target_os: &str) -> cc::Build {
    let mut build = cc::Build::new();
    build
        .file(source_dir.join(sqlcipher_src::SOURCE_FILE))
        .include(source_dir)
        .warnings(false);
    for flag in [
        "SQLITE_CORE",
        "SQLITE_DEFAULT_FOREIGN_KEYS=1",
        "SQLITE_ENABLE_API_ARMOR",
        "SQLITE_ENABLE_COLUMN_METADATA",
        "SQLITE_ENABLE_DBSTAT_VTAB",
        "SQLITE_ENABLE_FTS3",
        "SQLITE_ENABLE_FTS3_PARENTHESIS",
        "SQLITE_ENABLE_FTS5",
        "SQLITE_ENABLE_JSON1",
        "SQLITE_ENABLE_RTREE",
        "SQLITE_ENABLE_STAT4",
        "SQLITE_SOUNDEX",
        "SQLITE_THREADSAFE=1",
        "SQLITE_USE_URI",
        "HAVE_USLEEP=1",
        "HAVE_ISNAN",
        "HAVE_STDINT_H=1",
        "SQLITE_HAS_CODEC",
        "SQLITE_EXTRA_SHUTDOWN=sqlcipher_extra_shutdown",
    ] {
        match flag.split_once('=') {
            Some((name, value)) => build.define(name, value),
            None => build.define(flag, None),
        };
    }
    if target_os != "windows" {
        build.define("HAVE_LOCALTIME_R", None);
    }
    // SQLCipher wants temporary tables in memory (2 = unless asked otherwise). Android has no
    // writable temp directory for SQLite to find, so there it is always memory (3), as in AOSP.
    build.define("SQLITE_TEMP_STORE", if target_os == "android" { "3" } else { "2" });
    build
}
