"""The console's home: counts and charts (reports by category, district and week; questions by
topic; broadcast reach), drawn as inline SVG on the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from reports.publication import PUBLIC_DECIMALS
from web import charts, maps, stats
from web.deps import ConsoleDep, SessionDep, StaffDep
from web.templating import page

router = APIRouter()

REACH_PARTS = (
    ("已送达", charts.PALETTE[0]),
    ("失败/已屏蔽", charts.PALETTE[1]),
    ("待发送", charts.PALETTE[2]),
    ("已取消/不确定", charts.PALETTE[3]),
)


@router.get("/")
async def show_dashboard(
    request: Request, console: ConsoleDep, session: SessionDep, staff: StaffDep
) -> Response:
    now = console.clock.now()
    reach = await stats.broadcast_reach(session)
    reach_rows = [
        (
            item.label,
            [
                item.counts["sent"],
                item.counts["failed"] + item.counts["blocked"],
                item.counts["pending"] + item.counts["sending"],
                item.counts["cancelled"] + item.counts["uncertain"],
            ],
        )
        for item in reach
    ]
    by_district = await stats.reports_by_district(session)
    points = await stats.open_report_points(session, decimals=PUBLIC_DECIMALS)
    context = {
        "summary": await stats.summary(session, now),
        "map": maps.draw(
            "举报地图：各区县举报数，红点为未办结的举报",
            points=[(lat, lon, ticket, f"/reports/{ticket}") for lat, lon, ticket in points],
            counts=dict(by_district),
        ),
        "charts": [
            charts.bars("举报：按类别", await stats.reports_by_category(session)),
            charts.bars("举报：按区县", by_district, "#1565c0"),
            charts.bars(
                "举报：按周（近 12 周）", await stats.reports_by_week(session, now), "#6a1b9a"
            ),
            charts.bars(
                f"提问：按主题（近 {stats.QUESTION_DAYS} 天）",
                await stats.questions_by_topic(session, now),
                "#00838f",
            ),
            charts.stacked("群发触达（最近 8 次）", reach_rows, REACH_PARTS),
        ],
    }
    return page(request, "dashboard.html", context)
