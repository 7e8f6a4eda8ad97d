"""The sandbox's chats, in memory: what the visitor and the bot said, the buttons on screen,
the keyboard under the input field. A visitor's chat lives as long as the process (a sandbox
keeps nothing that matters; reports and subscriptions made through it are in the database).
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from web.markup import to_page, to_plain

MAX_CHATS = 5000  # least recently used chats are forgotten beyond this
MAX_ENTRIES = 300  # per chat: older messages scroll away for good


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
    toasts: list[Toast] = field(default_factory=list)
    version: int = 0  # bumped on every change, so a page polls cheaply
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        del self.entries[:-MAX_ENTRIES]
        self.version += 1
        return entry

    def find(self, message_id: int) -> Entry | None:
        for entry in reversed(self.entries):
            if entry.message_id == message_id and not entry.deleted:
                return entry
        return None

    def take_toasts(self) -> list[Toast]:
        shown, self.toasts = self.toasts, []
        return shown

    @property
    def visible(self) -> list[Entry]:
        return [entry for entry in self.entries if not entry.deleted]


class ChatStore:
    def __init__(self, max_chats: int = MAX_CHATS) -> None:
        self.max_chats = max_chats
        self._chats: OrderedDict[int, Chat] = OrderedDict()
        self.commands: list[tuple[str, str]] = []  # setMyCommands, shown under the input

    def chat(self, chat_id: int, info: dict[str, Any] | None = None) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = Chat(chat_id, info or _default_info(chat_id))
            self._chats[chat_id] = chat
            while len(self._chats) > self.max_chats:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return chat

    def peek(self, chat_id: int) -> Chat | None:
        return self._chats.get(chat_id)


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
        chat.reply_keyboard = reply_keyboard(markup)
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def _default_info(chat_id: int) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}
    return {"id": chat_id, "type": "private", "first_name": "访客"}
