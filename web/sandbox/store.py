"""Visitors' chats in the app database (`web/sandbox/models.py`), so every instance serves the
same transcript and a chat outlives a restart.

A request opens its visitor's chat (`open`): the chat is read, a block of message ids reserved,
and the bot's replies are written into that copy while the update runs; what changed is saved
when the request ends. Nothing is written while the bot's handler runs: on SQLite the handler's
own transaction may hold the write lock, and waiting for it there would wait for ourselves.

Bounds: the newest `MAX_ENTRIES` messages and `MAX_FILES` photos per chat; a chat idle for
`keep_days` is deleted; one source keeps at most `CHATS_PER_SOURCE` chats, and opening more
deletes its own oldest, never another visitor's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import logging
import secrets
from contextvars import ContextVar
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from web.sandbox.models import SandboxChat, SandboxFile, SandboxMessage
from web.sandbox.transcript import (
    MAX_ENTRIES,
    Chat,
    Entry,
    InlineButton,
    KeyButton,
    ReplyKeyboard,
    Toast,
    visitor_chat,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock

log = logging.getLogger(__name__)

ID_BLOCK = 100  # message ids one request may hand out (an update sends a handful)
MAX_FILES = 8  # photos per chat: a report's five, and a few more
CHATS_PER_SOURCE = 200

# The chats the current request has open: where the sandbox's Bot API writes. A context
# variable, since one process serves many visitors' requests at once.
_open: ContextVar[dict[int, Chat] | None] = ContextVar("sandbox_open_chats", default=None)


class ChatStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *, keep_days: int
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.keep = timedelta(days=keep_days)
        self.commands: list[tuple[str, str]] = []  # setMyCommands, shown under the input

    # --- a request's chat -----------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def open(
        self,
        visitor_id: int,
        *,
        source: str,
        on_new: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[Chat]:
        """The visitor's chat for this request, saved when the block ends. A new chat calls
        `on_new` first (the new-visitor limit), which may refuse it."""
        chat = await self._load(visitor_id, source=source, on_new=on_new)
        opened = dict(_open.get() or {})
        opened[visitor_id] = chat
        token = _open.set(opened)
        try:
            yield chat
        finally:
            _open.reset(token)
            if chat.touched:
                await self._save(chat)

    def working(self, chat_id: int) -> Chat | None:
        """The open chat the bot is writing to, if the current request opened it."""
        return (_open.get() or {}).get(chat_id)

    async def view(self, visitor_id: int) -> Chat:
        """The chat to show (empty if none yet); its toasts are taken: shown once."""
        async with self.sessions() as session, session.begin():
            row = await session.get(SandboxChat, visitor_id)
            if row is None:
                return Chat(visitor_id, visitor_chat(visitor_id))
            chat = await _read(session, row)
            if row.toasts:
                row.toasts = []
        return chat

    async def photo(self, visitor_id: int, file_id: str) -> bytes | None:
        """A photo shown in the visitor's own chat (sent or received); others' stay hidden."""
        async with self.sessions() as session:
            shown = await session.scalar(
                select(SandboxMessage.id)
                .where(SandboxMessage.visitor_id == visitor_id, SandboxMessage.photo == file_id)
                .where(SandboxMessage.deleted.is_(False))
                .limit(1)
            )
            if shown is None:
                return None
            return await session.scalar(
                select(SandboxFile.data).where(SandboxFile.file_id == file_id)
            )

    async def file(self, file_id: str) -> bytes | None:
        """A photo by id, for the bot's getFile and download: this request's first."""
        for chat in (_open.get() or {}).values():
            if file_id in chat.files:
                return chat.files[file_id]
        async with self.sessions() as session:
            return await session.scalar(
                select(SandboxFile.data).where(SandboxFile.file_id == file_id)
            )

    # --- loading and saving ---------------------------------------------------------------

    async def _load(
        self, visitor_id: int, *, source: str, on_new: Callable[[], Awaitable[None]] | None
    ) -> Chat:
        for attempt in range(2):
            async with self.sessions() as session:
                exists = await session.get(SandboxChat, visitor_id) is not None
            if not exists and on_new is not None and attempt == 0:
                await on_new()
            try:
                async with self.sessions() as session, session.begin():
                    return await self._reserve(session, visitor_id, source)
            except IntegrityError:  # two first requests of one visitor at once: read it again
                log.info("sandbox chat created by a concurrent request; reading it again")
        raise RuntimeError("sandbox chat could not be opened")

    async def _reserve(self, session: AsyncSession, visitor_id: int, source: str) -> Chat:
        """Read the chat (created if missing) and reserve this request's message ids."""
        now = self.clock.now()
        first = await session.scalar(
            update(SandboxChat)
            .where(SandboxChat.visitor_id == visitor_id)
            .values(next_message_id=SandboxChat.next_message_id + ID_BLOCK)
            .returning(SandboxChat.next_message_id)
            .execution_options(synchronize_session=False)
        )
        if first is None:
            await self._make_room(session, source)
            row = SandboxChat(
                visitor_id=visitor_id,
                source=source,
                created_at=now,
                updated_at=now,
                version=0,
                next_message_id=1 + ID_BLOCK,
                reply_keyboard=None,
                toasts=[],
            )
            session.add(row)
            await session.flush()
            first = row.next_message_id
        else:
            row = await session.get(SandboxChat, visitor_id, populate_existing=True)
            assert row is not None
        chat = await _read(session, row)
        chat.ids = itertools.count(first - ID_BLOCK)
        return chat

    async def _make_room(self, session: AsyncSession, source: str) -> None:
        """Before a new chat: expired chats go, and this source's oldest beyond its share."""
        await session.execute(
            delete(SandboxChat).where(SandboxChat.updated_at < self.clock.now() - self.keep)
        )
        count = await session.scalar(
            select(func.count()).select_from(SandboxChat).where(SandboxChat.source == source)
        )
        if count is not None and count >= CHATS_PER_SOURCE:
            oldest = (
                select(SandboxChat.visitor_id)
                .where(SandboxChat.source == source)
                .order_by(SandboxChat.updated_at)
                .limit(count - CHATS_PER_SOURCE + 1)
            )
            await session.execute(
                delete(SandboxChat).where(SandboxChat.visitor_id.in_(oldest.scalar_subquery()))
            )

    async def _save(self, chat: Chat) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.get(SandboxChat, chat.chat_id)
            if row is None:
                return  # deleted meanwhile (expired, or its source's share was full)
            await self._save_messages(session, chat)
            await self._save_files(session, chat)
            values: dict[str, Any] = {
                "version": SandboxChat.version + 1,
                "updated_at": self.clock.now(),
            }
            if chat.keyboard_changed:
                values["reply_keyboard"] = _keyboard_json(chat.reply_keyboard)
            if chat.toasts:
                values["toasts"] = [*row.toasts, *(dataclasses.asdict(t) for t in chat.toasts)]
            await session.execute(
                update(SandboxChat)
                .where(SandboxChat.visitor_id == chat.chat_id)
                .values(values)
                .execution_options(synchronize_session=False)
            )

    async def _save_messages(self, session: AsyncSession, chat: Chat) -> None:
        changed = {e.message_id: e for e in chat.entries if e.message_id in chat.dirty}
        if not changed:
            return
        stored = {
            row.message_id: row
            for row in await session.scalars(
                select(SandboxMessage).where(
                    SandboxMessage.visitor_id == chat.chat_id,
                    SandboxMessage.message_id.in_(changed),
                )
            )
        }
        for message_id, entry in changed.items():
            row = stored.get(message_id)
            if row is None:
                row = SandboxMessage(visitor_id=chat.chat_id, message_id=message_id)
                session.add(row)
            _fill(row, entry)
        await session.flush()
        oldest_kept = await session.scalar(
            select(SandboxMessage.message_id)
            .where(SandboxMessage.visitor_id == chat.chat_id)
            .order_by(SandboxMessage.message_id.desc())
            .offset(MAX_ENTRIES - 1)
            .limit(1)
        )
        if oldest_kept is not None:
            await session.execute(
                delete(SandboxMessage).where(
                    SandboxMessage.visitor_id == chat.chat_id,
                    SandboxMessage.message_id < oldest_kept,
                )
            )

    async def _save_files(self, session: AsyncSession, chat: Chat) -> None:
        if not chat.files:
            return
        now = self.clock.now()
        for file_id, data in chat.files.items():
            session.add(
                SandboxFile(file_id=file_id, visitor_id=chat.chat_id, data=data, created_at=now)
            )
        await session.flush()
        kept = (
            select(SandboxFile.file_id)
            .where(SandboxFile.visitor_id == chat.chat_id)
            .order_by(SandboxFile.created_at.desc(), SandboxFile.file_id)
            .limit(MAX_FILES)
        )
        await session.execute(
            delete(SandboxFile).where(
                SandboxFile.visitor_id == chat.chat_id,
                SandboxFile.file_id.not_in(kept.scalar_subquery()),
            )
        )


def new_file_id(data: bytes) -> str:
    """Unique per upload, with the content's hash last (Telegram's file_unique_id)."""
    return f"sandbox-{secrets.token_hex(6)}-{hashlib.sha256(data).hexdigest()[:16]}"


# --- rows and the chat as a request sees it ---------------------------------------------------


async def _read(session: AsyncSession, row: SandboxChat) -> Chat:
    messages = await session.scalars(
        select(SandboxMessage)
        .where(SandboxMessage.visitor_id == row.visitor_id)
        .order_by(SandboxMessage.message_id)
    )
    return Chat(
        row.visitor_id,
        visitor_chat(row.visitor_id),
        entries=[_entry(message) for message in messages],
        reply_keyboard=_keyboard(row.reply_keyboard),
        toasts=[Toast(str(t.get("text", "")), bool(t.get("alert"))) for t in row.toasts or []],
        version=row.version,
    )


def _entry(row: SandboxMessage) -> Entry:
    location = (row.lat, row.lon) if row.lat is not None and row.lon is not None else None
    return Entry(
        message_id=row.message_id,
        sender=row.sender,
        html=Markup(row.html),  # rendered by web/markup.py (or escaped) before it was stored
        raw=row.raw,
        buttons=tuple(tuple(InlineButton(**button) for button in r) for r in row.buttons or []),
        photo=row.photo,
        location=location,
        edited=row.edited,
        deleted=row.deleted,
    )


def _fill(row: SandboxMessage, entry: Entry) -> None:
    row.sender = entry.sender
    row.html = str(entry.html)
    row.raw = dict(entry.raw)
    row.buttons = [[dataclasses.asdict(button) for button in r] for r in entry.buttons]
    row.photo = entry.photo
    row.lat, row.lon = entry.location if entry.location else (None, None)
    row.edited, row.deleted = entry.edited, entry.deleted


def _keyboard(data: dict[str, Any] | None) -> ReplyKeyboard | None:
    if not data:
        return None
    rows = tuple(tuple(KeyButton(**button) for button in r) for r in data.get("rows", []))
    return ReplyKeyboard(rows=rows, placeholder=data.get("placeholder"))


def _keyboard_json(keyboard: ReplyKeyboard | None) -> dict[str, Any] | None:
    return dataclasses.asdict(keyboard) if keyboard is not None else None
