"""HTTPS served directly, and units authenticated by TLS client certificates (mTLS): real
certificates, a real TLS server and a real TLS client on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import re
import ssl
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from docexchange.app import create_app
from docexchange.cli import main
from docexchange.server import GuardedAppRunner, loop_factory, loop_name, tls_context
from tests.conftest import PROVINCE, HubEnv


def _server_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hub.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
async def https_hub(hub_env: HubEnv, tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    cert, key = _server_certificate(tmp_path)
    config = replace(hub_env.config, server=replace(hub_env.config.server, tls_cert=str(cert),
                                                    tls_key=str(key)))
    runner = GuardedAppRunner(create_app(config), config)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls_context(config)).start()
    try:
        yield f"https://127.0.0.1:{runner.addresses[0][1]}", cert
    finally:
        await runner.cleanup()


def _client_context(server_cert: Path, client: tuple[Path, Path] | None = None
                    ) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(server_cert))
    if client is not None:
        context.load_cert_chain(str(client[0]), str(client[1]))
    return context


async def _get(url: str, context: ssl.SSLContext, **kwargs: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url, ssl=context, **kwargs) as resp:
        return resp.status, resp


async def _cli(*argv: str) -> int:
    """The real command line, in a thread (it runs its own event loop)."""
    return await asyncio.to_thread(main, list(argv))


async def _issue_client_cert(env: HubEnv, capsys: Any) -> tuple[Path, Path, str]:
    assert await _cli("--config", str(env.config_path), "keys", "issue", PROVINCE,
                      "--client-cert") == 0
    out = capsys.readouterr().out
    cert = Path(re.search(r"TLS client certificate (\S+)", out)[1])  # type: ignore[index]
    key = Path(re.search(r"key (\S+)", out)[1])  # type: ignore[index]
    fingerprint = re.search(r"fingerprint ([0-9a-f]{64})", out)[1]  # type: ignore[index]
    return cert, key, fingerprint


async def test_https_is_served_and_the_session_cookie_is_secure(
        https_hub: tuple[str, Path]) -> None:
    url, server_cert = https_hub
    status, resp = await _get(url + "/healthz", _client_context(server_cert))
    assert status == 200
    status, resp = await _get(url + "/dashboard/login", _client_context(server_cert))
    assert status == 200 and resp.cookies["dx_login_csrf"]["secure"]


async def test_a_registered_client_certificate_is_its_unit_until_revoked(
        https_hub: tuple[str, Path], hub_env: HubEnv, capsys: Any) -> None:
    url, server_cert = https_hub
    cert, key, fingerprint = await _issue_client_cert(hub_env, capsys)
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    with_cert = _client_context(server_cert, (cert, key))
    status, _ = await _get(url + "/api/v1/inbox", with_cert)
    assert status == 200
    status, _ = await _get(url + "/api/v1/inbox", _client_context(server_cert))
    assert status == 401  # no certificate, no key
    assert await _cli("--config", str(hub_env.config_path), "keys", "revoke-client-cert",
                      fingerprint) == 0
    status, _ = await _get(url + "/api/v1/inbox", with_cert)
    assert status == 401
    status, _ = await _get(url + "/api/v1/inbox", with_cert, headers=hub_env.auth(PROVINCE))
    assert status == 200  # an API key still works over the same TLS connection


async def test_client_certificates_reach_the_hub_on_uvloop(
        hub_env: HubEnv, tmp_path: Path, capsys: Any) -> None:
    """`serve` runs on uvloop, whose TLS transport is its own: HTTPS is served and a client
    certificate still names its unit there (the hub on a uvloop loop of its own thread)."""
    cert, key = _server_certificate(tmp_path)
    client = await _issue_client_cert(hub_env, capsys)
    config = replace(hub_env.config, server=replace(hub_env.config.server, tls_cert=str(cert),
                                                    tls_key=str(key)))

    async def serve_two_requests() -> tuple[str, int, int]:
        runner = GuardedAppRunner(create_app(config), config)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls_context(config)).start()
        url = f"https://127.0.0.1:{runner.addresses[0][1]}/api/v1/inbox"
        try:
            with_cert, _ = await _get(url, _client_context(cert, client[:2]))
            without, _ = await _get(url, _client_context(cert))
        finally:
            await runner.cleanup()
        return loop_name(asyncio.get_running_loop()), with_cert, without

    def on_uvloop() -> tuple[str, int, int]:
        with asyncio.Runner(loop_factory=loop_factory("uvloop")) as runner:
            return runner.run(serve_two_requests())

    assert await asyncio.to_thread(on_uvloop) == ("uvloop", 200, 401)
