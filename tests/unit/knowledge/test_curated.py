"""Curated answers in the domain: four eyes, history, the version every engine polls, a live
set that follows it without a restart, gaps grouped by wording, and askers told once."""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from citizens.models import Citizen
from ground.clock import SHANGHAI
from knowledge.curated import (
    AnswerStatus,
    CuratedAnswers,
    Draft,
    GapBook,
    GapStatus,
    InvalidAnswer,
    SelfApproval,
)
from knowledge.curated.live import DatabaseReader, LiveCurated
from knowledge.feedback import AskedQuestion, QuestionLog
from outbox import Outbox, OutboxMessage

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
AUTHOR, ADMIN = 1, 2
QUESTION = "碧江区旧衣服回收箱在哪里？"


def embed(text: str) -> np.ndarray:
    """Deterministic stand-in for e5: one random unit vector per wording."""
    vector = np.random.default_rng(zlib.crc32(text.encode())).normal(size=16)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def draft(**changes: object) -> Draft:
    values: dict[str, object] = {
        "text": "碧江区各社区服务中心门口都设有旧衣物回收箱。",
        "questions": (QUESTION, "碧江区哪里能回收旧衣服？"),
        "source_kind": "document",
        "source_title": "关于设置旧衣物回收箱的通知",
        "issuer": "碧江区城市管理局",
        "issued_on": date(2026, 3, 1),
    }
    values.update(changes)
    return Draft(**values)  # type: ignore[arg-type]


async def test_an_author_cannot_approve_their_own_answer_and_every_change_is_kept(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    async with sessions.begin() as session:
        answers = CuratedAnswers(session)
        answer = await answers.create(draft(), by=AUTHOR, now=NOW)
        with pytest.raises(SelfApproval):
            await answers.approve(answer.id, by=AUTHOR, now=NOW)
        assert (await answers.approve(answer.id, by=ADMIN, now=NOW)).status == "approved"
        await answers.edit(answer.id, draft(text="新的说法。"), by=ADMIN, now=NOW)
        assert answer.status == AnswerStatus.DRAFT  # an edit goes back for approval
        with pytest.raises(SelfApproval):  # the editor is now its author
            await answers.approve(answer.id, by=ADMIN, now=NOW)
        await answers.retire(answer.id, by=AUTHOR, now=NOW)
        history = await answers.history(answer.id)
    assert [h.action for h in history] == ["created", "approved", "edited", "retired"]
    assert (
        history[0].snapshot["text"].startswith("碧江区")
        and history[2].snapshot["text"] == "新的说法。"
    )


def test_a_document_without_issuer_or_date_and_an_answer_without_questions_are_refused() -> None:
    with pytest.raises(InvalidAnswer):
        draft(issuer=" ").checked()
    with pytest.raises(InvalidAnswer):
        draft(questions=(" ",)).checked()
    with pytest.raises(InvalidAnswer):
        draft(source_kind="rumour").checked()


async def test_an_approved_answer_goes_live_on_another_reader_without_a_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from greenbot.models import import_all_models
    from ground.db import Base, create_engine, session_factory

    import_all_models()
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    database = create_engine(url)
    async with database.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = session_factory(database)
    ticks = iter(range(0, 1000, 5))
    live = LiveCurated(
        DatabaseReader(url),
        embed,
        match_above=0.99,
        refresh_seconds=2,
        monotonic=lambda: next(ticks),
    )
    assert live.match(QUESTION) is None and live.version == 0
    async with sessions.begin() as session:
        answer = await CuratedAnswers(session).create(draft(), by=AUTHOR, now=NOW)
    assert live.match(QUESTION) is None  # a draft is not live
    async with sessions.begin() as session:
        await CuratedAnswers(session).approve(answer.id, by=ADMIN, now=NOW)
    found = live.match("碧江区哪里能回收旧衣服？")
    assert found is not None and found.answer.id == answer.id and found.score == pytest.approx(1)
    assert "《工作人员解答》（2026年12月6日审定）" in found.answer.citation
    assert "碧江区城市管理局《关于设置旧衣物回收箱的通知》（2026年3月1日）" in found.answer.citation
    assert live.match("垃圾分类怎么做？") is None  # an unrelated question stays with the corpus
    async with sessions.begin() as session:
        await CuratedAnswers(session).retire(answer.id, by=ADMIN, now=NOW)
    assert live.match(QUESTION) is None
    await database.dispose()


def test_a_database_without_the_curated_table_is_a_quiet_note_not_a_warning(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    import logging
    import sqlite3

    sqlite3.connect(tmp_path / "old.db").close()  # a database `greenbot migrate` never saw
    ticks = iter(range(0, 1000, 5))
    live = LiveCurated(
        DatabaseReader(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"),
        embed,
        match_above=0.99,
        monotonic=lambda: next(ticks),
    )
    with caplog.at_level(logging.INFO, logger="knowledge.curated.live"):
        assert live.match(QUESTION) is None
        assert live.match(QUESTION) is None  # read again: no second note
    notes = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.levelname for r in notes] == ["INFO"]
    assert "answering from the corpus" in notes[0].getMessage() and not notes[0].exc_info


async def test_gaps_group_the_same_need_and_approval_tells_each_asker_once(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        for user_id, script in ((11, "hans"), (12, "hant"), (13, "hans")):
            session.add(
                Citizen(
                    user_id=user_id,
                    chat_id=user_id,
                    script=script,
                    script_chosen=False,
                    first_seen=NOW,
                    last_seen=NOW,
                )
            )
        log = QuestionLog(session)
        for n, (user_id, text) in enumerate(
            [
                (11, QUESTION),
                (12, "碧江區舊衣服回收箱在哪裡？"),
                (11, "碧江区旧衣服回收箱在哪里"),
                (13, "今晚NBA比赛谁赢了？"),
            ]
        ):
            await log.record(
                user_id=user_id,
                question=text,
                simplified=text.replace("區", "区").replace("舊", "旧").replace("裡", "里"),
                answer="抱歉，知识库里没有能回答这个问题的内容",
                covered=False,
                sources=[],
                now=NOW + timedelta(minutes=n),
            )
        await GapBook(session).sync(embed=None, now=NOW)
        summaries = await GapBook(session).summaries()
    assert [(s.count, s.askers) for s in summaries] == [(3, 2), (1, 1)]
    gap = summaries[0].gap
    assert summaries[0].first_asked < summaries[0].last_asked
    async with sessions.begin() as session:
        answers = CuratedAnswers(session, Outbox(session))
        answer = await answers.create(draft(), by=AUTHOR, now=NOW, gap_id=gap.id)
        await answers.approve(answer.id, by=ADMIN, now=NOW)
    async with sessions.begin() as session:
        answers = CuratedAnswers(session, Outbox(session))
        await answers.edit(answer.id, draft(text="改过的解答。"), by=AUTHOR, now=NOW)
        await answers.approve(answer.id, by=ADMIN, now=NOW)  # re-approved: nobody told twice
        sent = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id))).all()
        refreshed = await GapBook(session).get(gap.id)
        told = (
            await session.scalars(select(AskedQuestion).where(AskedQuestion.channel == "curated"))
        ).all()
    assert [m.chat_id for m in sent] == [11, 12]
    assert "旧衣物回收箱" in sent[0].text and "舊衣物回收箱" in sent[1].text  # as they asked
    assert sent[0].reply_markup["inline_keyboard"][0][0]["callback_data"] == f"r:{told[0].id}:1"
    assert refreshed.status == GapStatus.ANSWERED and refreshed.handled_by == ADMIN
    assert len(told) == 2
