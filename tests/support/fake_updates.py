"""Simulated citizens and chat transcripts: what a test does and sees through the fake.

Every user action stores a real-shaped Message (so the bot can reply to, copy or forward it),
marks the chat so `wait_for_message(s)` looks only at bot messages sent after it, and delivers
the update through getUpdates or the webhook, whichever the bot set up.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.support.fake_methods import BotMessage
from tests.support.telegram_html import utf16_len

if TYPE_CHECKING:
    from tests.support.fake_bot_api import FakeBotAPI

_query_ids = itertools.count(4_382_000_000_000_000_001)


class ChatView:
    """A chat's bot messages as the other side sees them, and waiting for new ones."""

    def __init__(self, fake: FakeBotAPI, chat_id: int) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self._mark = len(self._transcript())

    def _transcript(self) -> list[BotMessage]:
        return self.fake.methods.transcripts.get(self.chat_id, [])

    def messages(self, *, include_deleted: bool = False) -> list[BotMessage]:
        return [m for m in self._transcript() if include_deleted or not m.deleted]

    def last_message(self) -> BotMessage | None:
        shown = self.messages()
        return shown[-1] if shown else None

    def new_messages(self) -> list[BotMessage]:
        """Bot messages sent since the last user action (or `mark()`), not deleted since."""
        return [m for m in self._transcript()[self._mark :] if not m.deleted]

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        """The reply keyboard shown under the input field, until the bot removes it."""
        return self.fake.methods.reply_keyboards.get(self.chat_id)

    def mark(self) -> None:
        self._mark = len(self._transcript())

    async def wait_for_message(
        self, predicate: Callable[[BotMessage], bool] | None = None, timeout: float = 10.0
    ) -> BotMessage:
        """The first new bot message matching `predicate`, as it is now (edits count)."""
        found = await self._wait(
            lambda new: [m for m in new if not predicate or predicate(m)][:1], 1, timeout
        )
        return found[0]

    async def wait_for_messages(self, n: int, timeout: float = 10.0) -> list[BotMessage]:
        """The first `n` new bot messages, once there are that many."""
        return await self._wait(lambda new: new[:n], n, timeout)

    async def _wait(
        self, pick: Callable[[list[BotMessage]], list[BotMessage]], n: int, timeout: float
    ) -> list[BotMessage]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = pick(self.new_messages())
            if len(found) >= n:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._explain(n, timeout))
            try:
                await self.fake.changed(self.chat_id, remaining)
            except TimeoutError:
                continue

    def _explain(self, n: int, timeout: float) -> str:
        """What the test would want to see when the bot stays silent."""
        seen = [m.plain for m in self.new_messages()]
        failed = [
            f"{call.method} {call.status} {call.description}"
            for call in self.fake.calls[-200:]
            if call.status != 200 and call.params.get("chat_id") in (self.chat_id, None)
        ]
        return (
            f"chat {self.chat_id}: wanted {n} matching bot message(s) within {timeout}s; "
            f"new: {seen}; failed calls: {failed[-5:]}"
        )


class FakeUser(ChatView):
    """A citizen in a private chat with the bot; each action is one update."""

    def __init__(
        self,
        fake: FakeBotAPI,
        user_id: int,
        first_name: str,
        *,
        language_code: str,
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        super().__init__(fake, user_id)
        self.id = user_id
        self.user = _without_none(
            id=user_id,
            is_bot=False,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        chat = _without_none(
            id=user_id,
            type="private",
            first_name=first_name,
            last_name=last_name,
            username=username,
        )
        self.chat = fake.methods.add_chat(chat)
        fake._views[user_id] = self  # one view per chat, so marks and waits agree

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """This user's answerCallbackQuery calls (params), oldest first."""
        return self.fake.methods.callback_answers.get(self.id, [])

    async def send_text(
        self, text: str, *, chat_id: int | None = None, reply_to: BotMessage | None = None
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if reply_to is not None:
            content["reply_to_message"] = reply_to.raw
        return await self._send(content, chat_id)

    async def send_command(self, command: str, args: str | None = None) -> dict[str, Any]:
        """`/start` with its bot_command entity; `args` is the deep-link payload or argument."""
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        text = f"{command} {args}" if args else command
        return await self._send({"text": text, "entities": [entity]})

    async def send_photo(self, data: bytes, caption: str | None = None) -> dict[str, Any]:
        """A photo whose getFile and download give back `data`."""
        stored = self.fake.methods.store_file(data, "photos", "jpg")
        return await self._send(
            {"photo": self.fake.methods.photo_sizes(stored), "caption": caption}
        )

    async def send_document(
        self, name: str, data: bytes, mime_type: str | None = None
    ) -> dict[str, Any]:
        suffix = name.rpartition(".")[2] if "." in name else "bin"
        stored = self.fake.methods.store_file(data, "documents", suffix, file_name=name)
        document = stored.as_document()
        document["mime_type"] = (
            mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        )
        return await self._send({"document": document})

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        stored = self.fake.methods.store_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "stickers", "webp")
        sticker = {
            **stored.as_document(),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        sticker.pop("file_name")
        return await self._send({"sticker": sticker})

    async def send_voice(self, duration: int = 3, *, data: bytes | None = None) -> dict[str, Any]:
        """A voice note whose getFile and download give back `data` (a few OGG bytes)."""
        content = b"OggS\x00\x02fake-voice" if data is None else data
        stored = self.fake.methods.store_file(content, "voice", "oga")
        voice = {**stored.as_document(), "duration": duration, "mime_type": "audio/ogg"}
        voice.pop("file_name")
        return await self._send({"voice": voice})

    async def send_video(self, duration: int = 5, *, data: bytes | None = None) -> dict[str, Any]:
        """A video whose getFile and download give back `data` (a few MP4 bytes)."""
        content = b"\x00\x00\x00\x18ftypmp42" if data is None else data
        stored = self.fake.methods.store_file(content, "videos", "mp4")
        video = {
            **stored.as_document(),
            "width": 640,
            "height": 360,
            "duration": duration,
            "mime_type": "video/mp4",
        }
        return await self._send({"video": video})

    async def send_video_note(
        self, duration: int = 5, *, data: bytes | None = None
    ) -> dict[str, Any]:
        """A round video message (MP4, no file name or MIME type, as Telegram sends it)."""
        content = b"\x00\x00\x00\x18ftypmp42" if data is None else data
        stored = self.fake.methods.store_file(content, "video_notes", "mp4")
        note = {**stored.as_document(), "length": 240, "duration": duration}
        note.pop("file_name")
        return await self._send({"video_note": note})

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return await self._send({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_contact(self, phone: str, first_name: str | None = None) -> dict[str, Any]:
        contact = {
            "phone_number": phone,
            "first_name": first_name or self.user["first_name"],
            "user_id": self.id,
        }
        return await self._send({"contact": contact})

    async def press(self, button: str, message: BotMessage | None = None) -> dict[str, Any]:
        """Press an inline button, by its text or callback_data, on `message` or on the latest
        bot message in this chat that has it."""
        candidates = [message] if message else reversed(self.messages())
        for candidate in candidates:
            found = candidate.find_button(button)
            if found is not None:
                if "callback_data" not in found:
                    raise ValueError(f"button {button!r} sends no callback (url or web app)")
                return await self._callback(candidate, found["callback_data"])
        shown = [m.button_texts for m in ([message] if message else self.messages()[-3:])]
        raise LookupError(f"no inline button {button!r}; visible buttons: {shown}")

    async def forge_callback(self, data: str, message: BotMessage | None = None) -> dict[str, Any]:
        """A callback_query with any data, as a tampering client could send it."""
        target = message or self.last_message()
        if target is None:
            raise LookupError("no bot message to attach the callback to")
        return await self._callback(target, data)

    async def _callback(self, message: BotMessage, data: str) -> dict[str, Any]:
        query_id = str(next(_query_ids))
        self.fake.methods.callback_queries[query_id] = self.id
        self.fake.chat(message.chat_id).mark()
        query = {
            "id": query_id,
            "from": self.user,
            "message": message.raw,
            "chat_instance": str(-abs(hash((self.id, message.chat_id)))),
            "data": data,
        }
        return await self.fake.deliver({"callback_query": query})

    async def _send(self, content: dict[str, Any], chat_id: int | None = None) -> dict[str, Any]:
        view = self.fake.chat(chat_id) if chat_id is not None else self
        chat = self.fake.methods.chat_for(view.chat_id)
        message = self.fake.methods.new_message(chat, self.user, **content)
        view.mark()
        return await self.fake.deliver({"message": message})


def _without_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
