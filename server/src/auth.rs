//! Passwords of web users (argon2id, PHC strings) and random tokens.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use ring::rand::{SecureRandom, SystemRandom};

/// An argon2id PHC string for `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    SystemRandom::new().fill(&mut salt).map_err(|_| "no randomness".to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random secret of `len` characters from an alphabet without look-alikes.
pub fn random_secret(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = vec![0u8; len];
    let _ = SystemRandom::new().fill(&mut bytes);
    // 256 is not a multiple of the alphabet's size; the slight bias is harmless at this length.
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let hash = hash_password("mật khẩu").unwrap();
        assert!(verify_password("mật khẩu", &hash));
        assert!(!verify_password("mat khau", &hash));
        assert!(!verify_password("mật khẩu", "not a hash"));
        assert_eq!(random_secret(16).len(), 16);
    }
}
