"""The public transparency page and its open data (no login, no key): what reports/transparency.py
lets anyone see, as a page with the district map, as CSV (UTF-8 with a BOM, so a spreadsheet
reads the Chinese) and as JSON. The fields are documented in docs/open-data.md."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from reports import transparency
from reports.categories import category_name
from reports.districts import DISTRICTS
from reports.export import defuse
from reports.notices import status_name
from web import maps
from web.deps import ClockDep, SessionDep
from web.templating import page

router = APIRouter()
FILE_HEADERS = {"Cache-Control": "public, max-age=300"}


@router.get("/transparency")
async def show(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    listed = await transparency.published(session)
    figures = await transparency.figures(session, clock.now())
    district_map = maps.draw(
        "已公开的举报：各区县举报数（全部举报），圆点为已公开举报的大致位置",
        points=[
            (r.latitude, r.longitude, f"{r.ticket} {category_name(r.category)}", f"#{r.ticket}")
            for r in listed
            if r.latitude is not None and r.longitude is not None
        ],
        counts=figures.by_district,
    )
    return page(
        request,
        "transparency.html",
        {
            "listed": listed,
            "figures": figures,
            "map": district_map,
            "districts": [(d, figures.by_district.get(d, 0)) for d in DISTRICTS],
            "categories": [(category_name(c), n) for c, n in figures.by_category.items()],
            "statuses": [(status_name(s), n) for s, n in figures.by_status.items()],
            "schema": transparency.OPEN_DATA_SCHEMA,
        },
    )


@router.get("/transparency/reports.csv")
async def as_csv(session: SessionDep) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=transparency.OPEN_DATA_FIELDS)
    writer.writeheader()
    for report in await transparency.published(session):
        writer.writerow(
            {k: defuse(v) if isinstance(v, str) else v for k, v in report.row().items()}
        )
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={**FILE_HEADERS, "Content-Disposition": 'attachment; filename="reports.csv"'},
    )


@router.get("/transparency/reports.json")
async def as_json(session: SessionDep, clock: ClockDep) -> JSONResponse:
    figures = await transparency.figures(session, clock.now())
    body: dict[str, Any] = {
        "schema": transparency.OPEN_DATA_SCHEMA,
        "generated_at": clock.now().isoformat(timespec="seconds"),
        "reports": [report.row() for report in await transparency.published(session)],
        "figures": {
            "reports": figures.reports,
            "open": figures.open,
            "by_district": figures.by_district,
            "by_category": figures.by_category,
            "by_status": figures.by_status,
            "service_levels": [vars(level) for level in (figures.overall, *figures.departments)],
        },
    }
    return JSONResponse(body, headers=FILE_HEADERS)
