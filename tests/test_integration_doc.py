"""docs/integration.md stays true: Vietnamese first, linked from the README, says what vendors
must know, and its JSON send works against the real hub."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiohttp.test_utils import TestClient

from tests.conftest import PROVINCE, HubEnv

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "integration.md").read_text("utf-8")


def test_vietnamese_first_then_english_and_linked_from_the_readme() -> None:
    assert DOC.index("Quy tắc định danh") < DOC.index("# E. English") < DOC.index("E3. Identity")
    assert "(docs/integration.md)" in (REPO / "README.md").read_text("utf-8")


def test_it_says_what_vendors_must_know() -> None:
    for needle in ("curl ", "HubClient", "409 `DX_DUPLICATE_DOCUMENT`", "Asia/Ho_Chi_Minh",
                   "dd/MM/yyyy", "`verified`", "`absent`", "`unverified`",
                   "OrganId + DocumentId", "ResponseFor (OrganId + DocumentId)",
                   "only the original sender may recall", "docexchange validate",
                   "docexchange extract", "/documents/validate"):
        assert needle in DOC, needle


async def test_the_json_send_of_the_doc_is_accepted(client: TestClient, hub_env: HubEnv) -> None:
    [body] = re.findall(r"\$HUB/documents -d '(\{.*?\})'", DOC, re.S)
    resp = await client.post("/api/v1/documents", json=json.loads(body),
                             headers=hub_env.auth(PROVINCE))
    assert resp.status == 202, await resp.text()
