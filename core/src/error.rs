//! The core's one public error type. Every failure a caller can cause is a typed variant with
//! the field and rule it broke; the Vietnamese text for people is produced here, in one place.

use std::fmt;

/// Which rule a value broke. `Display` is English (for logs and developers), `vi()` is the
/// Vietnamese sentence a shell shows to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Required,
    TooLong { max: usize },
    OutOfRange { min: i64, max: i64 },
    UnknownReference { entity: &'static str },
    WrongUnitLevel,
    DateOutsidePeriod { from: String, to: String },
    ReasonRequired,
    Invalid { expected: &'static str },
    Duplicate,
    /// A unit placed (or merged) below itself.
    Cycle,
    /// A reference to the very record being changed (a unit merged into itself).
    SelfReference,
    /// A date earlier than `date` (dd/mm/yyyy).
    NotBefore { date: String },
    /// A date later than `date` (dd/mm/yyyy).
    NotAfter { date: String },
    TooLarge { max_bytes: usize },
    InFuture,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => write!(f, "is required"),
            Rule::TooLong { max } => write!(f, "is longer than {max} characters"),
            Rule::OutOfRange { min, max } => write!(f, "must be between {min} and {max}"),
            Rule::UnknownReference { entity } => write!(f, "refers to an unknown {entity}"),
            Rule::WrongUnitLevel => write!(f, "refers to a unit of the wrong kind"),
            Rule::DateOutsidePeriod { from, to } => {
                write!(f, "must fall within the plan period {from} to {to}")
            }
            Rule::ReasonRequired => write!(f, "needs a reason"),
            Rule::Invalid { expected } => write!(f, "must be {expected}"),
            Rule::Duplicate => write!(f, "already exists"),
            Rule::Cycle => write!(f, "would place a unit below itself"),
            Rule::SelfReference => write!(f, "cannot refer to the record itself"),
            Rule::NotBefore { date } => write!(f, "must be on or after {date}"),
            Rule::NotAfter { date } => write!(f, "must be on or before {date}"),
            Rule::TooLarge { max_bytes } => write!(f, "is larger than {max_bytes} bytes"),
            Rule::InFuture => write!(f, "cannot be in the future"),
        }
    }
}

impl Rule {
    pub fn vi(&self) -> String {
        match self {
            Rule::Required => "không được để trống".into(),
            Rule::TooLong { max } => format!("dài quá {max} ký tự"),
            Rule::OutOfRange { min, max } => format!("phải trong khoảng {min} đến {max}"),
            Rule::UnknownReference { entity } => format!("không tìm thấy {}", entity_vi(entity)),
            Rule::WrongUnitLevel => "không đúng loại đơn vị".into(),
            Rule::DateOutsidePeriod { from, to } => {
                format!("phải nằm trong thời gian của kế hoạch, từ {from} đến {to}")
            }
            Rule::ReasonRequired => "cần ghi rõ lý do".into(),
            Rule::Invalid { expected } => match expected_vi(expected) {
                Some(vi) => format!("không hợp lệ: cần {vi}"),
                None => "không hợp lệ".into(),
            },
            Rule::Duplicate => "đã có rồi".into(),
            Rule::Cycle => "làm đơn vị nằm dưới chính nó".into(),
            Rule::SelfReference => "không được trỏ tới chính nó".into(),
            Rule::NotBefore { date } => format!("không được trước ngày {date}"),
            Rule::NotAfter { date } => format!("không được sau ngày {date}"),
            Rule::TooLarge { max_bytes } => {
                format!("vượt quá dung lượng cho phép (tối đa {} MB)", max_bytes.div_ceil(1024 * 1024))
            }
            Rule::InFuture => "không được sau ngày hôm nay".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid {field}: {rule}")]
    Validation { field: String, rule: Rule },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{entity} {id} is sealed and cannot be changed; record an amendment instead")]
    Sealed { entity: &'static str, id: String },
    #[error("the store key is wrong or the file is not a sotay store")]
    WrongKey,
    #[error("the store was written by a newer version (schema {found}, this build knows {known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("store error: {0}")]
    Store(String),
    #[error("network error: {0}")]
    Network(String),
    /// The server's TLS certificate did not verify: trying again will not help.
    #[error("the server's certificate is not trusted: {0}")]
    UntrustedServer(String),
    #[error("server refused the request ({status}): {reason}")]
    Server { status: u16, reason: String },
    #[error("this device was revoked by the server")]
    Revoked,
    #[error("the operation was cancelled")]
    Cancelled,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn validation(field: impl Into<String>, rule: Rule) -> Self {
        Error::Validation { field: field.into(), rule }
    }

    /// A short machine-readable kind, stable across versions, for shells and APIs.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "validation",
            Error::NotFound { .. } => "not_found",
            Error::Sealed { .. } => "sealed",
            Error::WrongKey => "wrong_key",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Store(_) => "store",
            Error::Network(_) => "network",
            Error::UntrustedServer(_) => "untrusted_server",
            Error::Server { .. } => "server",
            Error::Revoked => "revoked",
            Error::Cancelled => "cancelled",
        }
    }

    /// The sentence a shell shows to the person holding the phone.
    pub fn message_vi(&self) -> String {
        match self {
            Error::Validation { field, rule } => format!("{}: {}", field_vi(field), rule.vi()),
            Error::NotFound { entity, .. } => format!("Không tìm thấy {}.", entity_vi(entity)),
            Error::Sealed { entity, .. } => format!(
                "{} đã ký chốt, không sửa được. Hãy lập bản đính chính.",
                capitalize(entity_vi(entity))
            ),
            Error::WrongKey => "Sai khóa mở dữ liệu hoặc tệp không phải dữ liệu Sổ tay.".into(),
            Error::SchemaTooNew { .. } => {
                "Dữ liệu được tạo bởi phiên bản mới hơn. Hãy cập nhật ứng dụng.".into()
            }
            Error::Store(_) => "Lỗi lưu trữ trên máy. Dữ liệu đã lưu trước đó vẫn còn.".into(),
            Error::Network(_) => "Không kết nối được máy chủ. Dữ liệu vẫn được giữ trên máy, hãy đồng bộ lại sau.".into(),
            Error::UntrustedServer(_) => "Không xác minh được máy chủ (chứng chỉ bảo mật không hợp lệ). Chưa gửi dữ liệu nào; hãy báo cho người quản lý máy chủ của huyện.".into(),
            Error::Server { status, reason } => format!("Máy chủ từ chối yêu cầu ({status}): {reason}"),
            Error::Revoked => "Thiết bị này đã bị thu hồi quyền truy cập.".into(),
            Error::Cancelled => "Đã hủy.".into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Store(format!("stored record does not decode: {e}"))
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Vietnamese names of the entities, for messages.
pub fn entity_vi(entity: &str) -> &'static str {
    match entity {
        "unit" => "đơn vị",
        "household" => "hộ gia đình",
        "clan" => "tộc họ",
        "plan" => "kế hoạch",
        "task" => "nhiệm vụ",
        "activity" => "hoạt động tuyên truyền",
        "minutes" => "biên bản",
        "pledge" => "bản cam kết",
        "pledge_template" => "mẫu cam kết",
        "visit" => "lần đến hộ",
        "attachment" => "tệp đính kèm",
        "enrollment" => "thông tin đăng ký thiết bị (hãy đăng ký với máy chủ trước)",
        "change" => "thay đổi chờ gửi",
        _ => "bản ghi",
    }
}

/// Vietnamese labels of the fields that validation names. A field of one row of a list
/// (`households[12].head_name`) is shown with its row number counted from 1.
pub fn field_vi(field: &str) -> String {
    if let Some((list, rest)) = field.split_once('[')
        && let Some((index, inner)) = rest.split_once("].")
        && let Ok(i) = index.parse::<usize>()
    {
        return format!("{} thứ {}, {}", list_item_vi(list), i + 1, field_vi(inner).to_lowercase());
    }
    let label = match field {
        "head_name" => "Tên chủ hộ",
        "address" => "Địa chỉ",
        "members" => "Số nhân khẩu",
        "children_under_18" => "Số trẻ em dưới 18 tuổi",
        "phone" => "Số điện thoại",
        "name" => "Tên",
        "code" => "Mã",
        "unit_id" => "Đơn vị",
        "household_id" => "Hộ gia đình",
        "clan_id" => "Tộc họ",
        "template_id" => "Mẫu cam kết",
        "chair" => "Chủ trì",
        "secretary" => "Thư ký",
        "place" => "Địa điểm",
        "held_at" => "Thời gian",
        "attendee_count" => "Số người dự",
        "due_date" => "Hạn hoàn thành",
        "status" => "Trạng thái",
        "reason" => "Lý do",
        "signed_by" => "Người ký",
        "witness" => "Người chứng kiến",
        "signed_on" => "Ngày ký",
        "outcome" => "Kết quả",
        "revisit_on" => "Ngày quay lại",
        "date" => "Ngày",
        "kind" => "Loại",
        "topic" => "Chủ đề",
        "audience" => "Số người nghe",
        "number" => "Số kế hoạch",
        "title" => "Tiêu đề",
        "effective_from" => "Ngày hiệu lực",
        "amends" => "Bản gốc được đính chính",
        "attachment" => "Tệp đính kèm",
        // units, plans, checklist, activities
        "parent" => "Đơn vị cấp trên",
        "level" => "Cấp",
        "merged_into" => "Sáp nhập vào",
        "renames" => "Đổi tên",
        "unit" => "Đơn vị",
        "issuer" => "Đơn vị ban hành",
        "issuer_name" => "Cơ quan ban hành",
        "issued_on" => "Ngày ban hành",
        "period" => "Thời gian thực hiện",
        "from" => "Từ ngày",
        "to" => "Đến ngày",
        "purposes" => "Mục đích, yêu cầu",
        "targets" => "Chỉ tiêu",
        "text" => "Nội dung",
        "indicator" => "Cách đo",
        "threshold_pct" => "Ngưỡng (%)",
        "measured_over" => "Tính trên",
        "key_tasks" => "Nội dung trọng tâm",
        "duties" => "Nhiệm vụ theo cấp",
        "items" => "Các việc",
        "milestones" => "Mốc báo cáo",
        "deadlines" => "Hạn theo cấp",
        "due" => "Hạn hoàn thành",
        "signer" => "Người ký",
        "plan" => "Kế hoạch",
        "task" => "Nhiệm vụ",
        "evidence" => "Minh chứng",
        "ref" => "Tham chiếu",
        "note" => "Ghi chú",
        "period.from" => "Thời gian thực hiện, từ ngày",
        "period.to" => "Thời gian thực hiện, đến ngày",
        "signer.title" => "Chức vụ người ký",
        "signer.name" => "Họ tên người ký",
        "implements.plan" => "Kế hoạch cấp trên",
        "enrollment" => "Đăng ký thiết bị",
        "server_url" => "Địa chỉ máy chủ",
        "attachments" => "Tệp đính kèm",
        "village" => "Thôn, tổ dân phố",
        "clan" => "Tộc họ",
        "household" => "Hộ gia đình",
        "subject" => "Đối tượng cam kết",
        "template" => "Mẫu cam kết",
        "commitments" => "Nội dung cam kết",
        "signature" => "Chữ ký",
        "sealed_by" => "Người ký chốt",
        "attendees" => "Danh sách người dự",
        "assigned_tasks" => "Nhiệm vụ được giao",
        "what" => "Nội dung",
        "who" => "Người thực hiện",
        "agenda" => "Chương trình",
        "contents" => "Nội dung",
        "conclusions" => "Kết luận",
        "visited_on" => "Ngày đến hộ",
        "mime" => "Loại tệp",
        "sha256" => "Mã tệp",
        "year" => "Năm",
        "role" => "Vai trò",
        other => return other.to_string(),
    };
    label.to_string()
}

/// What one row of a list is called, for `field_vi`.
fn list_item_vi(list: &str) -> &'static str {
    match list {
        "households" => "Hộ",
        "attendees" => "Người dự",
        "assigned_tasks" => "Nhiệm vụ",
        "commitments" => "Điều cam kết",
        "attachments" => "Tệp",
        "purposes" => "Mục đích",
        "targets" => "Chỉ tiêu",
        "key_tasks" => "Nội dung trọng tâm",
        "duties" => "Nhiệm vụ theo cấp",
        "items" => "Việc",
        "milestones" => "Mốc báo cáo",
        "deadlines" => "Hạn theo cấp",
        "evidence" => "Minh chứng",
        _ => "Dòng",
    }
}

/// Vietnamese for the `expected` phrases of `Rule::Invalid`, so that a person never reads
/// English. A phrase missing here still gives a Vietnamese message, without the detail.
fn expected_vi(expected: &str) -> Option<&'static str> {
    Some(match expected {
        "32 bytes" => "khóa dài đúng 32 byte",
        "a SHA-256 in lowercase hex" => "mã SHA-256 dạng hex chữ thường",
        "a clan of this village or its commune" => "tộc họ của thôn này hoặc của xã",
        "a date YYYY-MM-DD" => "ngày theo dạng năm-tháng-ngày (YYYY-MM-DD)",
        "a known record kind" => "loại bản ghi đã biết",
        "a number and symbol such as 267/KH-MTTQ-BTT" => "số và ký hiệu như 267/KH-MTTQ-BTT",
        "a phone number of 10 or 11 digits starting with 0" => "số điện thoại 10 hoặc 11 chữ số, bắt đầu bằng 0",
        "a plan of this unit or a unit above it" => "kế hoạch của đơn vị này hoặc đơn vị cấp trên",
        "a record id" => "mã bản ghi",
        "a sealed pledge" => "bản cam kết đã ký chốt",
        "a task of the same plan" => "nhiệm vụ thuộc cùng kế hoạch",
        "a task of this unit or a unit above it" => "nhiệm vụ của đơn vị này hoặc đơn vị cấp trên",
        "a template for this kind of pledge" => "mẫu cam kết đúng loại",
        "a unit under the issuer of the plan" => "đơn vị thuộc cấp ban hành kế hoạch",
        "a village of the commune being imported" => "thôn thuộc xã đang nhập dữ liệu",
        "an Ed25519 PKCS#8 key" => "khóa thiết bị hợp lệ",
        "an http(s) address" => "địa chỉ http(s)",
        "an image or a PDF" => "ảnh hoặc tệp PDF",
        "bytes that match their SHA-256" => "nội dung khớp với mã SHA-256",
        "empty once the household pledged or moved away" => "để trống khi hộ đã cam kết hoặc đã chuyển đi",
        "new_law_activity or residential_area_model" => "chỉ tiêu tuyên truyền luật mới hoặc mô hình khu dân cư",
        "no more names than the number of attendees" => "số tên không vượt quá số người dự",
        "on or after the day of the visit" => "từ ngày đến hộ trở về sau",
        "sealed minutes (edit a draft directly)" => "biên bản đã ký chốt (bản nháp thì sửa trực tiếp)",
        "the SHA-256 of the photo" => "mã SHA-256 của ảnh",
        "the subject of the pledge being amended" => "đúng đối tượng của bản cam kết được đính chính",
        "unchanged once sealed" => "giữ nguyên sau khi đã ký chốt",
        "of the same kind as the existing record" => "cùng loại với bản ghi đã có",
        "in the unit the record belongs to" => "thuộc đúng đơn vị của bản ghi",
        "a kind of record that can be sealed" => "loại bản ghi có thể ký chốt",
        "a seal that matches the content" => "chữ ký chốt khớp với nội dung",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_for_people_are_vietnamese() {
        let e = Error::validation("phone", Rule::Invalid { expected: "a phone number of 10 or 11 digits starting with 0" });
        assert_eq!(e.message_vi(), "Số điện thoại: không hợp lệ: cần số điện thoại 10 hoặc 11 chữ số, bắt đầu bằng 0");
        let unknown = Error::validation("phone", Rule::Invalid { expected: "something new" });
        assert_eq!(unknown.message_vi(), "Số điện thoại: không hợp lệ");
    }
}
