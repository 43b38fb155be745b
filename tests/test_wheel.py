"""The installable hub: a wheel (``pip install .``, not editable) ships the XSDs and validates.

Built in the test from a copy of the checkout into a fresh virtual environment, then used from
another folder, so that nothing can come from the repository: the installed package must carry
its own schemas. It takes a few seconds (pip resolves the dependencies as a user's would).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "var", "keys", "test-artifacts", "build",
                                     "*.egg-info", "__pycache__", ".*_cache", "samples")

CHECK = r"""
import json, sys
from pathlib import Path
import docexchange
from docexchange.edxml import parse_packet, schema_dir
from docexchange.errors import DocExchangeError
good = Path(sys.argv[1]).read_bytes()
packet = parse_packet(good)
bad = good.replace(b"<edXML:CodeNumber>125</edXML:CodeNumber>", b"")
try:
    parse_packet(bad)
    refused = None
except DocExchangeError as exc:
    refused = {"code": exc.code, "errors": exc.errors}
print(json.dumps({"package": docexchange.__file__, "xsd": sorted(p.name for p in
                  schema_dir().glob("*.xsd")), "document_id": packet.document_id,
                  "refused": refused}))
"""


def test_wheel_ships_the_xsds_and_validates_packets(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=_NOT_SOURCE)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(source)], check=True,
                   cwd=tmp_path, stdout=subprocess.DEVNULL)
    shutil.rmtree(source)  # nothing may still be read from the source tree
    work = tmp_path / "elsewhere"
    work.mkdir()
    sample = REPO / "samples" / "edoc_new.edxml"

    out = subprocess.run([str(python), "-c", CHECK, str(sample)], check=True, cwd=work,
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    result = json.loads(out.stdout)

    assert result["package"].startswith(str(env_dir)), result["package"]
    shipped = sorted(p.name for p in (REPO / "docexchange" / "edxml" / "xsd").glob("*.xsd"))
    assert result["xsd"] == shipped  # every XSD of the checkout is in the wheel
    assert {"edxml-common.xsd", "edxml-document.xsd", "edxml-status.xsd"} <= set(result["xsd"])
    assert result["document_id"] == "000.00.00.H45,2018/06/14,125/UBND-KT"
    assert result["refused"]["code"] == "DX_INVALID_PACKET"
    [error] = result["refused"]["errors"]
    assert error["path"] == "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Code"
    assert "CodeNumber" in error["reason"]

    extracted = subprocess.run([str(env_dir / "bin" / "docexchange"), "extract", str(sample),
                                "--out", str(work / "files")], cwd=work, capture_output=True,
                               text=True, check=True)
    assert extracted.stdout.strip() == str(work / "files" / "cong-van-125.pdf")
    assert (work / "files" / "cong-van-125.pdf").read_bytes().startswith(b"%PDF")
