"""An auditor with only openssl can verify a tree head: docs/evidence.md, step by step.

openssl is part of the base image, so its absence is a failure, never a skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from docexchange.evidence.merkle import leaf_hash, root_hash
from docexchange.evidence.tree_head import TreeHead, sign_tree_head
from docexchange.signing.keyring import init_hub_keys, rotate_hub_key

from .conftest import SigningHub

HEAD_FORMAT = "docexchange-tree-head-v1\\n%s\\n%s\\n%s\\n"


def run(*args: str, stdin: bytes = b"", cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, input=stdin, cwd=cwd, capture_output=True, check=False)


@pytest.fixture(scope="module")
def openssl() -> str:
    path = shutil.which("openssl")
    assert path, "openssl must be installed: auditors verify tree heads with it"
    return path


def extract_public_key(certificate: Path, folder: Path, openssl: str) -> None:
    """Step 1: the public key out of a hub certificate, into hub-pub.pem."""
    pubkey = run(openssl, "x509", "-in", str(certificate), "-pubkey", "-noout", cwd=folder)
    assert pubkey.returncode == 0, pubkey.stderr
    (folder / "hub-pub.pem").write_bytes(pubkey.stdout)


@pytest.fixture
def hub_files(hub: SigningHub, tmp_path: Path, openssl: str) -> Path:
    (tmp_path / "hub.crt").write_bytes(hub.certificate.public_bytes(serialization.Encoding.PEM))
    extract_public_key(tmp_path / "hub.crt", tmp_path, openssl)
    return tmp_path


def write_head(head: TreeHead, folder: Path, openssl: str) -> None:
    """Steps 3-4: the signing input with printf, the signature decoded with openssl base64."""
    document = head.to_json()
    printed = run(
        "printf",
        HEAD_FORMAT,
        str(document["tree_size"]),
        document["root_hash"],
        str(document["timestamp"]),
        cwd=folder,
    )
    (folder / "head.txt").write_bytes(printed.stdout)
    decoded = run(openssl, "base64", "-d", "-A", stdin=document["signature"].encode(), cwd=folder)
    (folder / "head.sig").write_bytes(decoded.stdout)


def openssl_verify(folder: Path, openssl: str) -> subprocess.CompletedProcess[bytes]:
    """Step 5."""
    return run(
        openssl,
        *("dgst", "-sha256", "-verify", "hub-pub.pem", "-signature", "head.sig", "head.txt"),
        cwd=folder,
    )


def make_head(hub: SigningHub) -> TreeHead:
    root = root_hash([leaf_hash(f"event {i}".encode()) for i in range(1234)])
    return sign_tree_head(1234, root, 1_767_225_600_123, hub.private_key, hub.key_id)


def test_openssl_computes_the_same_key_id(hub: SigningHub, hub_files: Path, openssl: str) -> None:
    der = run(openssl, "pkey", "-pubin", "-in", "hub-pub.pem", "-outform", "DER", cwd=hub_files)
    digest = run(openssl, "dgst", "-sha256", "-r", stdin=der.stdout, cwd=hub_files)
    assert digest.stdout.split()[0].decode() == hub.key_id


def test_openssl_verifies_a_tree_head(hub: SigningHub, hub_files: Path, openssl: str) -> None:
    head = make_head(hub)
    write_head(head, hub_files, openssl)
    assert (hub_files / "head.txt").read_bytes() == head.signing_input()
    assert (hub_files / "head.sig").read_bytes() == head.signature
    result = openssl_verify(hub_files, openssl)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == b"Verified OK"


def test_openssl_rejects_an_altered_tree_head(
    hub: SigningHub, hub_files: Path, openssl: str
) -> None:
    head = make_head(hub)
    write_head(head, hub_files, openssl)
    text = (hub_files / "head.txt").read_bytes()
    (hub_files / "head.txt").write_bytes(text.replace(b"\n1234\n", b"\n1235\n"))
    result = openssl_verify(hub_files, openssl)
    assert result.returncode == 1
    assert b"Verification failure" in result.stdout


def test_after_rotation_each_head_verifies_with_its_own_certificate(
    tmp_path: Path, openssl: str
) -> None:
    """Key rotation as documented: key_id picks keys/hub-certs/<key_id>.crt."""
    keys = tmp_path / "keys"
    old = init_hub_keys(keys, "ec-p256")
    old_head = sign_tree_head(5, bytes(range(32)), 1_767_225_600_000, old.private_key, old.key_id)
    new = rotate_hub_key(keys, "rsa-2048")
    new_head = sign_tree_head(9, bytes(32), 1_767_225_700_000, new.private_key, new.key_id)
    assert old.key_id != new.key_id
    for head in (old_head, new_head):
        extract_public_key(keys / "hub-certs" / f"{head.key_id}.crt", tmp_path, openssl)
        write_head(head, tmp_path, openssl)
        assert openssl_verify(tmp_path, openssl).returncode == 0
    extract_public_key(keys / "hub.crt", tmp_path, openssl)
    write_head(old_head, tmp_path, openssl)
    assert openssl_verify(tmp_path, openssl).returncode == 1
