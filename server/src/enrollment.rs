//! Enrollment codes and handover: the admin side of binding phones to people and units.

use qrcode::QrCode;
use qrcode::render::unicode;
use ring::rand::{SecureRandom, SystemRandom};
use sotay_core::record::sha256_hex;
use uuid::Uuid;

use crate::storage::{NewEnrollment, NewUser, Role, Storage, StorageError, StorageResult, User};

/// How long a code stays valid: long enough to hand it out at a commune meeting.
pub const CODE_TTL_MS: i64 = 72 * 3600 * 1000;
/// Crockford base32: no I, L, O, U, so a code read aloud or typed is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 12;

/// A fresh code, shown as `XXXX-XXXX-XXXX` (60 random bits).
pub fn new_code() -> String {
    let mut bytes = [0u8; CODE_LEN];
    // SystemRandom fails only when the OS has no randomness at all.
    let _ = SystemRandom::new().fill(&mut bytes);
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code as typed (any case, with or without dashes or spaces), in canonical form.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// What the server stores instead of the code.
pub fn code_hash(code: &str) -> String {
    sha256_hex(normalize(code).as_bytes())
}

/// An issued code, to print once.
pub struct IssuedCode {
    pub code: String,
    pub user: User,
    pub expires_at: i64,
}

/// Issue a one-time code for `user` (bound to the user's unit).
pub fn issue_code(storage: &dyn Storage, user: &User, now: i64) -> StorageResult<IssuedCode> {
    if !user.active {
        return Err(StorageError::Invalid("the user is not active".into()));
    }
    let code = new_code();
    let expires_at = now + CODE_TTL_MS;
    storage.create_enrollment(NewEnrollment { code_hash: code_hash(&code), user: user.id, unit: user.unit, created_at: now, expires_at })?;
    Ok(IssuedCode { code, user: user.clone(), expires_at })
}

/// Hand a village over to a new head: the old heads' devices are revoked (they get a wipe
/// instruction on next contact) and their accounts closed; everything they synced stays, as it
/// belongs to the unit. Returns the new head with a code for their phone.
pub fn handover(storage: &dyn Storage, unit: Uuid, new_head_name: &str, now: i64) -> StorageResult<IssuedCode> {
    for old in storage.users_at_unit(unit)?.into_iter().filter(|u| u.role == Role::VillageHead && u.active) {
        for device in storage.devices_of_user(old.id)? {
            storage.revoke_device(device.id, now)?;
        }
        storage.set_user_active(old.id, false)?;
        tracing::info!(user = %old.id, unit = %unit, "village head handed over");
    }
    let user = storage.create_user(
        NewUser { login: None, name: new_head_name.to_string(), role: Role::VillageHead, unit, password_hash: None },
        now,
    )?;
    issue_code(storage, &user, now)
}

/// What the phone scans: the server address and the code.
pub fn qr_payload(server_url: &str, code: &str) -> String {
    format!("sotay://enroll?server={}&code={}", server_url, normalize(code))
}

/// The QR code drawn with Unicode half blocks, for a terminal.
pub fn qr_terminal(payload: &str) -> String {
    match QrCode::new(payload.as_bytes()) {
        Ok(code) => code.render::<unicode::Dense1x2>().dark_color(unicode::Dense1x2::Light).light_color(unicode::Dense1x2::Dark).build(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_whatever_the_typing() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code_hash(&code), code_hash(&code.to_lowercase().replace('-', " ")));
        assert_eq!(normalize("abcd-efgh-oil1"), "ABCDEFGH0111");
        assert!(!qr_terminal(&qr_payload("http://127.0.0.1:8080", &code)).is_empty());
    }
}
