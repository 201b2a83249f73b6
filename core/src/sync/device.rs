//! The device's bond with the server: enrollment (a fresh Ed25519 key registered with a one-time
//! code), what it keeps in the encrypted store's meta table, and the wipe a revoked device does.

use uuid::Uuid;

use super::progress::CancelToken;
use super::protocol::{EnrollRequest, EnrollResponse, PATH_ENROLL};
use super::signing::{DeviceKey, unhex};
use super::transport::{self, Request, RetryPolicy, Signer, Transport, WireStats};
use crate::record::hex;
use crate::store::{Store, meta_get, meta_set};
use crate::{Error, Result, Rule};

const META_SERVER_URL: &str = "sync.server_url";
const META_KEY_ID: &str = "sync.device_id";
const META_KEY: &str = "sync.key_pkcs8";
const META_UNIT: &str = "sync.unit";
const META_UNIT_NAME: &str = "sync.unit_name";
const META_USER_NAME: &str = "sync.user_name";
pub(crate) const META_PULL_CURSOR: &str = "sync.pull_cursor";

/// What an enrolled device knows of its enrollment (never the key).
#[derive(Debug, Clone, PartialEq)]
pub struct Enrollment {
    pub server_url: String,
    /// The key id the server knows this device by.
    pub device_id: Uuid,
    pub unit: Uuid,
    pub unit_name: String,
    pub user_name: String,
}

/// Register this device with the server using a one-time enrollment code, and keep the key,
/// the device id, the server address and the unit in the store.
pub fn enroll(store: &Store, server_url: &str, code: &str, device_name: &str) -> Result<Enrollment> {
    enroll_with(store, server_url, code, device_name, RetryPolicy::default())
}

pub fn enroll_with(store: &Store, server_url: &str, code: &str, device_name: &str, retry: RetryPolicy) -> Result<Enrollment> {
    if enrollment(store)?.is_some() {
        return Err(Error::validation("enrollment", Rule::Duplicate));
    }
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::validation("code", Rule::Required));
    }
    let key = DeviceKey::generate()?;
    let transport = Transport::new(server_url, retry)?;
    let body = EnrollRequest { code: code.to_string(), public_key: key.public_key_hex(), device_name: device_name.to_string() };
    let req = Request::json_zstd(reqwest::Method::POST, PATH_ENROLL.to_string(), &body)?;
    let resp = transport.send(&req, None, store, &CancelToken::new(), &mut WireStats::default())?;
    let answer: EnrollResponse = resp.json()?;
    let enrolled = Enrollment {
        server_url: server_url.trim_end_matches('/').to_string(),
        device_id: answer.device_id,
        unit: answer.unit,
        unit_name: answer.unit_name,
        user_name: answer.user_name,
    };
    store.write(|tx| {
        let c = tx.conn();
        meta_set(c, META_SERVER_URL, &enrolled.server_url)?;
        meta_set(c, META_KEY_ID, &enrolled.device_id.to_string())?;
        meta_set(c, META_KEY, &hex(key.pkcs8()))?;
        meta_set(c, META_UNIT, &enrolled.unit.to_string())?;
        meta_set(c, META_UNIT_NAME, &enrolled.unit_name)?;
        meta_set(c, META_USER_NAME, &enrolled.user_name)?;
        meta_set(c, META_PULL_CURSOR, "0")
    })?;
    transport::learn_clock_offset(store, answer.server_time_ms)?;
    Ok(enrolled)
}

/// The enrollment kept in the store, if the device is enrolled.
pub fn enrollment(store: &Store) -> Result<Option<Enrollment>> {
    store.read(|c| {
        let (Some(url), Some(id), Some(unit)) = (meta_get(c, META_SERVER_URL)?, meta_get(c, META_KEY_ID)?, meta_get(c, META_UNIT)?) else {
            return Ok(None);
        };
        Ok(Some(Enrollment {
            server_url: url,
            device_id: parse_uuid(&id)?,
            unit: parse_uuid(&unit)?,
            unit_name: meta_get(c, META_UNIT_NAME)?.unwrap_or_default(),
            user_name: meta_get(c, META_USER_NAME)?.unwrap_or_default(),
        }))
    })
}

fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| Error::Store(e.to_string()))
}

pub(crate) fn signer(store: &Store) -> Result<(Enrollment, Signer)> {
    let enrolled = enrollment(store)?.ok_or(Error::NotFound { entity: "enrollment", id: String::new() })?;
    let pkcs8 = store.read(|c| meta_get(c, META_KEY))?.and_then(|h| unhex(&h)).ok_or_else(|| Error::Store("device key missing".into()))?;
    let key = DeviceKey::from_pkcs8(&pkcs8)?;
    Ok((enrolled.clone(), Signer { key_id: enrolled.device_id.to_string(), key }))
}

impl Store {
    /// Erase everything this device holds: records, pending and set-aside changes, attachments,
    /// the key and the enrollment. What a revoked device must do; the store stays usable (empty).
    pub fn wipe(&self) -> Result<()> {
        self.write(|tx| {
            // Overwrite freed pages so nothing can be recovered from the file.
            tx.conn().execute_batch(
                "PRAGMA secure_delete = ON;
                 DELETE FROM records; DELETE FROM search; DELETE FROM outbox; DELETE FROM attachments;
                 DELETE FROM meta WHERE key <> 'device_id';",
            )?;
            Ok(())
        })?;
        self.set_clock_offset_ms(0)?;
        self.read(|c| Ok(c.execute_batch("VACUUM")?))
    }
}
