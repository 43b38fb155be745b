"""Write a packet's attachments as files, under names that cannot leave the target folder.

AttachmentName comes from whoever wrote the packet: it may hold ``../``, an absolute path, a
Windows path, control characters or a name already taken. Only its last path component is kept,
cleaned; the file is created exclusively (never overwriting, never through a symlink), and a
taken name gets ``-2``, ``-3``... before its extension. The field's single-file zips are unzipped
(``Attachment.file_bytes``, which bounds the inflated size); other content is written as sent.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from docexchange.edxml import DocumentPacket, parse_packet
from docexchange.edxml.model import Attachment
from docexchange.errors import DocExchangeError

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
_MAX_NAME = 150


def safe_name(name: str, fallback: str) -> str:
    """The last component of ``name``, without control or reserved characters and leading
    dots; ``fallback`` when nothing usable is left."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if not base:
        return fallback
    stem, dot, ext = base.rpartition(".")
    if len(base) > _MAX_NAME:
        base = (stem[: _MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) < 20 \
            else base[:_MAX_NAME]
    return base


def _create(folder: Path, name: str, data: bytes) -> Path:
    """Create ``folder/name`` exclusively; on a clash try ``stem-2.ext``, ``stem-3.ext``..."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    for n in range(1, 1000):
        candidate = name if n == 1 else f"{stem}-{n}{dot}{ext}"
        path = folder / candidate
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                         0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return path
    raise FileExistsError(f"no free name for {name} in {folder}")


def attachment_name(attachment: Attachment, index: int) -> str:
    fallback = f"attachment-{index}"
    return safe_name(attachment.name or attachment.description, fallback)


def extract_attachments(data: bytes, out: Path) -> list[Path]:
    """Parse the packet (safely) and write each attachment into ``out``; returns the paths.

    Raises DocExchangeError for a packet that does not parse or is a status packet.
    """
    packet = parse_packet(data)
    if not isinstance(packet, DocumentPacket):
        raise DocExchangeError(
            "DX_INVALID_PACKET", "Gói tin trạng thái không có tệp đính kèm.",
            "A status packet has no attachments.",
            errors=[{"element": "StatusCode", "reason": "status packet"}])
    out.mkdir(parents=True, exist_ok=True)
    folder = out.resolve()
    written = []
    for index, attachment in enumerate(packet.attachments, start=1):
        path = _create(folder, attachment_name(attachment, index), attachment.file_bytes())
        if path.parent != folder:  # safe_name makes this impossible; keep it checked
            path.unlink()
            raise ValueError(f"refusing to write outside {folder}")
        written.append(path)
    return written
