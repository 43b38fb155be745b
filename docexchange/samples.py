"""The project's sample packets (``samples/``), written by its own builder.

DMS vendors copy these to see the exact layout the hub expects and sends, and the test suite
reads them, so they must never depend on anything outside the repository. Every business type
(new, revoke, update, replace) and every status code (01-06, 13, 15, 16) has one packet; all
answer the same công văn 125/UBND-KT of the provincial People's Committee (000.00.00.H45) to Sở
Nội vụ (000.00.12.H45) and UBND huyện Sông Hinh (000.00.31.H45). Names and contents are
invented. ``write_samples`` is deterministic (fixed dates, deterministic zips), so a test can
check that the committed files are exactly what the builder writes today.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from docexchange.edxml import build_document, build_status
from docexchange.edxml.model import (
    Attachment,
    Business,
    Code,
    DocumentPacket,
    DocumentType,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPacket,
    TraceHeader,
)

PROVINCE = "000.00.00.H45"
SO_NOI_VU = "000.00.12.H45"
SONG_HINH = "000.00.31.H45"
DOCUMENT_ID = f"{PROVINCE},2018/06/14,125/UBND-KT"
REPLACEMENT_ID = f"{PROVINCE},2018/06/15,127/UBND-KT"

_PROMULGATED = date(2018, 6, 14)
_PDF = b"%PDF-1.4\n% synthetic sample\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_CLERK = StaffInfo("Văn thư", "Lê Thị Mẫu", "vanthu@example.vn", "0900000000")
_OFFICE = StaffInfo("Văn phòng HĐND và UBND huyện", "Trần Văn Mẫu", "vp@example.vn",
                    "0900000001")
_STATUS_TIME = datetime(2018, 6, 14, 14, 2, 36)

#: file name -> (status code, sender, Description)
STATUSES: dict[str, tuple[str, str, str]] = {
    "status_01_arrived.edxml": (
        "01", SONG_HINH, "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý"),
    "status_02_refused.edxml": ("02", SONG_HINH, "Từ chối tiếp nhận - Gửi nhầm đơn vị"),
    "status_03_registered.edxml": ("03", SONG_HINH, "Đã tiếp nhận - Văn thư đã vào sổ"),
    "status_04_assigned.edxml": ("04", SONG_HINH, "Phân công - Giao Phòng Nội vụ xử lý"),
    "status_05_processing.edxml": ("05", SONG_HINH, "Đang xử lý"),
    "status_06_completed.edxml": ("06", SONG_HINH, "Hoàn thành"),
    "status_13_recall.edxml": ("13", PROVINCE, "Yêu cầu lấy lại văn bản"),
    "status_15_recall_accepted.edxml": ("15", SONG_HINH, "Đồng ý lấy lại văn bản"),
    "status_16_recall_refused.edxml": ("16", SONG_HINH, "Từ chối lấy lại - Văn bản đã xử lý"),
}


def _unit(organ_id: str, name: str, in_charge: str = "UBND tỉnh Phú Yên") -> Organization:
    return Organization(organ_id, in_charge, name, "Tuy Hòa, Phú Yên", "vanthu@example.vn",
                        "0257000000")


_FROM = _unit(PROVINCE, "UBND tỉnh Phú Yên", in_charge="")
_NAMES = {PROVINCE: "UBND tỉnh Phú Yên", SO_NOI_VU: "Sở Nội vụ",
          SONG_HINH: "UBND huyện Sông Hinh"}


def _business(document_id: str, business_type: int, reason: str,
              document_info: str | None = None, document_receiver: str | None = None,
              receivers: tuple[Receiver, ...] = (),
              replacements: tuple[Replacement, ...] = ()) -> Business:
    return Business(document_id=document_id, business_doc_type=business_type, reason=reason,
                    paper=0, staff_info=_CLERK, document_info=document_info,
                    document_receiver=document_receiver, receivers=receivers,
                    replacements=replacements)


def edoc_new() -> DocumentPacket:
    """A new urgent công văn (BussinessDocType 0) with one zipped PDF."""
    subject = "V/v đẩy mạnh cải cách hành chính năm 2018"
    header = MessageHeader(
        from_=_FROM,
        to=(_unit(SO_NOI_VU, _NAMES[SO_NOI_VU]), _unit(SONG_HINH, _NAMES[SONG_HINH])),
        document_id=DOCUMENT_ID,
        code=Code("125", "UBND-KT"),
        promulgation_info=PromulgationInfo(place="Phú Yên", date=_PROMULGATED),
        document_type=DocumentType(type=1, type_detail=0, type_name="Công văn"),
        subject=subject,
        content=subject,
        signer_info=SignerInfo("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Mẫu"),
        due_date=date(2018, 6, 30),
        other_info=OtherInfo(priority=1, sphere_of_promulgation="Liên thông văn bản tỉnh",
                             typer_notation="NV", promulgation_amount=3, page_amount=2,
                             direction=False, appendixes=("Phụ lục kế hoạch",)),
        steering_type=1,
        to_places=("Như trên", "Lưu: VT, KT"),
    )
    return DocumentPacket(
        header=header,
        traces=(TraceHeader(PROVINCE, datetime(2018, 6, 14, 10, 15, 0)),),
        business=_business(DOCUMENT_ID, 0, "Văn bản điện tử mới"),
        attachments=(Attachment.from_file("cong-van-125.pdf", _PDF, content_id="209"),),
    )


def edoc_revoke() -> DocumentPacket:
    """Thu hồi (BussinessDocType 1): withdraws 125/UBND-KT from every recipient."""
    return replace(edoc_new(), business=_business(DOCUMENT_ID, 1,
                                                  "Thu hồi văn bản điện tử"))


def edoc_update() -> DocumentPacket:
    """Cập nhật (BussinessDocType 2) sent again to Sở Nội vụ, named in the ReceiverList."""
    business = _business(DOCUMENT_ID, 2, "Cập nhật văn bản điện tử",
                         document_info="1", document_receiver="1",
                         receivers=(Receiver(SO_NOI_VU, 1),))
    return replace(edoc_new(), business=business)


def edoc_replace() -> DocumentPacket:
    """Thay thế (BussinessDocType 3): a new công văn 127/UBND-KT replacing 125/UBND-KT."""
    new = edoc_new()
    header = replace(new.header, document_id=REPLACEMENT_ID, code=Code("127", "UBND-KT"),
                     promulgation_info=PromulgationInfo("Phú Yên", date(2018, 6, 15)))
    business = _business(REPLACEMENT_ID, 3, "Thay thế văn bản điện tử",
                         replacements=(Replacement(DOCUMENT_ID, (SO_NOI_VU, SONG_HINH)),))
    return replace(new, header=header, business=business,
                   traces=(TraceHeader(PROVINCE, datetime(2018, 6, 15, 8, 30, 0)),),
                   attachments=(Attachment.from_file("cong-van-127.pdf", _PDF,
                                                     content_id="210"),))


def status(name: str) -> StatusPacket:
    """One of STATUSES, answering edoc_new."""
    code, sender, description = STATUSES[name]
    return StatusPacket(
        from_=_unit(sender, _NAMES[sender]),
        response_for=ResponseFor(PROVINCE, DOCUMENT_ID, "125/UBND-KT", _PROMULGATED),
        staff_info=_OFFICE,
        status_code=code,
        description=description,
        timestamp=_STATUS_TIME,
    )


DOCUMENTS = {
    "edoc_new.edxml": edoc_new,
    "edoc_revoke.edxml": edoc_revoke,
    "edoc_update.edxml": edoc_update,
    "edoc_replace.edxml": edoc_replace,
}


def sample_files() -> dict[str, bytes]:
    """Every sample: file name -> the bytes the builder writes for it."""
    files = {name: build_document(make()) for name, make in DOCUMENTS.items()}
    files.update({name: build_status(status(name)) for name in STATUSES})
    return files


def write_samples(out: Path) -> list[Path]:
    """Write every sample into ``out`` (created if needed); returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sample_files().items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written
