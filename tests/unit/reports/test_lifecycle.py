"""Status changes: the allowed table, audit rows, notices to reporter and followers."""

from __future__ import annotations

import pytest

from bot.notices import message_text  # a notice is data: rendered as Telegram shows it
from outbox import Outbox
from reports import (
    NOTICE_KIND,
    InvalidTransition,
    ReportService,
    Status,
    UnknownDepartment,
)
from reports.statuses import TERMINAL, TRANSITIONS, check_transition
from tests.unit.reports.conftest import STAFF, move, report_input

ALLOWED = [(s, t) for s, targets in TRANSITIONS.items() for t in sorted(targets)]
FORBIDDEN = [(s, t) for s in Status for t in Status if t not in TRANSITIONS[s]]
SAMPLE_FORBIDDEN = [
    (Status.SUBMITTED, Status.RESOLVED),
    (Status.SUBMITTED, Status.TRANSFERRED),
    (Status.IN_PROGRESS, Status.ACCEPTED),
    (Status.TRANSFERRED, Status.REJECTED),
    (Status.RESOLVED, Status.IN_PROGRESS),
    (Status.REJECTED, Status.ACCEPTED),
    (Status.DUPLICATE, Status.RESOLVED),
]
REPORTER_CHAT, FOLLOWER_CHAT = 2001, 3001


def needs(target: Status, original: str) -> dict[str, str]:
    if target == Status.TRANSFERRED:
        return {"department": "市住房城乡建设局"}
    if target == Status.DUPLICATE:
        return {"duplicate_of": original}
    return {}


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda s: str(s))
async def test_every_allowed_transition_is_audited_and_notifies_reporter_and_followers(
    service: ReportService, source: Status, target: Status
) -> None:
    original = await service.submit(**report_input(user_id=1, chat_id=11, description="原始举报"))
    report = await service.submit(**report_input(chat_id=REPORTER_CHAT, script="hant"))
    await service.follow(report.ticket, user_id=3000, chat_id=FOLLOWER_CHAT)
    await move(service, report.ticket, source)
    outbox = Outbox(service.session)
    before = len(await outbox.for_chat(REPORTER_CHAT))

    note = "<b>现场</b> 已处理 & 回复"
    changed = await service.change_status(
        report.ticket, target, by=STAFF, note=note, **needs(target, original.ticket)
    )

    assert changed.status == target
    event = (await service.events(report.ticket))[-1]
    assert (event.from_status, event.to_status) == (source, target)
    assert (event.staff_id, event.staff_name, event.note) == (STAFF.id, STAFF.name, note)
    assert event.at == service.clock.now()
    assert event.department == changed.department
    to_reporter = await outbox.for_chat(REPORTER_CHAT)
    assert len(to_reporter) == before + 1
    notice = to_reporter[-1]
    assert notice.kind == NOTICE_KIND
    assert notice.dedupe_key == f"report:{report.ticket}:event:{event.id}"
    text = message_text(notice)
    assert "&lt;b&gt;現場&lt;/b&gt; 已處理 &amp; 回覆" in text  # escaped, Traditional
    assert "狀態" in text and "<b>现场</b>" not in text
    follower_notice = (await outbox.for_chat(FOLLOWER_CHAT))[-1]
    assert follower_notice.dedupe_key.startswith(notice.dedupe_key)
    follower_text = message_text(follower_notice)
    assert "您关注的举报" in follower_text and "状态" in follower_text
    assert "&lt;b&gt;现场&lt;/b&gt;" in follower_text


@pytest.mark.parametrize(("source", "target"), FORBIDDEN, ids=lambda s: str(s))
def test_every_move_outside_the_table_is_an_invalid_transition(
    source: Status, target: Status
) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(source, target)


def test_terminal_statuses_are_resolved_rejected_and_duplicate() -> None:
    assert {Status.RESOLVED, Status.REJECTED, Status.DUPLICATE} == TERMINAL


@pytest.mark.parametrize(("source", "target"), SAMPLE_FORBIDDEN, ids=lambda s: str(s))
async def test_an_illegal_transition_raises_and_changes_nothing(
    service: ReportService, source: Status, target: Status
) -> None:
    original = await service.submit(**report_input(user_id=1, description="原始举报"))
    report = await service.submit(**report_input())
    await move(service, report.ticket, source, duplicate_of=original.ticket)
    events_before = len(await service.events(report.ticket))

    with pytest.raises(InvalidTransition):
        await service.change_status(
            report.ticket, target, by=STAFF, note="不该成功", **needs(target, original.ticket)
        )

    assert (await service.get(report.ticket)).status == source
    assert len(await service.events(report.ticket)) == events_before


async def test_a_status_change_without_a_note_is_refused(service: ReportService) -> None:
    report = await service.submit(**report_input())
    with pytest.raises(InvalidTransition):
        await service.change_status(report.ticket, Status.ACCEPTED, by=STAFF, note="  ")


async def test_transfer_records_the_department_on_the_report_and_the_audit_row(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input())
    await move(service, report.ticket, Status.ACCEPTED)

    await service.transfer(report.ticket, "市城市综合执法局", by=STAFF, note="属于渣土车")
    again = await service.transfer(report.ticket, "市交通运输局", by=STAFF, note="运输车辆")

    assert again.department == "市交通运输局"
    departments = [e.department for e in await service.events(report.ticket)]
    assert departments[-2:] == ["市城市综合执法局", "市交通运输局"]
    notice = (await Outbox(service.session).for_chat(2001))[-1]
    assert "承办单位：市交通运输局" in message_text(notice)


async def test_transfer_to_a_department_not_in_routing_yaml_is_refused(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input())
    await move(service, report.ticket, Status.ACCEPTED)
    with pytest.raises(UnknownDepartment):
        await service.transfer(report.ticket, "火星环保局", by=STAFF, note="转办")
    with pytest.raises(InvalidTransition):
        await service.change_status(
            report.ticket, Status.IN_PROGRESS, by=STAFF, note="办理", department="市水务局"
        )


async def test_duplicate_links_to_the_original_and_its_reporter_then_follows_it(
    service: ReportService,
) -> None:
    original = await service.submit(**report_input(user_id=1, chat_id=11))
    copy = await service.submit(**report_input(user_id=2, chat_id=22, description="同一工地"))

    marked = await service.mark_duplicate(copy.ticket, original.ticket, by=STAFF, note="同一问题")
    assert marked.duplicate_of == original.ticket
    assert (await service.events(copy.ticket))[-1].duplicate_of == original.ticket
    notice = (await Outbox(service.session).for_chat(22))[-1]
    assert original.ticket in message_text(notice)

    await service.change_status(original.ticket, Status.ACCEPTED, by=STAFF, note="受理")
    follower_notice = (await Outbox(service.session).for_chat(22))[-1]
    follower_text = message_text(follower_notice)
    assert "您关注的举报" in follower_text and original.ticket in follower_text


async def test_a_report_cannot_duplicate_itself_or_a_rejected_report(
    service: ReportService,
) -> None:
    rejected = await service.submit(**report_input(user_id=1, description="无效"))
    await service.change_status(rejected.ticket, Status.REJECTED, by=STAFF, note="不属实")
    report = await service.submit(**report_input())
    with pytest.raises(InvalidTransition):
        await service.mark_duplicate(report.ticket, report.ticket, by=STAFF, note="自身")
    with pytest.raises(InvalidTransition):
        await service.mark_duplicate(report.ticket, rejected.ticket, by=STAFF, note="已驳回")


async def test_submission_opens_the_audit_trail_without_a_notice(service: ReportService) -> None:
    report = await service.submit(**report_input())
    events = await service.events(report.ticket)
    assert [(e.from_status, e.to_status) for e in events] == [(None, "submitted")]
    assert await Outbox(service.session).for_chat(2001) == []


async def test_following_twice_or_your_own_report_adds_nothing(service: ReportService) -> None:
    report = await service.submit(**report_input())
    assert await service.follow(report.ticket, user_id=1001, chat_id=2001) is False
    assert await service.follow(report.ticket, user_id=7, chat_id=77) is True
    assert await service.follow(report.ticket, user_id=7, chat_id=78) is False
    assert [f.chat_id for f in await service.followers(report.ticket)] == [78]
    assert await service.unfollow(report.ticket, user_id=7) is True
    assert await service.followers(report.ticket) == []
