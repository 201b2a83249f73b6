//! SQLCipher for sotay's stores, built from the `sqlcipher-src` amalgamation with a crypto provider
//! small enough for a phone.
//!
//! rusqlite's `bundled-sqlcipher` links OpenSSL's whole libcrypto (about 4.5 MB on Android), of
//! which SQLCipher uses AES-256-CBC, HMAC-SHA512, PBKDF2 and a random source. This crate's build
//! script compiles SQLCipher instead with:
//! - LibTomCrypt, configured down to exactly those algorithms (Android, Linux, Windows);
//! - CommonCrypto on Apple platforms, which ship it.
//!
//! Files are standard SQLCipher 4 files whichever provider wrote them (see the tests).
//!
//! The library is named `sqlcipher` so that libsqlite3-sys, with its `sqlcipher` feature and no
//! `bundled*` feature, links it. Nothing here is called from Rust; a crate that opens stores names
//! this one (`use sotay_sqlcipher as _;`) so that it is linked.

/// The crypto provider this build of SQLCipher uses, as `PRAGMA cipher_provider` reports it.
pub const CRYPTO_PROVIDER: &str = env!("SOTAY_SQLCIPHER_PROVIDER");
