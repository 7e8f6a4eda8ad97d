"""Was it fixed? The reporter's answer to a resolution: who may answer, what reopening does,
how a second resolution is asked again, and when the second question is queued."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ground.clock import SHANGHAI, ManualClock
from outbox import Outbox
from reports import InvalidReport, ReportService, Status
from reports.errors import AlreadyAnswered, InvalidTransition, NotYourReport
from reports.feedback import (
    ASK_AGAIN_KIND,
    Feedback,
    answer_choices,
    answer_token,
    ask_again,
    parse_answer_token,
    satisfaction,
)
from reports.open311 import open311_status
from reports.privacy import DEMO_IDS_FROM
from tests.unit.reports.conftest import STAFF, move, report_input

REPORTER, REPORTER_CHAT, FOLLOWER_CHAT = 1001, 2001, 3001


async def resolved(service: ReportService, **overrides: object) -> str:
    report = await service.submit(**report_input(**overrides))
    await move(service, report.ticket, Status.RESOLVED)
    return report.ticket


def test_a_token_round_trips_and_anything_else_is_not_one() -> None:
    assert parse_answer_token(answer_token("TR-2612-0007", False)) == ("TR-2612-0007", False)
    assert parse_answer_token(answer_token("tr-2612-0007", True)) == ("TR-2612-0007", True)
    for forged in ("fixed:TR-2612-0007:maybe", "fixed:TR-2612-0007", "sr:TR-2612-0007:y", ""):
        assert parse_answer_token(forged) is None
    labels = [label for label, _ in answer_choices("TR-2612-0007", "hant")]
    assert labels == ["✅ 已解決", "❌ 沒解決"]


async def test_only_the_reporter_answers_and_only_once(service: ReportService) -> None:
    ticket = await resolved(service)
    with pytest.raises(NotYourReport):
        await Feedback(service).fixed(ticket, user_id=REPORTER + 1)
    await Feedback(service).fixed(ticket, user_id=REPORTER)
    with pytest.raises(AlreadyAnswered):
        await Feedback(service).not_fixed(ticket, user_id=REPORTER, note="其实没好")
    assert (await service.get(ticket)).status == Status.RESOLVED
    (department, total) = await satisfaction(service.session)
    assert (department.answered, department.fixed, total.share) == (1, 1, 1.0)


async def test_an_open_report_cannot_be_answered(service: ReportService) -> None:
    report = await service.submit(**report_input())
    await move(service, report.ticket, Status.ACCEPTED)
    with pytest.raises(InvalidTransition):
        await Feedback(service).fixed(report.ticket, user_id=REPORTER)


async def test_not_fixed_needs_a_note_or_a_photo_and_a_short_note(service: ReportService) -> None:
    ticket = await resolved(service)
    with pytest.raises(InvalidReport):
        await Feedback(service).not_fixed(ticket, user_id=REPORTER, note="   ")
    with pytest.raises(InvalidReport):
        await Feedback(service).not_fixed(ticket, user_id=REPORTER, note="很" * 1001)
    assert (await service.get(ticket)).status == Status.RESOLVED


async def test_not_fixed_reopens_tells_followers_not_the_reporter_and_can_be_resolved_again(
    service: ReportService, clock: ManualClock
) -> None:
    ticket = await resolved(service, chat_id=REPORTER_CHAT)
    await service.follow(ticket, user_id=3000, chat_id=FOLLOWER_CHAT)
    outbox = Outbox(service.session)
    reporter_before = len(await outbox.for_chat(REPORTER_CHAT))

    report = await Feedback(service).not_fixed(ticket, user_id=REPORTER, note="河面还有油污")

    assert report.status == Status.REOPENED and report.closed_at is None
    assert open311_status(report.status) == "open"
    event = (await service.events(ticket))[-1]
    assert (event.from_status, event.to_status, event.staff_id) == ("resolved", "reopened", None)
    assert len(await outbox.for_chat(REPORTER_CHAT)) == reporter_before  # they know: they did it
    (follower_notice,) = await outbox.for_chat(FOLLOWER_CHAT)
    assert follower_notice.payload["status"] == "reopened"

    clock.advance(days=3)  # staff resolve it again: a new resolution, a new question
    await service.change_status(ticket, Status.RESOLVED, by=STAFF, note="已清理油污")
    assert (await service.get(ticket)).closed_at == clock.now()
    await Feedback(service).fixed(ticket, user_id=REPORTER)
    (department, _total) = await satisfaction(service.session)
    assert (department.answered, department.fixed) == (2, 1)


async def test_the_second_question_waits_for_the_days_and_for_quiet_hours_to_end(
    service: ReportService, clock: ManualClock
) -> None:
    answered = await resolved(service)
    unanswered = await resolved(service, user_id=1002, chat_id=2002)
    demo = await resolved(service, user_id=DEMO_IDS_FROM + 1, chat_id=DEMO_IDS_FROM + 1)
    await Feedback(service).fixed(answered, user_id=REPORTER)
    outbox = Outbox(service.session)

    assert await ask_again(service.session, outbox, clock.now() + timedelta(days=13)) == 0
    late_evening = (clock.now() + timedelta(days=15)).astimezone(SHANGHAI).replace(hour=23)
    assert await ask_again(service.session, outbox, late_evening) == 1
    (question,) = [m for m in await outbox.for_chat(2002) if m.kind == ASK_AGAIN_KIND]
    assert question.payload == {
        "notice": "report_fixed_question",
        "ticket": unanswered,
        "script": "hans",
    }
    at = question.not_before
    assert at is not None  # SQLite hands back naive Shanghai wall time, PostgreSQL aware
    assert (at if at.tzinfo is None else at.astimezone(SHANGHAI)).hour == 8  # the morning after
    for chat in (REPORTER_CHAT, DEMO_IDS_FROM + 1):  # answered already; a sandbox visitor
        assert ASK_AGAIN_KIND not in {m.kind for m in await outbox.for_chat(chat)}
    assert demo


async def test_the_schedulers_housekeeping_asks_again_once(
    service: ReportService, clock: ManualClock
) -> None:
    from reports.housekeeping import Housekeeping

    ticket = await resolved(service, chat_id=REPORTER_CHAT)
    duties = Housekeeping(retention_days=365, staff_chat_id=None)
    clock.advance(days=15)
    for _tick in range(2):
        await duties(service.session, clock)
    asked = list(await Outbox(service.session).for_chat(REPORTER_CHAT))
    assert [m.payload["ticket"] for m in asked if m.kind == ASK_AGAIN_KIND] == [ticket]
