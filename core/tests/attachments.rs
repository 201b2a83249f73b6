mod common;

use common::*;
use sotay_core::attachments::MAX_ATTACHMENT_BYTES;
use sotay_core::record::sha256_hex;
use sotay_core::{Error, Rule};

#[test]
fn attachments_are_addressed_by_their_sha256() {
    let (store, _) = store();
    let photo = b"\xff\xd8\xff attendance sheet".to_vec();
    let a = store.put_attachment(&photo, "image/jpeg").unwrap();
    assert_eq!(a.sha256, sha256_hex(&photo));
    assert_eq!((a.size, a.uploaded, a.mime.as_str()), (photo.len() as u64, false, "image/jpeg"));
    assert_eq!(store.attachment(&a.sha256).unwrap(), photo);
    // The same bytes again: same address, still one row.
    assert_eq!(store.put_attachment(&photo, "IMAGE/JPEG").unwrap(), a);
    assert_eq!(store.attachments_not_uploaded().unwrap(), vec![a.clone()]);
    store.mark_attachment_uploaded(&a.sha256).unwrap();
    assert!(store.attachments_not_uploaded().unwrap().is_empty());
    assert!(store.attachment_info(&a.sha256).unwrap().uploaded);
    // Uploaded stays uploaded if the user attaches the same photo again.
    assert!(store.put_attachment(&photo, "image/jpeg").unwrap().uploaded);
}

#[test]
fn bad_attachments_are_refused_with_the_rule() {
    let (store, _) = store();
    let big = vec![0u8; MAX_ATTACHMENT_BYTES + 1];
    match store.put_attachment(&big, "image/png").unwrap_err() {
        Error::Validation { field, rule } => {
            assert_eq!(field, "attachment");
            assert_eq!(rule, Rule::TooLarge { max_bytes: MAX_ATTACHMENT_BYTES });
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        store.put_attachment(&big, "image/png").unwrap_err().message_vi(),
        "Tệp đính kèm: vượt quá dung lượng cho phép (tối đa 5 MB)"
    );
    assert!(matches!(store.put_attachment(b"", "image/png"), Err(Error::Validation { rule: Rule::Required, .. })));
    assert!(matches!(store.put_attachment(b"x", "text/html"), Err(Error::Validation { .. })));
    assert!(matches!(store.attachment("nothex"), Err(Error::Validation { .. })));
    let absent = sha256_hex(b"never stored");
    assert!(matches!(store.attachment(&absent), Err(Error::NotFound { entity: "attachment", .. })));
    assert!(matches!(store.mark_attachment_uploaded(&absent), Err(Error::NotFound { .. })));
    assert!(store.attachments_not_uploaded().unwrap().is_empty());
}

#[test]
fn downloaded_bytes_must_match_their_address() {
    let (store, _) = store();
    let sig = b"signature png".to_vec();
    let sha = sha256_hex(&sig);
    assert!(matches!(store.put_downloaded_attachment(&sha, b"tampered", "image/png"), Err(Error::Validation { .. })));
    let a = store.put_downloaded_attachment(&sha, &sig, "image/png").unwrap();
    assert!(a.uploaded);
    assert_eq!(store.attachment(&sha).unwrap(), sig);
}
