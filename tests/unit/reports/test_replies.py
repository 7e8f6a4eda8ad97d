"""Response templates: filling placeholders, checking a template before it is saved, which
templates fit a move (category-specific first), and the defaults seeded into an empty table."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ground.clock import ManualClock
from reports import ReportService, Status
from reports.replies import (
    DEFAULTS,
    MAX_NOTE,
    InvalidReply,
    Replies,
    ReplyNotFound,
    check,
    fill,
    longest_fill,
)
from tests.unit.reports.conftest import START, report_input


@pytest.fixture
def replies(session: AsyncSession, clock: ManualClock) -> Replies:
    return Replies(session, clock)


async def test_fill_uses_chinese_names_of_the_report_and_the_move(service: ReportService) -> None:
    report = await service.submit(
        **report_input(category="burning", district="万山区", phone="13800001111",
                       address="谢桥街道 12 号")
    )  # fmt: skip
    body = "工单 {ticket}｜{category}｜{district}｜{department}｜{status}｜{date}"
    filled = fill(body, report, status=Status.ACCEPTED, on=START)
    assert filled == (
        f"工单 {report.ticket}｜露天焚烧｜万山区｜{report.department}｜已受理｜2026年11月3日"
    )
    aliased = fill(
        "{工单号} {类别} {区县} {承办单位} {状态} {日期}", report, status="resolved", on=START
    )
    assert aliased == f"{report.ticket} 露天焚烧 万山区 {report.department} 已办结 2026年11月3日"
    # never the reporter: no placeholder reaches the phone, address or identity
    assert "13800001111" not in filled and "谢桥" not in filled and "1001" not in filled


async def test_fill_takes_a_transfers_department_and_leaves_what_it_is_told(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input())
    body = "已转交{department}，{ticket}；{其他}与{x}照旧"
    moved = fill(body, report, status="transferred", on=START, department="市水务局")
    assert moved == f"已转交市水务局，{report.ticket}；{{其他}}与{{x}}照旧"
    kept = fill(body, report, status="transferred", on=START, leave={"department"})
    assert kept.startswith("已转交{department}，TR-")


@pytest.mark.parametrize(
    ("title", "status", "category", "body", "reason"),
    [
        ("", "accepted", None, "正文", "empty_title"),
        ("题" * 61, "accepted", None, "正文", "title_too_long"),
        ("标题", "submitted", None, "正文", "unknown_status"),
        ("标题", "bogus", None, "正文", "unknown_status"),
        ("标题", "accepted", "mars", "正文", "unknown_category"),
        ("标题", "accepted", None, "   ", "empty_body"),
        ("标题", "accepted", None, "字" * (MAX_NOTE + 1), "body_too_long"),
        ("标题", "accepted", None, "您好 {name}，电话 {phone}", "unknown_placeholder"),
        ("标题", "accepted", None, "工单 {ticket!r}", "unknown_placeholder"),
        ("标题", "accepted", None, "工单 {ticket", "unpaired_brace"),
        ("标题", "accepted", None, "工单 ticket}", "unpaired_brace"),
        ("标题", "accepted", None, "字" * 1940 + "{department}", "filled_too_long"),
    ],
)
def test_a_template_is_checked_before_it_is_saved(
    title: str, status: str, category: str | None, body: str, reason: str
) -> None:
    with pytest.raises(InvalidReply) as refused:
        check(title, status, category, body)
    assert refused.value.reason == reason
    if reason == "unknown_placeholder":
        assert refused.value.names[0] in ("name", "ticket!r")


def test_a_template_that_fits_is_returned_cleaned() -> None:
    assert check(" 受理 ", "accepted", "", " 已受理 {工单号}。 ") == (
        "受理",
        Status.ACCEPTED,
        None,
        "已受理 {工单号}。",
    )
    body = "字" * (MAX_NOTE - 64) + "{department}"
    assert longest_fill(body) == MAX_NOTE  # the longest department still fits the note
    check("长", "transferred", "water", body)


def test_every_default_is_a_valid_template() -> None:
    for default in DEFAULTS:
        category = default.category.value if default.category else None
        check(default.title, default.status.value, category, default.body)
    covered = {d.status for d in DEFAULTS}
    assert {"accepted", "transferred", "resolved", "rejected", "duplicate"} <= covered


async def test_an_empty_table_gets_the_defaults_once(replies: Replies) -> None:
    first = await replies.all()
    assert sorted(t.title for t in first) == sorted(d.title for d in DEFAULTS)
    assert [t.status for t in first][:3] == ["accepted", "accepted", "transferred"]
    assert len(await replies.all()) == len(DEFAULTS)  # not seeded twice


async def test_for_move_lists_the_categorys_own_templates_first(replies: Replies) -> None:
    await replies.all()  # the defaults
    general = await replies.create(
        title="通用受理二", status="accepted", category=None, body="已受理。", by="web:admin1"
    )
    noise = await replies.create(
        title="噪声受理二", status="accepted", category="noise", body="噪声已受理。", by=None
    )
    await replies.create(
        title="水受理", status="accepted", category="water", body="水已受理。", by=None
    )
    titles = [t.title for t in await replies.for_move("accepted", "noise")]
    assert titles == ["噪声受理（夜间核查）", "噪声受理二", "受理", "通用受理二"]
    for_air = [t.title for t in await replies.for_move(Status.ACCEPTED, "air")]
    assert for_air == ["受理", "通用受理二"]
    assert await replies.fitting(noise.id, "accepted", "noise") is noise
    with pytest.raises(ReplyNotFound):
        await replies.fitting(noise.id, "accepted", "air")  # another category's
    with pytest.raises(ReplyNotFound):
        await replies.fitting(general.id, "resolved", "air")  # another move's
    with pytest.raises(ReplyNotFound):
        await replies.get(99_999)


async def test_update_and_delete(replies: Replies, clock: ManualClock) -> None:
    template = await replies.create(
        title="办结", status="resolved", category=None, body="已办结。", by="web:admin1"
    )
    clock.advance(hours=2)
    changed = await replies.update(
        template.id, title="办结（新）", status="resolved", category="air",
        body="{category}问题已办结。", by="web:admin2",
    )  # fmt: skip
    assert (changed.title, changed.category, changed.updated_by) == (
        "办结（新）",
        "air",
        "web:admin2",
    )
    assert changed.updated_at == clock.now()
    with pytest.raises(InvalidReply):
        await replies.update(template.id, title="x", status="resolved", category=None,
                             body="{电话}", by=None)  # fmt: skip
    await replies.delete(template.id)
    with pytest.raises(ReplyNotFound):
        await replies.delete(template.id)
