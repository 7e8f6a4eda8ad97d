"""Campaigns: the calendar with this year's announced dates (and the events still waiting for
them), and broadcasts: compose → a draft previewed exactly as subscribers get it, with its audience
(and cost in paid mode) → confirm now or at a time, or discard → live progress, cancel. Dates are
written and read as 2026年6月18日 whatever the browser's locale. Reading is for every staff member;
changing is for admins."""

from __future__ import annotations

import html
import logging
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from campaigns import (
    TOPIC_NAMES,
    TOPICS,
    AnnouncedDates,
    Broadcasts,
    BroadcastStatus,
    load_calendar,
)
from campaigns.texts import paid_cost
from ground.clock import chinese_date, local_time, parse_local
from web import stats
from web.auth import flash
from web.deps import AdminDep, ConsoleDep, SessionDep, StaffDep
from web.errors import BadInput
from web.markup import to_page
from web.templating import page

log = logging.getLogger(__name__)

router = APIRouter()

BROADCAST_STATUS = {
    BroadcastStatus.DRAFT: "草稿",
    BroadcastStatus.SCHEDULED: "已预约",
    BroadcastStatus.SENDING: "发送中",
    BroadcastStatus.DONE: "已完成",
    BroadcastStatus.CANCELLED: "已取消",
}
MAX_BROADCAST = 3500  # below Telegram's 4096 after escaping and 繁體 conversion


def _date(value: str) -> date:
    moment = parse_local(value)
    if moment is None:
        raise BadInput("日期请写成“2026年6月22日”或“2026-06-22”。")
    return moment.date()


@router.get("/campaigns")
async def show_calendar(
    request: Request, console: ConsoleDep, session: SessionDep, staff: StaffDep
) -> Response:
    now = console.clock.now()
    calendar = await load_calendar(session)
    context = {
        "year": now.year,
        "occurrences": calendar.occurrences(now.year) + calendar.occurrences(now.year + 1),
        "events": sorted(calendar.events.values(), key=lambda e: e.name),
        "announced": await AnnouncedDates(session).all(),
        "reminders": calendar.upcoming_reminders(now, horizon_days=45),
        "broadcasts": await stats.broadcast_reach(session, limit=20),
        "broadcast_status": BROADCAST_STATUS,
        "today": now.date(),
        "awaiting": [
            event
            for event in sorted(calendar.events.values(), key=lambda e: e.name)
            if event.fixed is None and event.occurrence_in(now.year) is None
        ],
        "example": chinese_date(now),
    }
    return page(request, "campaigns/calendar.html", context)


@router.post("/campaigns/dates")
async def announce_dates(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    admin: AdminDep,
    event_id: Annotated[str, Form(max_length=64)],
    start: Annotated[str, Form(max_length=20)],
    end: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    first = _date(start)
    last = _date(end) if end.strip() else first
    calendar = await load_calendar(session)
    row = await AnnouncedDates(session).announce(
        calendar, event_id=event_id, start=first, end=last, by=admin.id, now=console.clock.now()
    )
    name = calendar.event(event_id).name
    log.info("staff account %s announced %s %s..%s", admin.id, event_id, row.start, row.end)
    dates = chinese_date(row.start) + (f"至{chinese_date(row.end)}" if row.end != row.start else "")
    flash(request, f"已登记{name}：{dates}，提醒会按新日期发送。")
    return RedirectResponse("/campaigns", status_code=303)


@router.get("/campaigns/broadcasts/new")
async def compose_broadcast(request: Request, session: SessionDep, admin: AdminDep) -> Response:
    broadcasts = Broadcasts(session)
    sizes = {topic: await broadcasts.audience_size([topic]) for topic in TOPICS}
    context = {
        "topics": [(t, TOPIC_NAMES[t], sizes[t]) for t in TOPICS],
        "everyone": await broadcasts.audience_size(None),
        "max_chars": MAX_BROADCAST,
    }
    return page(request, "campaigns/compose.html", context)


@router.post("/campaigns/broadcasts")
async def create_broadcast(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    admin: AdminDep,
    text: Annotated[str, Form(max_length=MAX_BROADCAST)],
    topics: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """A draft from the form's plain text (escaped for Telegram's HTML mode; no topic ticked:
    everyone); nothing is sent until the admin confirms it on its page."""
    body = text.strip()
    if not body:
        raise BadInput("群发内容不能为空。")
    broadcast = await Broadcasts(session).create(
        text=html.escape(body, quote=False),
        created_by=admin.id,
        now=console.clock.now(),
        topics=topics or None,
    )
    log.info("staff account %s drafted broadcast %s", admin.id, broadcast.id)
    return RedirectResponse(f"/campaigns/broadcasts/{broadcast.id}", status_code=303)


@router.post("/campaigns/broadcasts/{broadcast_id}/send")
async def send_broadcast(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    admin: AdminDep,
    broadcast_id: int,
    when: Annotated[str, Form(pattern="^(now|later)$")] = "now",
    at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """The confirmation: send the previewed draft now, or at a time (Asia/Shanghai)."""
    now = console.clock.now()
    broadcasts = Broadcasts(
        session,
        quiet_start=console.settings.quiet_start_hour,
        quiet_end=console.settings.quiet_end_hour,
    )
    broadcast = await broadcasts.get(broadcast_id)
    if broadcast.status != BroadcastStatus.DRAFT:
        raise BadInput(
            f"群发 #{broadcast_id} 已经{BROADCAST_STATUS[broadcast.status]}，不能再发送。"
        )
    if when == "later":
        send_at = parse_local(at, need_time=True)
        if send_at is None:
            raise BadInput("预约时间请写成“2026年6月18日 09:00”。")
        if send_at <= now:
            raise BadInput("预约时间必须晚于现在。")
        await broadcasts.schedule(broadcast_id, at=send_at)
        flash(request, f"群发 #{broadcast_id} 已预约在 {local_time(send_at)} 发送。")
    else:
        queued = await broadcasts.start(broadcast_id, now=now)
        flash(request, f"群发 #{broadcast_id} 已开始发送，共 {queued} 位订阅者。")
    log.info("staff account %s confirmed broadcast %s (%s)", admin.id, broadcast_id, when)
    return RedirectResponse(f"/campaigns/broadcasts/{broadcast_id}", status_code=303)


@router.get("/campaigns/broadcasts/{broadcast_id}")
async def show_broadcast(
    request: Request, console: ConsoleDep, session: SessionDep, admin: AdminDep, broadcast_id: int
) -> Response:
    broadcasts = Broadcasts(session)
    broadcast = await broadcasts.get(broadcast_id)
    counts = await broadcasts.progress(broadcast_id)
    done = counts.total - counts.open
    paid = console.settings.broadcast_paid
    audience = await broadcasts.audience_size(broadcast.topics)
    context = {
        "broadcast": broadcast,
        "text": to_page(broadcast.text, "HTML"),
        "draft": broadcast.status == BroadcastStatus.DRAFT,
        "audience": audience,
        "paid_stars": paid_cost(audience) if paid else None,
        "example": local_time(console.clock.now()),
        "counts": counts,
        "percent": round(100 * done / counts.total) if counts.total else 0,
        "status_name": BROADCAST_STATUS.get(BroadcastStatus(broadcast.status), broadcast.status),
        "live": broadcast.status in (BroadcastStatus.SENDING, BroadcastStatus.SCHEDULED),
        "topic_names": [TOPIC_NAMES.get(t, t) for t in broadcast.topics or []],
        "bot_running": console.bot_running,
    }
    return page(request, "campaigns/broadcast.html", context)


@router.post("/campaigns/broadcasts/{broadcast_id}/cancel")
async def cancel_broadcast(
    request: Request, console: ConsoleDep, session: SessionDep, admin: AdminDep, broadcast_id: int
) -> Response:
    stopped = await Broadcasts(session).cancel(broadcast_id, now=console.clock.now())
    log.info("staff account %s cancelled broadcast %s", admin.id, broadcast_id)
    flash(request, f"群发 #{broadcast_id} 已取消，{stopped} 条未发出的消息不再发送。")
    return RedirectResponse(f"/campaigns/broadcasts/{broadcast_id}", status_code=303)


@router.post("/campaigns/broadcasts/{broadcast_id}/requeue")
async def requeue_uncertain(
    request: Request, session: SessionDep, admin: AdminDep, broadcast_id: int
) -> Response:
    """Resend the deliveries a crash left uncertain: the admin's choice, since some of them
    may already have arrived and will arrive twice."""
    requeued = await Broadcasts(session).requeue_uncertain(broadcast_id)
    log.info(
        "staff account %s requeued %s uncertain rows of broadcast %s",
        admin.id,
        requeued,
        broadcast_id,
    )
    flash(request, f"群发 #{broadcast_id}：{requeued} 条送达情况不确定的消息将重新发送。")
    return RedirectResponse(f"/campaigns/broadcasts/{broadcast_id}", status_code=303)
