"""Each variant of FIELD-PACKETS.md §2 parses to the right model, with warnings where the
reader read a value differently from how it is written; the refused ones (§3) say why and
where; the hub stores and returns every variant byte for byte."""

from __future__ import annotations

import hashlib
import inspect
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from docexchange.edxml import DocumentPacket, StatusPacket, build_status, parse_packet
from docexchange.edxml.model import PacketWarning
from docexchange.errors import DocExchangeError
from tests.conftest import HubEnv

from . import field_variants as v


def _document(data: bytes) -> DocumentPacket:
    packet = parse_packet(data)
    assert isinstance(packet, DocumentPacket)
    return packet


def _status(data: bytes) -> StatusPacket:
    packet = parse_packet(data)
    assert isinstance(packet, StatusPacket)
    return packet


def _codes(packet: DocumentPacket | StatusPacket) -> list[str]:
    return [w.code for w in packet.warnings]


BASE = _document(v.base_bytes())


def test_every_variant_function_has_a_test() -> None:
    text = Path(__file__).read_text("utf-8")
    names = [n for n, f in inspect.getmembers(v, inspect.isfunction)
             if f.__module__ == v.__name__ and not n.startswith(("_", "base_"))]
    assert [n for n in names if f"v.{n}(" not in text] == []


def test_base_document_has_no_warnings() -> None:
    assert BASE.warnings == () and BASE.business is not None


# TraceHeaderList and Bussiness


def test_replacement_without_business_document_id() -> None:
    packet = _document(v.replacement_without_business_document_id())
    assert packet.business is not None and packet.business.document_id == ""
    assert packet.business_type == 3
    assert [r.document_id for r in packet.business.replacements] == [
        "000.00.00.H45,2026/10/30,97/UBND-KT"] * 2


def test_revocation_without_business_document_id() -> None:
    packet = _document(v.revocation_without_business_document_id())
    assert packet.business_type == 1 and packet.business is not None
    assert packet.business.document_id == ""
    assert packet.header.response_for[0].organ_id == v.OTHER


def test_business_document_id_differs() -> None:
    packet = _document(v.business_document_id_differs())
    assert packet.business is not None
    assert packet.business.document_id == "000.00.00.H45,2014/02/30,7806/UBND-KT"
    assert packet.document_id == v.DOCUMENT_ID


def test_business_before_trace_header() -> None:
    assert _document(v.business_before_trace_header()) == BASE


def test_no_business() -> None:
    packet = _document(v.no_business())
    assert packet.business is None and packet.business_type == 0


def test_trace_header_not_the_sender() -> None:
    packet = _document(v.trace_header_not_the_sender())
    assert packet.traces[0].organ_id == "000.00.00.G22" and packet.sender_id == v.SENDER


def test_staff_ids_in_business() -> None:
    packet = _document(v.staff_ids_in_business())
    assert packet.business is not None
    staff = packet.business.staff_info
    assert (staff.department, staff.department_id, staff.staff_id) == ("Văn thư", "12", "34")


def test_update_receivers_not_in_to() -> None:
    packet = _document(v.update_receivers_not_in_to())
    assert packet.business is not None and packet.business_type == 2
    assert [r.organ_id for r in packet.business.receivers] == [v.OTHER]
    assert packet.recipient_ids == (v.RECIPIENT,)


def test_business_spellings() -> None:
    assert _document(v.business_spellings()) == BASE


def test_trace_header_list_attributes() -> None:
    packet = _document(v.trace_header_list_attributes())
    assert (packet.trace_list.id, packet.trace_list.version,
            packet.trace_list.must_understand) == ("trace-1", "1.0", "1")
    assert packet.trace_list.actor.endswith("/next")


# MessageHeader


def test_task_code_and_application_type() -> None:
    header = _document(v.task_code_and_application_type()).header
    assert (header.task_code, header.application_type, header.steering_type) == (
        "CV-2026-017", 1, 0)


def test_reply_fors_and_reference_codes() -> None:
    info = _document(v.reply_fors_and_reference_codes()).header.other_info
    assert info.reply_fors == ("000.00.31.H45,2026/10/01,9/UBND",)
    assert info.reference_codes == ("HS-2026-04",)


def test_document_type_eighteen() -> None:
    assert _document(v.document_type_eighteen()).header.document_type.type == 18


def test_type_detail_missing() -> None:
    kind = _document(v.type_detail_missing()).header.document_type
    assert (kind.type, kind.type_detail, kind.type_name) == (1, 0, "Công văn")


def test_empty_response_for_is_ignored_and_noted() -> None:
    packet = _document(v.empty_response_for())
    assert packet.header.response_for == ()
    assert _codes(packet) == ["empty_response_for"]


def test_document_id_last_and_to_places_first() -> None:
    header = _document(v.document_id_last_and_to_places_first()).header
    assert header.document_id == v.DOCUMENT_ID
    assert header.to_places == ("Như trên", "Lưu: VT")


def test_empty_and_self_closed_elements() -> None:
    packet = _document(v.empty_and_self_closed_elements())
    assert packet.header.due_date is None
    assert packet.header.from_.organ_add == ""
    assert packet.header.other_info.appendixes == ("",)
    assert packet.header.signer_info.full_name == ""


def test_organisations_partial_any_order() -> None:
    header = _document(v.organisations_partial_any_order()).header
    assert header.from_.organ_id == v.SENDER and header.from_.organ_name == "UBND tỉnh Phú Yên"
    assert header.to[0].organ_id == v.RECIPIENT


# Dates and times


def test_day_first_dates_are_normalised_with_warnings() -> None:
    packet = _document(v.day_first_dates())
    assert packet.header.promulgation_info.date == date(2026, 11, 28)
    assert packet.header.due_date == date(2026, 12, 15)
    assert packet == BASE
    assert [w.element for w in packet.warnings] == ["PromulgationDate", "DueDate"]
    first = packet.warnings[0]
    assert first.code == "day_first_date" and "2026/11/28" in first.message_en
    assert "2026/11/28" in first.message_vi and "28/11/2026" in first.message_vi


def test_day_first_dates_unpadded() -> None:
    packet = _document(v.day_first_dates_unpadded())
    assert packet.header.due_date == date(2027, 9, 5)
    assert _codes(packet) == ["day_first_date"]


def test_day_first_timestamps() -> None:
    packet = _document(v.day_first_timestamps())
    assert packet.traces[0].timestamp == datetime(2026, 11, 28, 9, 30, 0)
    assert [w.element for w in packet.warnings] == ["Timestamp"]


def test_old_dates_deadline_before_promulgation() -> None:
    header = _document(v.old_dates_deadline_before_promulgation()).header
    assert header.due_date == date(2018, 6, 25)
    assert header.promulgation_info.date == date(2018, 9, 27)


def test_warnings_serialise_for_the_receipt() -> None:
    warning = _document(v.day_first_dates()).warnings[0]
    assert isinstance(warning, PacketWarning)
    assert warning.to_json() == {"element": "PromulgationDate", "code": "day_first_date",
                                 "message_vi": warning.message_vi,
                                 "message_en": warning.message_en}


# Namespaces and the XML surface


def test_undeclared_xlink_prefix() -> None:
    data = v.undeclared_xlink_prefix()
    assert b"xmlns:xlink" not in data
    packet = _document(data)
    assert packet == BASE and _codes(packet) == ["undeclared_prefix"]


def test_undeclared_edxml_prefix() -> None:
    packet = _document(v.undeclared_edxml_prefix())
    assert packet == BASE and _codes(packet) == ["undeclared_prefix"]
    assert packet.attachments[0].file_bytes() == v.PDF


def test_declared_xlink_on_reference() -> None:
    link = _document(v.declared_xlink_on_reference()).attachments[0].link
    assert (link.href, link.type, link.role) == ("cid:1", "simple", "attachment")


def test_unknown_qcvn_and_xlink_extensions_are_let_through_and_noted() -> None:
    packet = _document(v.unknown_qcvn_and_xlink_extensions())
    assert packet == BASE
    assert [(w.element, w.code) for w in packet.warnings] == [
        ("RegisterNumber", "unknown_element_ignored"),
        ("@lang", "unknown_attribute_ignored"),
        ("@title", "unknown_attribute_ignored"),
    ]


def test_comments_everywhere() -> None:
    assert _document(v.comments_everywhere()) == BASE


def test_crlf_and_tabs() -> None:
    data = v.crlf_and_tabs()
    assert b"\r\n\t  <edXML:MessageHeader>" in data
    assert _document(data) == BASE


def test_bom_standalone_extra_namespaces() -> None:
    assert _document(v.bom_standalone_extra_namespaces()) == BASE


# Attachments


def test_uuid_content_id() -> None:
    assert _document(v.uuid_content_id()).attachments[0].content_id == v.OWN_UUID


def test_reference_without_content_type() -> None:
    attachment = _document(v.reference_without_content_type()).attachments[0]
    assert attachment.content_type == "application/zip"


def test_attachment_type_wins_over_manifest() -> None:
    packet = _document(v.attachment_type_wins_over_manifest())
    attachment = packet.attachments[0]
    assert attachment.content_type == "application/pdf" and attachment.file_bytes() == v.PDF
    assert _codes(packet) == ["content_type_conflict"]
    assert "application/zip" in packet.warnings[0].message_vi


def test_zip_entry_named_by_uuid() -> None:
    attachment = _document(v.zip_entry_named_by_uuid()).attachments[0]
    assert attachment.name == "phuluc.txt"
    assert zipfile.ZipFile(io.BytesIO(attachment.data)).namelist() == [f"{v.OWN_UUID}.txt"]
    assert attachment.file_bytes() == "Phụ lục kèm theo".encode()


def test_field_name_mime_type_format() -> None:
    attachment = _document(v.field_name_mime_type_format()).attachments[0]
    assert (attachment.field_name, attachment.mime_type, attachment.format) == (
        "file", "application/zip", "zip")


def test_word_content_types() -> None:
    types = [a.content_type for a in _document(v.word_content_types()).attachments]
    assert types == ["application/doc", "application/docx"]


def test_large_attachment_on_one_line() -> None:
    data = v.large_attachment_on_one_line()
    assert 360_000 < len(data) < 380_000
    assert len(_document(data).attachments[0].data) == 256 * 1080


# Status packets


@pytest.mark.parametrize("code", ["01", "02", "03", "04", "05", "06", "13", "15", "16"])
def test_status_with_code(code: str) -> None:
    packet = _status(v.status_with_code(code))
    assert packet.status_code == code and packet.response_for.document_id == v.DOCUMENT_ID


def test_status_response_for_either_order() -> None:
    assert _status(v.status_response_for_either_order()) == _status(v.status_bytes())


def test_status_email_before_mobile() -> None:
    staff = _status(v.status_email_before_mobile()).staff_info
    assert (staff.email, staff.mobile) == ("vt@example.vn", "0900")


def test_status_header_named_status() -> None:
    assert _status(v.status_header_named_status()) == _status(v.status_bytes("05"))


def test_the_builder_never_writes_a_status_header() -> None:
    """VNPT's parser reads <edXML:Status> as an empty status (FIELD-PACKETS.md §6)."""
    rebuilt = build_status(_status(v.status_header_named_status()))
    assert b"edXML:Status>" not in rebuilt and b"<edXML:MessageHeader>" in rebuilt


def test_status_recall_naming_recipient() -> None:
    packet = _status(v.status_recall_naming_recipient())
    assert (packet.status_code, packet.from_.organ_id) == ("13", v.SENDER)
    assert packet.response_for.organ_id == v.RECIPIENT


def test_status_staff_ids() -> None:
    staff = _status(v.status_staff_ids()).staff_info
    assert (staff.department_id, staff.staff, staff.staff_id) == ("12", "Trần B", "34")


def test_status_without_trace_or_signature() -> None:
    packet = _status(v.status_without_trace_or_signature())
    assert packet.traces == () and packet.has_signature is False


def test_status_day_first_timestamp() -> None:
    packet = _status(v.status_day_first_timestamp())
    assert packet.timestamp == datetime(2026, 11, 28, 9, 30, 0)
    assert _codes(packet) == ["day_first_date"]


# Still refused


def _refusal(data: bytes) -> DocExchangeError:
    with pytest.raises(DocExchangeError) as caught:
        parse_packet(data)
    return caught.value


def test_template_with_nested_from_is_malformed_xml() -> None:
    error = _refusal(v.template_with_nested_from())
    assert (error.code, error.status) == ("DX_MALFORMED_XML", 400)
    assert error.errors[0]["element"] == "From" and error.errors[0]["line"] > 0
    assert "From" in error.message_vi and "MessageHeader" in error.message_vi


def test_undeclared_other_prefix_is_malformed_xml() -> None:
    error = _refusal(v.undeclared_other_prefix())
    assert error.code == "DX_MALFORMED_XML" and error.errors[0]["element"] == "Note"
    assert "dms" in error.message_vi and "dms" in error.message_en


def test_no_recipient_is_said_plainly() -> None:
    error = _refusal(v.no_recipient())
    assert error.code == "DX_INVALID_PACKET" and error.errors[0]["element"] == "To"
    assert "names no recipient" in error.message_en
    assert "không ghi đơn vị nhận nào" in error.message_vi
    assert not any("Expected is ( To )" in e["reason"] for e in error.errors)


def test_wrong_root_namespace_is_refused() -> None:
    error = _refusal(v.wrong_root_namespace())
    assert error.code == "DX_INVALID_PACKET" and "root" in error.errors[0]["reason"]


def test_schema_messages_show_the_real_pattern_in_both_languages() -> None:
    data = v.base_bytes().replace(b">2026/11/28</edXML:PromulgationDate>",
                                  b">28.11.2026</edXML:PromulgationDate>")
    error = _refusal(data)
    assert r"\d{4}/\d{1,2}/\d{1,2}" in error.message_en
    assert r"\d{4}/\d{1,2}/\d{1,2}" in error.message_vi and "28.11.2026" in error.message_vi
    assert "không đúng mẫu" in error.message_vi


def test_every_schema_error_has_a_vietnamese_reason() -> None:
    data = v.base_bytes().replace(b"<edXML:Priority>0<", b"<edXML:Priority>9<")
    error = _refusal(data.replace(b"<edXML:CodeNumber>125<", b"<edXML:CodeNumber>123456789012<"))
    assert all(e["reason_vi"] and "tiếng Anh" not in e["reason_vi"] for e in error.errors)


# The hub keeps the sender's bytes


BYTE_SENSITIVE = [
    v.day_first_dates, v.undeclared_xlink_prefix, v.undeclared_edxml_prefix, v.crlf_and_tabs,
    v.bom_standalone_extra_namespaces, v.comments_everywhere, v.unknown_qcvn_and_xlink_extensions,
    v.empty_response_for, v.business_spellings, v.task_code_and_application_type,
]


@pytest.mark.parametrize("variant", BYTE_SENSITIVE, ids=lambda f: f.__name__)
async def test_the_hub_returns_the_exact_bytes(variant: object, client: TestClient,
                                               hub_env: HubEnv) -> None:
    assert callable(variant)
    data = variant()
    sent = await client.post("/api/v1/documents", data=data, headers={
        **hub_env.auth(v.SENDER), "Content-Type": "application/xml"})
    receipt = await sent.json()
    assert sent.status == 202, receipt
    assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
    got = await client.get(f"/api/v1/documents/{receipt['message_id']}",
                           headers=hub_env.auth(v.RECIPIENT))
    assert got.status == 200 and await got.read() == data


async def test_a_signature_over_undeclared_prefixes_is_unverified_not_refused(
        client: TestClient, hub_env: HubEnv) -> None:
    """The verifier reads the bytes as they are, where xlink: is undeclared: it cannot check
    the signature, so the packet goes through as unverified (VNPT's PRO-TEST-CASE1 shape)."""
    data = v.undeclared_xlink_prefix().replace(
        b"</edXML:TraceHeaderList>\n",
        b'</edXML:TraceHeaderList>\n<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'
        b"<SignedInfo/></Signature>\n", 1)
    sent = await client.post("/api/v1/documents", data=data, headers={
        **hub_env.auth(v.SENDER), "Content-Type": "application/xml"})
    receipt = await sent.json()
    assert sent.status == 202, receipt
    assert receipt["signature"] == "unverified"


async def test_the_receipt_notes_each_leniency(client: TestClient, hub_env: HubEnv) -> None:
    """dd/MM/yyyy dates are normalised in the model and said in the receipt; the canonical
    packet's receipt has no warnings; a repeat of the same bytes repeats the same notes."""
    data = v.day_first_dates()
    headers = {**hub_env.auth(v.SENDER), "Content-Type": "application/xml"}
    first = await (await client.post("/api/v1/documents", data=data, headers=headers)).json()
    assert {w["code"] for w in first["warnings"]} == {"day_first_date"}
    assert all(w["message_vi"] and w["message_en"] and w["element"] for w in first["warnings"])
    again = await (await client.post("/api/v1/documents", data=data, headers=headers)).json()
    assert again["message_id"] == first["message_id"]
    assert again["warnings"] == first["warnings"]
    other_id = v.base_bytes().replace(v.DOCUMENT_ID.encode(),
                                      b"000.00.00.H45,2026/11/28,126/UBND-KT")
    plain = await client.post("/api/v1/documents", data=other_id, headers=headers)
    assert plain.status == 202 and (await plain.json())["warnings"] == []


async def test_a_status_answer_notes_each_leniency(client: TestClient, hub_env: HubEnv) -> None:
    headers = {**hub_env.auth(v.SENDER), "Content-Type": "application/xml"}
    sent = await client.post("/api/v1/documents", data=v.base_bytes(), headers=headers)
    assert sent.status == 202, await sent.text()
    answer = await client.post("/api/v1/statuses", data=v.status_day_first_timestamp(), headers={
        **hub_env.auth(v.RECIPIENT), "Content-Type": "application/xml"})
    body = await answer.json()
    assert answer.status == 202, body
    assert [w["code"] for w in body["warnings"]] == ["day_first_date"]
