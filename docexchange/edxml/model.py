"""An immutable, typed view of edXML packets (QCVN 102:2016; docs/EDXML.md §1 and §3).

The model holds values, not XML: dates are ``datetime.date``, timestamps naive local time
(UTC+7, as the field writes them), ContentIds carry no ``cid:`` prefix, and attachment data is
the decoded base64 exactly as transported (usually a zip). Sequences are tuples so that packets
compare equal after a build/parse round trip and can be hashed.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from docexchange.errors import DocExchangeError

#: Status codes (EDXML.md §3), two-character strings, with their Vietnamese meaning.
STATUS_CODES: dict[str, str] = {
    "01": "đã đến",
    "02": "từ chối tiếp nhận",
    "03": "đã tiếp nhận",
    "04": "phân công",
    "05": "đang xử lý",
    "06": "hoàn thành",
    "13": "lấy lại",
    "15": "đồng ý lấy lại / cập nhật",
    "16": "từ chối lấy lại / cập nhật",
}

#: Upper bound for Attachment.file_bytes(): a small zip may inflate to gigabytes.
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Organization:
    """A sender or recipient (From, To). Only organ_id is required; codes are opaque strings."""

    organ_id: str
    organization_in_charge: str = ""
    organ_name: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Code:
    """Số and ký hiệu of a document, e.g. 125 and UBND-KT."""

    code_number: str
    code_notation: str

    @property
    def text(self) -> str:
        """The written form "125/UBND-KT", as used in DocumentId and ResponseFor/Code."""
        return f"{self.code_number}/{self.code_notation}"


@dataclass(frozen=True)
class PromulgationInfo:
    place: str
    date: date


@dataclass(frozen=True)
class DocumentType:
    """Type is usually 1 or 2 (the .NET SDK writes 18 by default: any non-negative integer is
    read); TypeDetail an integer, 0 when absent; TypeName e.g. "Công văn"."""

    type: int = 1
    type_detail: int = 0
    type_name: str = ""


@dataclass(frozen=True)
class SignerInfo:
    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class OtherInfo:
    """Priority is urgency: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.

    reply_fors and reference_codes are VNPT library extensions (``ReplyFors``,
    ``ReferenceCodes``) whose content form has never been seen: each holds the text of every
    child element (or of the element itself when it has none), read only, never written.
    """

    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 0
    page_amount: int = 0
    direction: bool = False
    appendixes: tuple[str, ...] = ()
    reply_fors: tuple[str, ...] = ()
    reference_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseFor:
    """The document a message answers; code is the written form "125/UBND-KT"."""

    organ_id: str
    document_id: str
    code: str = ""
    promulgation_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class MessageHeader:
    """A document's MessageHeader. task_code (``ResponseForTask/TaskCode``) and
    application_type (``ApplicationType``) are VNPT library extensions, read but never written.
    """

    from_: Organization
    to: tuple[Organization, ...]
    document_id: str
    code: Code
    promulgation_info: PromulgationInfo
    document_type: DocumentType = field(default_factory=DocumentType)
    subject: str
    content: str = ""
    signer_info: SignerInfo = field(default_factory=SignerInfo)
    due_date: date | None = None
    other_info: OtherInfo = field(default_factory=OtherInfo)
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: int | None = None
    to_places: tuple[str, ...] = ()
    task_code: str = ""
    application_type: int | None = None


@dataclass(frozen=True)
class TraceHeader:
    """One system the packet passed through; timestamp is naive local time."""

    organ_id: str
    timestamp: datetime


@dataclass(frozen=True)
class StaffInfo:
    """department_id and staff_id are the VNPT library's ``DepartmentId`` and ``StaffId``,
    read but never written."""

    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""
    department_id: str = ""
    staff_id: str = ""


@dataclass(frozen=True)
class TraceListInfo:
    """The attributes some writers (the .NET SDK) put on TraceHeaderList, read as found."""

    id: str = ""
    version: str = ""
    must_understand: str = ""
    actor: str = ""


@dataclass(frozen=True)
class XLink:
    """xlink:href, xlink:role and xlink:type of a Manifest Reference, read as found."""

    href: str = ""
    role: str = ""
    type: str = ""


@dataclass(frozen=True)
class PacketWarning:
    """Something the reader accepted by reading it differently from how it is written (a
    day-first date, an ignored element, ...). Stable ``code`` for machines, a sentence in
    Vietnamese and English for people; the receipt carries them."""

    element: str
    code: str
    message_vi: str
    message_en: str

    def to_json(self) -> dict[str, str]:
        return {
            "element": self.element,
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class Receiver(NamedTuple):
    """An addressee of an update (BussinessDocumentInfo/ReceiverList/Receiver)."""

    organ_id: str
    receiver_type: int = 0


class Replacement(NamedTuple):
    """A replaced document and the units it went to (ReplacementInfoList/ReplacementInfo)."""

    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Business:
    """The ``Bussiness`` block (``Business`` is read too). business_doc_type: 0 new, 1 revoke,
    2 update, 3 replace. document_id is "" when the block has none (the SDK's replacement and
    revocation samples omit it).

    document_info and document_receiver are kept as the text found (None when absent): their
    values are not documented beyond the "1" seen in samples. The BussinessDocumentInfo block is
    written when either is set or receivers is non-empty.
    """

    document_id: str
    business_doc_type: int = 0
    reason: str = ""
    paper: int = 0
    staff_info: StaffInfo = field(default_factory=StaffInfo)
    document_info: str | None = None
    document_receiver: str | None = None
    receivers: tuple[Receiver, ...] = ()
    replacements: tuple[Replacement, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """One attached file. data is the transported content (decoded base64), usually a zip.

    field_name, mime_type and format are library extensions on Attachment, link the xlink
    attributes of its Manifest Reference: read as found, never written.
    """

    content_id: str
    name: str
    description: str = ""
    content_type: str = "application/octet-stream"
    data: bytes = b""
    field_name: str = ""
    mime_type: str = ""
    format: str = ""
    link: XLink = field(default_factory=XLink)

    @classmethod
    def from_file(
        cls, name: str, raw_bytes: bytes, description: str = "", *, content_id: str = ""
    ) -> Attachment:
        """Zip one file (deflate) the way DMS products send it.

        The zip is deterministic (fixed member time) so the same file gives the same packet.
        Without content_id, one is derived from the name and content.
        """
        member = name.replace("\\", "/").rsplit("/", 1)[-1]
        info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(info, raw_bytes)
        cid = content_id or hashlib.sha256(member.encode() + b"\0" + raw_bytes).hexdigest()[:16]
        return cls(cid, name, description or name, "application/zip", buffer.getvalue())

    def file_bytes(self, max_bytes: int = MAX_UNZIPPED_BYTES) -> bytes:
        """The file itself: the member of a single-file zip, otherwise data unchanged.

        Raises DX_TOO_LARGE when the member inflates beyond max_bytes and DX_INVALID_PACKET when
        the zip member is corrupt.
        """
        members = _single_member(self.data)
        if members is None:
            return self.data
        archive, info = members
        with archive, archive.open(info) as handle:
            try:
                content = handle.read(max_bytes + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise _bad_zip(self.content_id) from exc
        if len(content) > max_bytes:
            raise DocExchangeError(
                "DX_TOO_LARGE",
                f"Tệp đính kèm {self.content_id} giải nén vượt quá {max_bytes} byte.",
                f"Attachment {self.content_id} inflates beyond {max_bytes} bytes.",
            )
        return content


def _single_member(data: bytes) -> tuple[zipfile.ZipFile, zipfile.ZipInfo] | None:
    """The open zip and its only file member, or None when data is not a one-file zip."""
    if not data.startswith(b"PK"):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    files = [info for info in archive.infolist() if not info.is_dir()]
    if len(files) != 1:
        archive.close()
        return None
    return archive, files[0]


def _bad_zip(content_id: str) -> DocExchangeError:
    return DocExchangeError(
        "DX_INVALID_PACKET",
        f"Tệp nén đính kèm {content_id} bị hỏng.",
        f"The zip in attachment {content_id} is corrupt.",
        errors=[
            {
                "element": "ContentTransferEncoded",
                "content_id": content_id,
                "reason": "corrupt zip member",
            }
        ],
    )


@dataclass(frozen=True, kw_only=True)
class DocumentPacket:
    """A document packet. has_signature says a Signature element was present, not that it is
    valid: verification is the signing package's job.

    warnings say where the reader read the packet leniently (EDXML.md §7); they do not take
    part in equality, so a lenient variant equals the model of its canonical form.
    """

    header: MessageHeader
    traces: tuple[TraceHeader, ...] = ()
    business: Business | None = None
    attachments: tuple[Attachment, ...] = ()
    has_signature: bool = False
    trace_list: TraceListInfo = field(default_factory=TraceListInfo)
    warnings: tuple[PacketWarning, ...] = field(default=(), compare=False)

    @property
    def document_id(self) -> str:
        return self.header.document_id

    @property
    def sender_id(self) -> str:
        return self.header.from_.organ_id

    @property
    def priority(self) -> int:
        """Urgency 0..4 (OtherInfo/Priority)."""
        return self.header.other_info.priority

    @property
    def recipient_ids(self) -> tuple[str, ...]:
        """OrganIds of the To elements, in packet order, without duplicates."""
        return tuple(dict.fromkeys(org.organ_id for org in self.header.to))

    @property
    def business_type(self) -> int:
        """BussinessDocType; a packet without a Bussiness block counts as new (0)."""
        return self.business.business_doc_type if self.business else 0


@dataclass(frozen=True, kw_only=True)
class StatusPacket:
    """A status packet (§3). status_code is two characters, e.g. "01". warnings: as on
    DocumentPacket."""

    from_: Organization
    response_for: ResponseFor
    staff_info: StaffInfo = field(default_factory=StaffInfo)
    status_code: str
    description: str = ""
    timestamp: datetime
    traces: tuple[TraceHeader, ...] = ()
    has_signature: bool = False
    trace_list: TraceListInfo = field(default_factory=TraceListInfo)
    warnings: tuple[PacketWarning, ...] = field(default=(), compare=False)
