//! Request signing with the device's Ed25519 key (ring). The signed text binds the method, the
//! path with its query, the SHA-256 of the body as sent, the time, a one-time nonce and the key
//! id, so the server can refuse tampering, replays and stale requests.

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, Ed25519KeyPair, KeyPair};

use crate::record::{hex, sha256_hex};
use crate::{Error, Result, Rule};

/// The text both sides sign and verify.
pub fn signing_input(method: &str, path_and_query: &str, body: &[u8], created_secs: i64, nonce: &str, key_id: &str) -> String {
    format!(
        "sotay-v1\n{}\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path_and_query,
        sha256_hex(body),
        created_secs,
        nonce,
        key_id
    )
}

/// A device's key pair, kept as PKCS#8 in the encrypted store.
pub struct DeviceKey {
    pair: Ed25519KeyPair,
    pkcs8: Vec<u8>,
}

impl DeviceKey {
    pub fn generate() -> Result<DeviceKey> {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| Error::Store("could not generate a key".into()))?;
        Self::from_pkcs8(pkcs8.as_ref())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<DeviceKey> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| Error::validation("key", Rule::Invalid { expected: "an Ed25519 PKCS#8 key" }))?;
        Ok(DeviceKey { pair, pkcs8: pkcs8.to_vec() })
    }

    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn public_key_hex(&self) -> String {
        hex(self.pair.public_key().as_ref())
    }

    /// Signature over `signing_input(..)`, lowercase hex.
    pub fn sign(&self, input: &str) -> String {
        hex(self.pair.sign(input.as_bytes()).as_ref())
    }
}

/// A fresh random nonce, 16 bytes as hex.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    // SystemRandom only fails if the OS has no randomness at all.
    let _ = SystemRandom::new().fill(&mut bytes);
    hex(&bytes)
}

/// Check a hex signature against a hex public key.
pub fn verify(public_key_hex: &str, input: &str, signature_hex: &str) -> bool {
    let (Some(key), Some(sig)) = (unhex(public_key_hex), unhex(signature_hex)) else {
        return false;
    };
    signature::UnparsedPublicKey::new(&signature::ED25519, key).verify(input.as_bytes(), &sig).is_ok()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_the_same_request() {
        let key = DeviceKey::generate().unwrap();
        let input = signing_input("post", "/api/v1/push", b"{}", 1_700_000_000, "abc", "dev1");
        let sig = key.sign(&input);
        assert!(verify(&key.public_key_hex(), &input, &sig));
        let tampered = signing_input("POST", "/api/v1/push", b"{ }", 1_700_000_000, "abc", "dev1");
        assert!(!verify(&key.public_key_hex(), &tampered, &sig));
        assert!(!verify("zz", &input, &sig));
        let again = DeviceKey::from_pkcs8(key.pkcs8()).unwrap();
        assert_eq!(again.public_key_hex(), key.public_key_hex());
    }
}
