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
            Rule::Invalid { expected } => format!("không hợp lệ (cần {expected})"),
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
