"""Excel downloads for operators: the same workbooks as /api/v1/ops/reports/*.xlsx, behind
the dashboard's session instead of a bearer token."""

from __future__ import annotations

from aiohttp import web

from docexchange.api.ops import report_range, xlsx_response
from docexchange.appkeys import HUB_KEY
from docexchange.monitor import reports

routes = web.RouteTableDef()


@routes.get("/reports/coverage.xlsx", name="report-coverage")
async def coverage(request: web.Request) -> web.Response:
    return xlsx_response(await reports.coverage_workbook(request.config_dict[HUB_KEY]),
                         "coverage.xlsx")


@routes.get("/reports/documents.xlsx", name="report-documents")
async def documents(request: web.Request) -> web.Response:
    first, last = report_range(request)
    return xlsx_response(await reports.documents_workbook(request.config_dict[HUB_KEY], first,
                                                          last),
                         f"documents-{first}-{last}.xlsx")
