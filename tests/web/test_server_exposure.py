"""What a running `greenbot run` (root.py, real HTTP) reveals of reports and metrics: Open311
without a key shows only what staff published, rounded and without notes; the key in a header
opens the full view; a key in the URL is refused; /metrics needs its bearer token."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from ground.clock import SystemClock
from ground.db import create_engine, session_factory
from outbox import Outbox
from reports import MediaStore, Report, ReportService
from tests.web.conftest import Browser, web_settings
from tests.web.test_server import add_admin, free_port, greenbot

KEY = "city-key-for-the-server-test-01"
SCRAPE = "scrape-token-for-the-server-test-01"
PHONE = "13900005555"


async def file_two_reports(settings) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Two citizens' reports, filed the way the bot files them."""
    database = create_engine(settings.sqlalchemy_url)
    media = MediaStore(settings.media_dir, max_bytes=settings.max_photo_bytes)
    try:
        async with session_factory(database).begin() as session:
            reports = ReportService(session, Outbox(session), SystemClock(), media)
            shown = await reports.submit(
                user_id=7300001, chat_id=7300001, category="air", district="碧江区",
                description="我是赵六，家门口工地扬尘", lat=27.718349, lon=109.189461,
                address="锦江大道 88 号", phone=PHONE,
            )  # fmt: skip
            kept = await reports.submit(
                user_id=7300002, chat_id=7300002, category="noise", district="万山区",
                description="夜间施工噪声", address="万山镇",
            )  # fmt: skip
            return shown.ticket, kept.ticket
    finally:
        await database.dispose()


async def test_open311_and_metrics_on_a_running_server(tmp_path: Path) -> None:
    settings = web_settings(
        tmp_path,
        web_port=free_port(),
        web_sandbox=False,
        open311_api_keys=KEY,
        metrics_token=SCRAPE,
    )
    await add_admin(settings)
    shown, kept = await file_two_reports(settings)
    async with greenbot(settings, None) as base:
        admin = Browser(base_url=base)
        await admin.log_in("admin1")
        await admin.get(f"/reports/{shown}")
        note = await admin.post(f"/reports/{shown}/status", {"to": "accepted", "note": "赵六家"})
        published = await admin.post(
            f"/reports/{shown}/publish", {"public_description": "锦江大道一处工地扬尘"}
        )
        assert note.status_code == published.status_code == 303
        await admin.close()

        async with httpx.AsyncClient(base_url=f"{base}/open311/v2", timeout=30) as api:
            public = await api.get("/requests.json")
            hidden = await api.get(f"/requests/{kept}.json")
            full = await api.get("/requests.json", headers={"X-Api-Key": KEY})
            in_url = await api.get("/requests.json", params={"api_key": KEY})
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            bare = await http.get("/metrics")
            wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess"})
            scraped = await http.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE}"})

    [request] = public.json()
    assert request["service_request_id"] == shown
    assert request["description"] == "锦江大道一处工地扬尘"
    assert (request["lat"], request["long"]) == (27.718, 109.189)
    assert request["status_notes"] == "已受理" and request["address"] == "碧江区"
    for secret in ("赵六", "88 号", PHONE, "7300001", "27.718349"):
        assert secret not in public.text, secret
    assert hidden.status_code == 404

    by_ticket = {r["service_request_id"]: r for r in full.json()}
    assert set(by_ticket) == {shown, kept}
    assert by_ticket[shown]["description"] == "我是赵六，家门口工地扬尘"
    assert by_ticket[shown]["lat"] == 27.718349 and "赵六家" in by_ticket[shown]["status_notes"]
    assert PHONE not in full.text and "7300001" not in full.text

    assert in_url.status_code == 400 and "X-Api-Key" in in_url.json()[0]["description"]
    assert bare.status_code == wrong.status_code == 401
    assert "greenbot_" not in bare.text
    assert scraped.status_code == 200 and "greenbot_reports" in scraped.text

    database = create_engine(settings.sqlalchemy_url)
    async with session_factory(database)() as session:
        stored = (await session.scalars(select(Report).where(Report.ticket == shown))).one()
    await database.dispose()
    assert stored.published_at is not None


async def test_metrics_are_absent_on_a_running_server_without_a_token(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, web_port=free_port(), web_sandbox=False)
    await add_admin(settings)
    async with greenbot(settings, None) as base, httpx.AsyncClient(base_url=base) as http:
        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get("/healthz")).status_code == 200
