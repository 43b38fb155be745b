"""Every string the dashboard shows, in Vietnamese (the default) and English.

`t(lang, key, **values)` formats with `str.format`; the result is plain text that the page
builder escapes like any other value. A test checks that both languages have every key.
"""

from __future__ import annotations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

#: key -> (Vietnamese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # shell
    "app.title": ("Trục liên thông văn bản tỉnh", "Provincial document exchange hub"),
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.units": ("Đơn vị", "Units"),
    "nav.documents": ("Văn bản", "Documents"),
    "nav.audit": ("Kiểm toán", "Audit"),
    # audit export
    "audit.title": ("Xuất nhật ký kiểm toán", "Audit log export"),
    "audit.intro": (("Tải nhật ký sự kiện (cây Merkle, RFC 9162) kèm các tree head đã ký và "
                     "bằng chứng; kiểm tra ngoại tuyến bằng lệnh: "),
                    ("Download the event log (Merkle tree, RFC 9162) with its signed tree heads "
                     "and proofs; verify it offline with: ")),
    "audit.from": ("Từ ngày", "From"),
    "audit.to": ("Đến ngày", "To"),
    "audit.unit": ("Chỉ đơn vị (mã)", "Only unit (code)"),
    "audit.format": ("Định dạng", "Format"),
    "audit.download": ("Tải xuống", "Download"),
    "nav.logout": ("Đăng xuất", "Log out"),
    "nav.switch": ("English", "Tiếng Việt"),
    "role.admin": ("quản trị", "admin"),
    "role.viewer": ("xem", "viewer"),
    # login
    "login.title": ("Đăng nhập", "Log in"),
    "login.name": ("Tên đăng nhập", "User name"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Log in"),
    "login.failed": ("Tên đăng nhập hoặc mật khẩu không đúng.",
                     "The user name or password is wrong."),
    "login.expired": ("Phiên làm việc đã hết hạn, hãy đăng nhập lại.",
                      "Your session has ended; please log in again."),
    "login.logged_out": ("Đã đăng xuất.", "You are logged out."),
    # errors
    "error.title": ("Lỗi", "Error"),
    "error.back": ("Về trang tổng quan", "Back to the overview"),
    "error.400": ("Yêu cầu không hợp lệ.", "The request is not valid."),
    "error.403": ("Không có quyền thực hiện thao tác này.", "You may not do this."),
    "error.csrf": (("Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã chống giả mạo). "
                    "Hãy tải lại trang và thử lại."),
                   ("The form has expired or is not valid (missing anti-forgery token). "
                    "Reload the page and try again.")),
    "error.404": ("Không tìm thấy trang hoặc dữ liệu yêu cầu.",
                  "The page or record was not found."),
    "error.405": ("Phương thức không được hỗ trợ.", "Method not allowed."),
    "error.429": ("Quá nhiều lần đăng nhập sai. Hãy thử lại sau {minutes} phút.",
                  "Too many failed logins. Try again in {minutes} minutes."),
    "error.500": ("Lỗi nội bộ; hãy báo mã yêu cầu {request_id} cho quản trị viên.",
                  "Internal error; report request id {request_id} to the administrators."),
    # overview
    "overview.title": ("Tổng quan kết nối và luân chuyển", "Connectivity and exchange overview"),
    "overview.coverage": ("Tỷ lệ đơn vị đang kết nối", "Units connected now"),
    "overview.coverage_by_kind": ("Kết nối theo cấp (mục tiêu 100 %)",
                                  "Connected units by level (target 100 %)"),
    "overview.ever": ("Đã từng kết nối", "Ever connected"),
    "overview.today": ("Lượt chuyển hôm nay", "Deliveries today"),
    "overview.acked_same_day": ("Xác nhận trong ngày", "Acknowledged the same day"),
    "overview.ack_median": ("Thời gian xác nhận (trung vị)", "Time to acknowledge (median)"),
    "overview.stuck": ("Văn bản tồn đọng", "Stuck deliveries"),
    "overview.overdue": ("Quá hạn xử lý", "Overdue"),
    "overview.alerts": ("Cảnh báo đang mở", "Open alerts"),
    "overview.no_alerts": ("Không có cảnh báo.", "No open alerts."),
    "overview.trend": ("Diễn biến 30 ngày", "Last 30 days"),
    "overview.units_of": ("{connected}/{units} đơn vị", "{connected} of {units} units"),
    "overview.target": ("Mục tiêu", "Target"),
    "trend.connected": ("Đang kết nối", "Connected now"),
    "trend.ever": ("Đã từng kết nối", "Ever connected"),
    "trend.acked": ("Xác nhận trong ngày", "Acknowledged same day"),
    "trend.documents_max": ("Số văn bản (cột cao nhất: {n})", "Documents (tallest bar: {n})"),
    "trend.empty": ("Chưa có số liệu.", "No figures yet."),
    # units
    "units.title": ("Đơn vị", "Units"),
    "units.count": ("{count} đơn vị", "{count} units"),
    "units.filter": ("Lọc", "Filter"),
    "units.any": ("(tất cả)", "(all)"),
    "units.kind": ("Cấp", "Level"),
    "units.parent": ("Trực thuộc", "Parent"),
    "units.state": ("Trạng thái", "State"),
    "units.code": ("Mã định danh", "Code"),
    "units.name": ("Tên đơn vị", "Name"),
    "units.last_contact": ("Liên lạc gần nhất", "Last contact"),
    "units.backlog": ("Chưa xác nhận", "Backlog"),
    "units.oldest_backlog": ("Chờ lâu nhất từ", "Oldest waiting since"),
    "units.credential_expiry": ("Hết hạn chứng thư/khóa", "Credentials expire"),
    "units.first_contact": ("Liên lạc đầu tiên", "First contact"),
    "units.last_send": ("Gửi gần nhất", "Last send"),
    "units.last_poll": ("Nhận gần nhất", "Last inbox poll"),
    "units.last_ack": ("Xác nhận gần nhất", "Last acknowledgement"),
    "units.api_keys": ("Khóa API đang dùng", "Active API keys"),
    "units.never": ("chưa bao giờ", "never"),
    "units.none": ("Không có đơn vị nào khớp.", "No unit matches."),
    "units.status": ("Tình trạng kết nối", "Connection status"),
    "units.docs_in": ("Văn bản đến gần đây", "Recent documents in"),
    "units.docs_out": ("Văn bản đi gần đây", "Recent documents out"),
    "units.actions": ("Thao tác quản trị", "Admin actions"),
    "units.disable": ("Thu hồi khóa API", "Revoke API keys"),
    "units.disable_confirm": ("Thu hồi mọi khóa API của đơn vị này?",
                              "Revoke every API key of this unit?"),
    "units.reissue": ("Cấp lại khóa API", "Re-issue an API key"),
    "units.reissue_confirm": ("Thu hồi các khóa cũ và cấp một khóa mới?",
                              "Revoke the old keys and issue a new one?"),
    "units.disabled_done": ("Đã thu hồi {count} khóa API.", "{count} API keys revoked."),
    "units.new_key": ("Khóa API mới (chỉ hiển thị một lần, hãy chuyển cho đơn vị ngay):",
                      "New API key (shown once only; hand it to the unit now):"),
    "kind.province": ("Tỉnh", "Province"),
    "kind.office": ("Văn phòng", "Office"),
    "kind.department": ("Sở, ban, ngành", "Departments"),
    "kind.district": ("Cấp huyện", "Districts"),
    "kind.commune": ("Cấp xã", "Communes"),
    "kind.other": ("Khác", "Other"),
    "state.connected": ("đang kết nối", "connected"),
    "state.idle": ("tạm ngưng", "idle"),
    "state.disconnected": ("mất kết nối", "disconnected"),
    "state.never": ("chưa kết nối", "never connected"),
    # documents
    "docs.title": ("Tra cứu văn bản", "Document search"),
    "docs.document_id": ("Mã văn bản (DocumentId)", "DocumentId"),
    "docs.code": ("Số/ký hiệu", "Number/notation"),
    "docs.sender": ("Đơn vị gửi", "Sender"),
    "docs.recipient": ("Đơn vị nhận", "Recipient"),
    "docs.date_from": ("Từ ngày", "From"),
    "docs.date_to": ("Đến ngày", "To"),
    "docs.state": ("Trạng thái", "State"),
    "docs.search": ("Tìm", "Search"),
    "docs.none": ("Không có văn bản nào khớp.", "No document matches."),
    "docs.more": ("Chỉ hiện {limit} kết quả đầu; hãy thu hẹp điều kiện tìm.",
                  "Only the first {limit} results are shown; narrow the search."),
    "docs.accepted": ("Thời điểm nhận", "Accepted"),
    "docs.subject": ("Trích yếu", "Subject"),
    "docs.recipients": ("Đã nhận/Số nơi nhận", "Received/recipients"),
    "docs.bad_date": ("Ngày phải theo dạng yyyy-mm-dd.", "Dates must be yyyy-mm-dd."),
    "doc.title": ("Văn bản {code}", "Document {code}"),
    "doc.metadata": ("Thông tin văn bản", "Document metadata"),
    "doc.message_id": ("Mã thông điệp", "Message id"),
    "doc.business_type": ("Loại nghiệp vụ", "Business type"),
    "doc.priority": ("Độ khẩn", "Priority"),
    "doc.due_date": ("Hạn xử lý", "Due date"),
    "doc.size": ("Kích thước (byte)", "Size (bytes)"),
    "doc.sha256": ("SHA-256", "SHA-256"),
    "doc.log_index": ("Vị trí trong nhật ký", "Evidence log index"),
    "doc.signer": ("Chứng thư ký", "Signing certificate"),
    "doc.signature": ("Chữ ký số của đơn vị gửi", "Sender's signature"),
    "sig.verified": ("Đã xác thực", "Verified"),
    "sig.absent": ("Không có chữ ký", "Absent"),
    "sig.unverified": ("Chưa xác thực được (không tin cậy)", "Not verified (not trusted)"),
    "doc.timeline": ("Diễn biến theo từng nơi nhận", "Timeline per recipient"),
    "doc.state": ("Trạng thái", "State"),
    "doc.recall": ("Thu hồi", "Recall"),
    "doc.fetched": ("Đã tải", "Fetched"),
    "doc.acked": ("Đã xác nhận", "Acknowledged"),
    "doc.event": ("Sự kiện", "Event"),
    "doc.at": ("Thời điểm", "At"),
    "doc.actor": ("Bên thực hiện", "By"),
    "doc.note": ("Ghi chú", "Note"),
    "btype.0": ("văn bản mới", "new document"),
    "btype.1": ("thu hồi", "revocation"),
    "btype.2": ("cập nhật", "update"),
    "btype.3": ("thay thế", "replacement"),
    "priority.0": ("thường", "normal"),
    "priority.1": ("khẩn", "urgent"),
    "priority.2": ("thượng khẩn", "very urgent"),
    "priority.3": ("hỏa tốc", "immediate"),
    "priority.4": ("hỏa tốc hẹn giờ", "immediate, timed"),
    "dstate.pending": ("chờ nhận", "pending"),
    "dstate.fetched": ("đã tải", "fetched"),
    "dstate.received": ("đã đến", "received"),
    "dstate.registered": ("đã vào sổ", "registered"),
    "dstate.assigned": ("đã phân công", "assigned"),
    "dstate.processing": ("đang xử lý", "processing"),
    "dstate.completed": ("hoàn thành", "completed"),
    "dstate.refused": ("từ chối", "refused"),
    "dstate.recalled": ("đã thu hồi", "recalled"),
    "event.created": ("chuyển đến hộp thư", "routed to the inbox"),
    "event.fetched": ("đã tải về", "fetched"),
    "event.acknowledged": ("xác nhận đã nhận", "acknowledged"),
    "event.status": ("trạng thái", "status"),
}


def t(lang: str, key: str, **values: object) -> str:
    """The text of `key` in `lang` (unknown keys show as themselves, to be noticed)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def label(lang: str, prefix: str, value: str | None) -> str:
    """A translated enumeration value (`kind.district`), or the value itself if unknown."""
    if value is None:
        return ""
    key = f"{prefix}.{value}"
    return t(lang, key) if key in MESSAGES else value
