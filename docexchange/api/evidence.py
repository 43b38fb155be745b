"""Evidence endpoints: signed tree heads, inclusion and consistency proofs, receipts, export.

What each answer proves, and how to check it offline, is docs/evidence.md. Any authenticated
unit may read tree heads and consistency proofs (hashes only); a leaf and its inclusion proof
only go to the units the event concerns.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from docexchange.api.auth import authenticate
from docexchange.api.responses import json_response
from docexchange.appkeys import HUB_KEY
from docexchange.errors import DocExchangeError
from docexchange.evidence import proofs
from docexchange.evidence.merkle import encode_proof
from docexchange.exchange.receipts import stored_receipt

routes = web.RouteTableDef()
MAX_INDEX = 2**62
PAGE_LIMIT = 1000
_INTEGER = re.compile(r"-?[0-9]{1,19}")  # int() would also take "1_000", " 7" and "٣"


def _db(request: web.Request) -> Any:
    """The hub's database handle, passed on to the evidence services (never queried here)."""
    return request.config_dict[HUB_KEY].db


def _int_param(request: web.Request, name: str, *, required: bool = False, low: int = 0,
               high: int = MAX_INDEX) -> int | None:
    """An integer query parameter in [low, high]; DX_BAD_REQUEST names it otherwise."""
    raw = request.query.get(name)
    if raw is None and not required:
        return None
    value = int(raw) if raw is not None and _INTEGER.fullmatch(raw) else None
    if value is None or not low <= value <= high:
        raise DocExchangeError("DX_BAD_REQUEST", f"Tham số {name} phải là số nguyên từ {low} "
                               f"đến {high}.", f"Parameter {name} must be an integer from "
                               f"{low} to {high}.", errors=[{"parameter": name, "value": raw}])
    return value


@routes.get("/evidence/tree-head")
async def latest_tree_head(request: web.Request) -> web.Response:
    await authenticate(request)
    head = await proofs.latest_head(_db(request))
    return json_response(head.to_json())


@routes.get("/evidence/tree-heads")
async def list_tree_heads(request: web.Request) -> web.Response:
    await authenticate(request)
    from_ts = _int_param(request, "from") or 0
    to_ts = _int_param(request, "to")
    after = _int_param(request, "after") or 0
    limit = _int_param(request, "limit", low=1, high=PAGE_LIMIT) or 100
    heads = await proofs.heads_by_time(_db(request), from_ts, MAX_INDEX if to_ts is None
                                       else to_ts, after, limit)
    return json_response({
        "count": len(heads), "tree_heads": [h.to_json() for h in heads],
        "next_after": heads[-1].tree_size if len(heads) == limit else None})


@routes.get("/evidence/inclusion")
async def inclusion(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    index = _int_param(request, "leaf_index", required=True)
    tree_size = _int_param(request, "tree_size", low=1)
    assert index is not None
    found = await proofs.inclusion_for_unit(_db(request), caller, index, tree_size)
    return json_response(found.to_json())


@routes.get("/evidence/consistency")
async def consistency(request: web.Request) -> web.Response:
    await authenticate(request)
    first = _int_param(request, "first", required=True, low=1)
    second = _int_param(request, "second", low=1)
    assert first is not None
    old, new, proof = await proofs.consistency(_db(request), first, second)
    return json_response({"first": old.tree_size, "second": new.tree_size,
                              "consistency_proof": encode_proof(proof),
                              "first_tree_head": old.to_json(),
                              "second_tree_head": new.to_json()})


@routes.get("/documents/{message_id}/receipt")
async def receipt(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    body = await stored_receipt(_db(request), caller, request.match_info["message_id"])
    return json_response(body)
