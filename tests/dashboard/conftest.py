"""Browser fixtures: the real hub served on a free local port, and Debian's chromium driven
by Playwright's async API in the test's own event loop.

The browser is never downloaded (`playwright install` cannot reach its servers here):
`scripts/ensure-browser.sh`, run by `make test`, installs the Debian package. A missing
browser fails the tests, with the fix in the message; it never skips them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from docexchange.app import create_app
from docexchange.appkeys import HUB_KEY
from docexchange.hub import Hub
from tests.conftest import REPO, HubEnv

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts"


@dataclass
class LiveHub:
    url: str
    hub: Hub
    env: HubEnv
    http: aiohttp.ClientSession

    async def api(self, method: str, path: str, *, organ_id: str | None = None,
                  operator: bool = False, **kwargs: Any) -> Any:
        """A JSON API call as a unit (its API key) or as the demo admin (its token)."""
        token = (self.env.credentials["operators"]["admin"]["api_token"] if operator
                 else self.env.api_key(organ_id or ""))
        async with self.http.request(method, self.url + path, headers={
                "Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
                **kwargs) as resp:
            assert resp.status < 300, await resp.text()
            return await resp.json()


@pytest.fixture
async def live_hub(hub_env: HubEnv) -> AsyncIterator[LiveHub]:
    app = create_app(hub_env.config)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as http:
        yield LiveHub(f"http://127.0.0.1:{port}", app[HUB_KEY], hub_env, http)
    await runner.cleanup()


def _missing_browser() -> str:
    where = "in CI (CI=true)" if os.environ.get("CI") == "true" else "on this machine"
    return (f"{CHROMIUM} is missing {where}: the dashboard browser tests need Debian's "
            "chromium. Run `scripts/ensure-browser.sh` (`make test` runs it first) or "
            "`apt-get install chromium`; never `playwright install`.")


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Any]:
    """A fresh chromium profile per test, 1280 px wide, Vietnamese locale."""
    if not CHROMIUM.exists():
        pytest.fail(_missing_browser(), pytrace=False)
    from playwright.async_api import async_playwright
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.set_default_timeout(15_000)
        page = context.pages[0] if context.pages else await context.new_page()
        try:
            yield page
        finally:
            await context.close()
