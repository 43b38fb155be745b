"""A receiver with only openssl and keys/hub.crt checks a push: docs/push-and-relay.md's
commands, run as written (openssl is in the base image: its absence fails, never skips)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from docexchange.push.signing import parse_header, signature_header
from docexchange.signing.keyring import KeyRing
from tests.conftest import HubEnv

MESSAGE_ID, DELIVERY_ID = "01M8JC00ER8VHW5KY1H9A5YR78", "01M8JC00ER8VHW5KY1H9A5YR79"


def _check(folder: Path, hub_crt: Path, sig: str, body: bytes) -> subprocess.CompletedProcess[str]:
    (folder / "body.xml").write_bytes(body)
    script = (f'openssl x509 -in "{hub_crt}" -pubkey -noout > hub.pub\n'
              f"printf 'docexchange-push-v1\\n%s\\n%s\\n' \"$MESSAGE_ID\" \"$DELIVERY_ID\" "
              "> signed.bin\ncat body.xml >> signed.bin\n"
              "printf '%s' \"$SIG_BASE64\" | base64 -d > sig.der\n"
              "openssl dgst -sha256 -verify hub.pub -signature sig.der signed.bin\n")
    env = {"PATH": "/usr/bin:/bin", "MESSAGE_ID": MESSAGE_ID, "DELIVERY_ID": DELIVERY_ID,
           "SIG_BASE64": sig}
    return subprocess.run(["sh", "-c", script], cwd=folder, env=env, capture_output=True,
                          text=True, check=False)


def test_the_documented_openssl_check_accepts_a_push_and_refuses_a_changed_body(
        hub_env: HubEnv, tmp_path: Path) -> None:
    assert shutil.which("openssl"), "openssl must be installed"
    keyring = KeyRing.load(hub_env.config.keys.dir)
    body = "<edXML>văn bản</edXML>\n".encode()
    sig = parse_header(signature_header(keyring, MESSAGE_ID, DELIVERY_ID, body))["sig"]
    hub_crt = hub_env.config.keys.dir / "hub.crt"
    ok = _check(tmp_path, hub_crt, sig, body)
    assert ok.returncode == 0 and "Verified OK" in ok.stdout, ok.stderr
    bad = _check(tmp_path, hub_crt, sig, body + b"x")
    assert bad.returncode != 0
