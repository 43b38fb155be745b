"""Large packets in the inspection worker (issue 12, "200 MB packet < 100 MB growth"): a spooled
packet is parsed once, from its file, into the one tree that the secrecy walk, the signature
check and the model all read; attachments are checked, not decoded; every body is hashed
once. Each test breaks the path the old code took, so it fails if that path comes back."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from docexchange.edxml import parser as edxml_parser
from docexchange.edxml import values
from docexchange.errors import DocExchangeError
from docexchange.exchange import incoming, packet_check
from docexchange.exchange.context import trust_files
from docexchange.exchange.incoming import BodySink
from docexchange.signing import xmldsig
from docexchange.store import blobs as blob_module
from docexchange.store.blobs import BlobStore
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import document, sign_as

REPO = Path(__file__).resolve().parents[2]


def _forbidden(what: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{what} was called")
    return call


def _trust(env: HubEnv) -> tuple[Path, ...]:
    files = trust_files(env.config.keys.dir)
    packet_check._verifier(files, False)  # loaded before the file reads are forbidden
    return files


def _signed(env: HubEnv, size: int) -> bytes:
    return sign_as(env, PROVINCE, document(PROVINCE, [SO_NOI_VU],
                                           files=[("ban-ve.zip", os.urandom(size))]))


def test_a_spooled_packet_is_read_from_its_file_and_parsed_once(
        hub_env: HubEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No bytes of the file in memory, no second parse for the signature, no canonical copy
    parsed again: the packet's one tree is verified and read."""
    trust = _trust(hub_env)
    spooled = tmp_path / "body"
    spooled.write_bytes(_signed(hub_env, 300_000))
    monkeypatch.setattr(Path, "read_bytes", _forbidden("Path.read_bytes"))
    monkeypatch.setattr(edxml_parser, "parse_bytes", _forbidden("parse_bytes (edxml)"))
    monkeypatch.setattr(xmldsig, "parse_bytes", _forbidden("parse_bytes (xmldsig)"))
    inspection = packet_check.inspect_source(spooled, trust, False)
    assert inspection.signature.signer_key_id is not None
    assert inspection.signature.error is None
    names = [a.name for a in inspection.packet.attachments]  # type: ignore[union-attr]
    assert names == ["ban-ve.zip"]


def test_an_inline_packet_is_verified_on_the_tree_it_was_parsed_into(
        hub_env: HubEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    trust = _trust(hub_env)
    data = _signed(hub_env, 2_000)
    monkeypatch.setattr(xmldsig, "parse_bytes", _forbidden("parse_bytes (xmldsig)"))
    inspection = packet_check.inspect_packet(data, trust, False)
    assert inspection.signature.signer_key_id is not None


def test_a_worker_checks_attachments_without_decoding_them(
        hub_env: HubEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trust = _trust(hub_env)
    spooled = tmp_path / "body"
    spooled.write_bytes(document(PROVINCE, [SO_NOI_VU], files=[("a.pdf", os.urandom(90_000))]))
    monkeypatch.setattr(values, "decode_base64", _forbidden("decode_base64"))
    inspection = packet_check.inspect_source(spooled, trust, False)
    assert [a.data for a in inspection.packet.attachments] == [b""]  # type: ignore[union-attr]


def test_bad_base64_in_a_spooled_packet_is_still_refused(
        hub_env: HubEnv, tmp_path: Path) -> None:
    """Checking without decoding refuses what decoding refused, naming the attachment."""
    data = document(PROVINCE, [SO_NOI_VU], files=[("a.pdf", os.urandom(90_000))])
    start = data.index(b"ContentTransferEncoded xmlns") + 40_000
    spooled = tmp_path / "body"
    spooled.write_bytes(data[:start] + b"*" + data[start + 1:])
    with pytest.raises(DocExchangeError) as refused:
        packet_check.inspect_source(spooled, _trust(hub_env), False)
    assert refused.value.code == "DX_INVALID_PACKET"
    assert refused.value.errors[0]["element"] == "ContentTransferEncoded"


async def test_a_spooled_body_is_hashed_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The request body's running hash is the only one: the spool file does not hash the
    same bytes again."""
    hashed: list[int] = []

    class Counting:
        def __init__(self) -> None:
            self._inner = hashlib.sha256()

        def update(self, data: bytes) -> None:
            hashed.append(len(data))
            self._inner.update(data)

        def hexdigest(self) -> str:
            return self._inner.hexdigest()

    counting = type("hashlib", (), {"sha256": Counting})
    monkeypatch.setattr(incoming, "hashlib", counting)
    monkeypatch.setattr(blob_module, "hashlib", counting)
    store = BlobStore(tmp_path / "blobs")
    store.open()
    sink = BodySink(store, limit=8 * 2**20, inline_limit=2**20)
    content = os.urandom(3 * 2**20 + 5)
    for start in range(0, len(content), 64 * 1024):
        sink.write(content[start:start + 64 * 1024])
    body = await sink.finish()
    assert body.sha256 == hashlib.sha256(content).hexdigest()
    assert sum(hashed) == len(content)


_PEAK = """
import json, re, sys
from pathlib import Path
from docexchange.exchange import packet_check

def hwm():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\\s+(\\d+)", status)[1]) * 1024

trust = tuple(Path(p) for p in json.loads(sys.argv[2]))
packet_check.start_worker(trust, False)
before = hwm()
inspection = packet_check.inspect_source(Path(sys.argv[1]), trust, False)
assert inspection.signature.signer_key_id is not None, inspection.signature
print(hwm() - before)
"""


def test_a_large_packet_costs_a_worker_less_than_four_times_its_size(
        hub_env: HubEnv, tmp_path: Path) -> None:
    """A worker's peak grows by the packet's tree and what libxml2's canonicalisation copies
    of its largest text (about 2.8 times the packet), no longer by a second tree, a
    canonical copy parsed again, the file's bytes and the decoded attachment (5.4 times)."""
    spooled = tmp_path / "body"
    spooled.write_bytes(_signed(hub_env, 18 * 2**20))
    trust = json.dumps([str(p) for p in trust_files(hub_env.config.keys.dir)])
    run = subprocess.run([sys.executable, "-c", _PEAK, str(spooled), trust], cwd=REPO,
                         capture_output=True, text=True, check=True)
    assert int(run.stdout) < 4 * spooled.stat().st_size
