//! Photos of attendance sheets and signature images, kept encrypted on the phone by the SHA-256
//! of their bytes; minutes and pledges refer to them by that hash, and sync uploads them.

use sotay_core::attachments::AttachmentInfo;

use crate::error::{Result, call};
use crate::store::SotayStore;

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttachmentItem {
    /// Lowercase hex SHA-256: what minutes (`attachments`) and pledges (`signature`) refer to.
    pub sha256: String,
    pub mime: String,
    pub size: u64,
    /// The server has it.
    pub uploaded: bool,
}

impl From<AttachmentInfo> for AttachmentItem {
    fn from(a: AttachmentInfo) -> Self {
        AttachmentItem { sha256: a.sha256, mime: a.mime, size: a.size, uploaded: a.uploaded }
    }
}

#[uniffi::export]
impl SotayStore {
    /// Keep an image (or PDF) the shell captured, compressed, at most 5 MB. Keeping the same
    /// bytes again changes nothing.
    pub fn put_attachment(&self, bytes: Vec<u8>, mime: String) -> Result<AttachmentItem> {
        call(|| Ok(self.store.put_attachment(&bytes, &mime)?.into()))
    }

    /// The bytes of an attachment, to show it.
    pub fn attachment(&self, sha256: String) -> Result<Vec<u8>> {
        call(|| self.store.attachment(&sha256))
    }

    pub fn attachment_info(&self, sha256: String) -> Result<AttachmentItem> {
        call(|| Ok(self.store.attachment_info(&sha256)?.into()))
    }
}
