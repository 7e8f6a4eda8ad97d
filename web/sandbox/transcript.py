"""A sandbox chat as one request sees it: what the visitor and the bot said, the buttons on
screen, the keyboard under the input field. `web/sandbox/store.py` loads it from the database
and saves what changed (`dirty` messages, new files, the keyboard, toasts) when the request
ends, so every instance serves the same transcript.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from web.markup import to_page, to_plain

MAX_ENTRIES = 200  # per chat: older messages scroll away for good


@dataclass(frozen=True)
class InlineButton:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class KeyButton:
    """A reply-keyboard button: sends its text, or asks for the location or the phone."""

    text: str
    request_location: bool = False
    request_contact: bool = False


@dataclass(frozen=True)
class ReplyKeyboard:
    rows: tuple[tuple[KeyButton, ...], ...]
    placeholder: str | None = None


@dataclass
class Entry:
    message_id: int
    sender: str  # bot | visitor | notice (an outbox message: status notice, broadcast)
    html: Markup
    raw: dict[str, Any]  # the Telegram Message, for callback queries that point at it
    buttons: tuple[tuple[InlineButton, ...], ...] = ()
    photo: str | None = None  # file id in the sandbox's file store
    location: tuple[float, float] | None = None
    edited: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class Toast:
    """What answerCallbackQuery said: a short notice, or an alert the visitor must close."""

    text: str
    alert: bool


@dataclass
class Chat:
    chat_id: int
    info: dict[str, Any]
    entries: list[Entry] = field(default_factory=list)
    reply_keyboard: ReplyKeyboard | None = None
    toasts: list[Toast] = field(default_factory=list)  # new in this request, or taken to show
    version: int = 0  # as saved: every save bumps it, so a page polls cheaply
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))  # reserved ids
    dirty: set[int] = field(default_factory=set)  # message ids to save
    files: dict[str, bytes] = field(default_factory=dict)  # photos added, saved with the chat
    keyboard_changed: bool = False

    def next_id(self) -> int:
        return next(self.ids)

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        del self.entries[:-MAX_ENTRIES]
        return self.changed(entry)

    def changed(self, entry: Entry) -> Entry:
        """`entry` was added or edited: saved when the request ends."""
        self.dirty.add(entry.message_id)
        return entry

    def toast(self, text: str, *, alert: bool) -> None:
        self.toasts.append(Toast(text, alert))

    def show_keyboard(self, keyboard: ReplyKeyboard | None) -> None:
        self.reply_keyboard = keyboard
        self.keyboard_changed = True

    def find(self, message_id: int) -> Entry | None:
        for entry in reversed(self.entries):
            if entry.message_id == message_id and not entry.deleted:
                return entry
        return None

    @property
    def touched(self) -> bool:
        return bool(self.dirty or self.files or self.toasts or self.keyboard_changed)

    @property
    def visible(self) -> list[Entry]:
        return [entry for entry in self.entries if not entry.deleted]


def visitor_chat(chat_id: int) -> dict[str, Any]:
    """The Telegram Chat of a visitor's private chat with the bot."""
    return {"id": chat_id, "type": "private", "first_name": "访客"}


def message_dict(
    chat: Chat, message_id: int, sender: dict[str, Any], **content: Any
) -> dict[str, Any]:
    """A Telegram Message as the Bot API returns it (None fields left out)."""
    return {
        "message_id": message_id,
        "from": sender,
        "chat": chat.info,
        "date": int(time.time()),
        **{key: value for key, value in content.items() if value is not None},
    }


def inline_buttons(markup: dict[str, Any] | None) -> tuple[tuple[InlineButton, ...], ...]:
    if not markup or "inline_keyboard" not in markup:
        return ()
    return tuple(
        tuple(
            InlineButton(
                text=str(button.get("text", "")),
                callback_data=button.get("callback_data"),
                url=button.get("url"),
            )
            for button in row
        )
        for row in markup["inline_keyboard"]
    )


def reply_keyboard(markup: dict[str, Any]) -> ReplyKeyboard:
    rows = tuple(
        tuple(
            KeyButton(
                text=str(button.get("text", "")) if isinstance(button, dict) else str(button),
                request_location=bool(isinstance(button, dict) and button.get("request_location")),
                request_contact=bool(isinstance(button, dict) and button.get("request_contact")),
            )
            for button in row
        )
        for row in markup.get("keyboard", [])
    )
    return ReplyKeyboard(rows=rows, placeholder=markup.get("input_field_placeholder"))


def bot_entry(
    chat: Chat,
    sender: dict[str, Any],
    *,
    text: str,
    parse_mode: str | None,
    markup: dict[str, Any] | None,
    kind: str = "bot",
    photo: str | None = None,
    photo_sizes: list[dict[str, Any]] | None = None,
    location: tuple[float, float] | None = None,
) -> Entry:
    """Record a message the bot sent (or the outbox delivered) and return it."""
    message_id = chat.next_id()
    inline = markup if markup and "inline_keyboard" in markup else None
    plain = to_plain(text, parse_mode)
    content: dict[str, Any] = {"reply_markup": inline}
    if photo_sizes is not None:
        content.update(photo=photo_sizes, caption=plain or None)
    elif location is not None:
        content["location"] = {"latitude": location[0], "longitude": location[1]}
    else:
        content["text"] = plain
    raw = message_dict(chat, message_id, sender, **content)
    apply_reply_markup(chat, markup)
    return chat.add(
        Entry(
            message_id=message_id,
            sender=kind,
            html=to_page(text, parse_mode),
            raw=raw,
            buttons=inline_buttons(inline),
            photo=photo,
            location=location,
        )
    )


def visitor_entry(
    chat: Chat,
    sender: dict[str, Any],
    *,
    shown: str,
    content: dict[str, Any],
    photo: str | None = None,
    location: tuple[float, float] | None = None,
) -> Entry:
    """Record what the visitor sent: `shown` is how the page shows it, `content` the Message."""
    message_id = chat.next_id()
    raw = message_dict(chat, message_id, sender, **content)
    return chat.add(
        Entry(
            message_id=message_id,
            sender="visitor",
            html=Markup(escape(shown)),
            raw=raw,
            photo=photo,
            location=location,
        )
    )


def apply_reply_markup(chat: Chat, markup: dict[str, Any] | None) -> None:
    """A reply keyboard replaces the one shown; `remove_keyboard` hides it; inline leaves it."""
    if not markup:
        return
    if "keyboard" in markup:
        chat.show_keyboard(reply_keyboard(markup))
    elif markup.get("remove_keyboard"):
        chat.show_keyboard(None)
