"""The citizen told: when a gap gets an approved answer, everyone who asked a question in it
(and can still be reached) gets the answer once, through the outbox, in the script they asked
in, with 👍/👎 under it.

Each delivery is also logged as an asked question of theirs (channel "curated"), so the 👍/👎
buttons work as under any answer and the rating is linked to this exact answer.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from citizens.models import Citizen
from ground.scripts import in_script
from knowledge.curated.gaps import CURATED_CHANNEL
from knowledge.curated.live import CURATED_SECTION, STAFF_ANSWER, LiveAnswer
from knowledge.feedback import AskedQuestion, normalize
from knowledge.scripts import ScriptConverter

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from knowledge.curated.models import CuratedAnswer
    from outbox import Outbox

NOTICE_KIND = "curated_answer"
HEAD = "您之前问过：<b>{question}</b>\n当时我没能回答。现在工作人员补充了解答："
BUTTON_UP, BUTTON_DOWN = "👍", "👎"  # as under every answer (bot/texts)
_scripts = ScriptConverter()


def rating_markup(question_id: int) -> dict[str, object]:
    """The bot's 👍/👎 buttons (`bot/routers/feedback.py` RateCb: prefix "r", question, up)."""
    return {
        "inline_keyboard": [
            [
                {"text": BUTTON_UP, "callback_data": f"r:{question_id}:1"},
                {"text": BUTTON_DOWN, "callback_data": f"r:{question_id}:0"},
            ]
        ]
    }


def notice_text(question: str, answer: LiveAnswer, script: str) -> str:
    """HTML: the question as they asked it, the answer, its citation in italics."""
    head = HEAD.format(question=html.escape(question[:200]))
    body = f"{html.escape(answer.text)}\n\n<i>{html.escape(answer.citation)}</i>"
    return f"{in_script(head, script)}\n\n{in_script(body, script)}"


async def tell_askers(
    session: AsyncSession, outbox: Outbox, answer: CuratedAnswer, *, now: datetime
) -> int:
    """Queue the answer to each asker of its gap; how many were queued (a repeat queues none)."""
    if answer.gap_id is None:
        return 0
    asked = (
        await session.scalars(
            select(AskedQuestion)
            .where(
                AskedQuestion.gap_id == answer.gap_id,
                AskedQuestion.user_id.is_not(None),
                AskedQuestion.channel != CURATED_CHANNEL,
            )
            .order_by(AskedQuestion.created_at)
        )
    ).all()
    first_by_user: dict[int, AskedQuestion] = {}
    for row in asked:
        first_by_user.setdefault(int(row.user_id or 0), row)
    live = LiveAnswer.of(answer)
    queued = 0
    for user_id, row in first_by_user.items():
        citizen = await session.get(Citizen, user_id)
        if citizen is None or not citizen.reachable:  # left (/deleteme) or blocked the bot
            continue
        script = citizen.script if citizen.script_chosen else _scripts.detect(row.question, "hans")
        log_row = AskedQuestion(
            user_id=user_id,
            channel=CURATED_CHANNEL,
            question=row.question,
            normalized=normalize(_scripts.to_simplified(row.question)) or "-",
            answer=live.text,
            covered=True,
            top_score=1.0,
            sources=[
                {
                    "section": f"{CURATED_SECTION}:{live.id}",
                    "title": live.basis,
                    "text": live.text,
                    "score": 1.0,
                    "source": STAFF_ANSWER,
                }
            ],
            created_at=now,
            gap_id=answer.gap_id,
        )
        session.add(log_row)
        await session.flush()
        added = await outbox.add(
            chat_id=citizen.chat_id,
            text=notice_text(row.question, live, script),
            kind=NOTICE_KIND,
            dedupe_key=f"gap-answer:{answer.gap_id}:{user_id}",
            now=now,
            reply_markup=rating_markup(log_row.id),
        )
        if added:
            queued += 1
        else:
            await session.delete(log_row)  # told before: no second message, no orphan row
    return queued
