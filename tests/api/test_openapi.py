"""The OpenAPI document: valid for a real validator, with request and response schemas and an
example for every operation, and examples and real answers that fit those schemas."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from docexchange.api.openapi import document
from tests.conftest import PROVINCE, SO_NOI_VU, HubEnv
from tests.exchange.helpers import XML, sample

SPEC = document()
OPERATIONS = [(path, method, op) for path, ops in SPEC["paths"].items()
              for method, op in ops.items()]


def _check(instance: Any, schema: dict[str, Any]) -> None:
    """Validate against a schema of the document, its $refs resolved within the document."""
    OAS30Validator({**schema, "components": SPEC["components"]}).validate(instance)


def _success(op: dict[str, Any]) -> dict[str, Any]:
    [(status, answer)] = [(s, a) for s, a in op["responses"].items() if s.startswith("2")]
    return dict(answer["content"])


def test_the_document_is_valid_openapi() -> None:
    validate(SPEC)
    assert SPEC["openapi"].startswith("3.0")


@pytest.mark.parametrize("path,method,op", OPERATIONS, ids=[f"{m} {p}" for p, m, _ in
                                                             OPERATIONS])
def test_every_operation_has_schemas_and_examples(path: str, method: str,
                                                  op: dict[str, Any]) -> None:
    for media, content in _success(op).items():
        assert "schema" in content and "example" in content, (path, method, media)
        if media == "application/json":
            _check(content["example"], content["schema"])
    if method == "post" and "requestBody" in op:
        for media, content in op["requestBody"]["content"].items():
            assert "schema" in content and "example" in content, (path, method, media)
            if media == "application/json":
                _check(content["example"], content["schema"])
    for status, answer in op["responses"].items():
        if not status.startswith("2"):
            assert "application/problem+json" in answer["content"]


def test_bodies_are_documented_where_the_hub_reads_one() -> None:
    with_body = {(p, m) for p, m, op in OPERATIONS if "requestBody" in op}
    assert with_body == {("/documents", "post"), ("/documents/validate", "post"),
                         ("/statuses", "post"), ("/push-endpoint", "put"),
                         ("/deliveries/ack", "post"),
                         ("/ops/push-endpoints/{code}/approve", "post"),
                         ("/relay/documents", "post"), ("/relay/statuses", "post")}
    send = SPEC["paths"]["/documents"]["post"]["requestBody"]["content"]
    assert set(send) == {"application/xml", "application/json"}


def _schema_of(path: str, method: str) -> dict[str, Any]:
    return dict(_success(SPEC["paths"][path][method])["application/json"]["schema"])


async def test_real_answers_fit_their_schemas(client: TestClient, hub_env: HubEnv) -> None:
    data = sample("edoc_new.edxml")
    report = await client.post("/api/v1/documents/validate", data=data,
                               headers={**hub_env.auth(PROVINCE), **XML})
    _check(await report.json(), _schema_of("/documents/validate", "post"))
    sent = await client.post("/api/v1/documents", data=data,
                             headers={**hub_env.auth(PROVINCE), **XML})
    receipt = await sent.json()
    _check(receipt, _schema_of("/documents", "post"))
    inbox = await (await client.get("/api/v1/inbox", headers=hub_env.auth(SO_NOI_VU))).json()
    _check(inbox, _schema_of("/inbox", "get"))
    ack = await client.post(f"/api/v1/deliveries/{inbox['items'][0]['delivery_id']}/ack",
                            headers=hub_env.auth(SO_NOI_VU))
    _check(await ack.json(), _schema_of("/deliveries/{delivery_id}/ack", "post"))
    timeline = await client.get(f"/api/v1/documents/{receipt['message_id']}/deliveries",
                                headers=hub_env.auth(PROVINCE))
    _check(await timeline.json(), _schema_of("/documents/{message_id}/deliveries", "get"))
    unit = await client.get(f"/api/v1/units/{PROVINCE}", headers=hub_env.auth(PROVINCE))
    _check(await unit.json(), _schema_of("/units/{code}", "get"))
    served = await (await client.get("/api/v1/openapi.json")).json()
    assert served == SPEC
