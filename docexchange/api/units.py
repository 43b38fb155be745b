"""Directory endpoints: any authenticated unit may read the directory (it is how DMS address)."""

from __future__ import annotations

from aiohttp import web

from docexchange.api.auth import authenticate
from docexchange.api.responses import json_response
from docexchange.appkeys import HUB_KEY
from docexchange.errors import DocExchangeError

routes = web.RouteTableDef()


@routes.get("/units")
async def list_units(request: web.Request) -> web.Response:
    await authenticate(request)
    directory = request.config_dict[HUB_KEY].directory
    kind = request.query.get("kind")
    parent = request.query.get("parent")
    units = [u for u in directory.all_units()
             if (kind is None or u.kind == kind) and (parent is None or u.parent_id == parent)]
    return json_response({"count": len(units), "units": [u.to_json() for u in units]})


@routes.get("/units/{code}")
async def show_unit(request: web.Request) -> web.Response:
    await authenticate(request)
    directory = request.config_dict[HUB_KEY].directory
    unit = directory.lookup(request.match_info["code"])
    if unit is None:
        raise DocExchangeError("DX_NOT_FOUND", "Không có đơn vị với mã này.",
                               "No unit has this code.", organ_id=request.match_info["code"])
    body = unit.to_json()
    parent = directory.get(unit.parent_id) if unit.parent_id else None
    body["parent_unit"] = parent.to_json() if parent else None
    body["children"] = [{"organ_id": c.organ_id, "name": c.name, "kind": c.kind}
                        for c in directory.children(unit.organ_id)]
    return json_response(body)
