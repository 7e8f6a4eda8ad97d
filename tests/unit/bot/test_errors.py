"""The script of an error reply (bot/errors.py): decided without the database, which may be
what failed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.types import Chat, Message, Update, User

from bot.errors import Reader, script_of


def update(text: str | None, *, language: str = "zh-hans") -> Update:
    user = User(id=7, is_bot=False, first_name="小绿", language_code=language)
    message = Message(
        message_id=1,
        date=datetime(2025, 6, 23, tzinfo=UTC),
        chat=Chat(id=7, type="private"),
        from_user=user,
        text=text,
    )
    return Update(update_id=1, message=message)


@pytest.mark.parametrize(
    ("text", "reader", "language", "expected"),
    [
        ("垃圾分类怎么做？", Reader("hant", chosen=True), "zh-hans", "hant"),  # /lang wins
        ("垃圾分類怎麼做？", Reader("hans"), "zh-hans", "hant"),  # the message's look
        ("2025年？", Reader("hant"), "zh-hans", "hant"),  # tells nothing: as last recorded
        ("垃圾分類怎麼做？", None, "zh-hans", "hant"),  # before the citizen was read
        ("2025年？", None, "zh-tw", "hant"),  # …their client's language
        ("2025年？", None, "zh-hans", "hans"),
        (None, Reader("hant"), "zh-hans", "hant"),  # a photo: no text to look at
    ],
)
def test_an_error_reply_is_in_the_readers_script(
    text: str | None, reader: Reader | None, language: str, expected: str
) -> None:
    assert script_of(update(text, language=language), reader) == expected
