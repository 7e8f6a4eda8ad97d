"""An aiogram session that answers the Bot API in-process: what the bot sends is written into the
chats the current request opened (`ChatStore.working`; saved when the request ends), and every
answer is Telegram-shaped, so the real handlers run unchanged.

Methods are read as the aiohttp session would send them (`prepare_value`, defaults such as
parse_mode=HTML applied) and results go through aiogram's own `check_response`, so a handler
gets the same types, and the same `TelegramBadRequest`, as it would from Telegram.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InputFile

from web.markup import to_page, to_plain
from web.sandbox.store import new_file_id
from web.sandbox.transcript import Chat, bot_entry, inline_buttons

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod
    from aiogram.methods.base import TelegramType

    from web.sandbox.store import ChatStore

log = logging.getLogger(__name__)

SANDBOX_API = TelegramAPIServer.from_base("http://sandbox.invalid")
MAX_FILE_BYTES = 20 * 1024 * 1024  # what getFile lets a bot download from Telegram
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BOT_USER = {"id": 0, "is_bot": True, "first_name": "绿色铜仁助手", "username": "greenbot_sandbox"}


class ApiError(Exception):
    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description, self.code = description, code


def photo_sizes(file_id: str, size: int) -> list[dict[str, Any]]:
    """A PhotoSize list for a stored photo (one size: the sandbox does not scale)."""
    unique = file_id.rsplit("-", 1)[-1]
    return [{"file_id": file_id, "file_unique_id": unique, "file_size": size,
             "width": 1280, "height": 960}]  # fmt: skip


class SandboxSession(BaseSession):
    def __init__(self, chats: ChatStore) -> None:
        super().__init__(api=SANDBOX_API)
        self.chats = chats
        self.bot_user = dict(BOT_USER)
        self.callback_chats: dict[str, int] = {}  # callback query id → chat, for its answer
        self.handlers: dict[str, Callable[[dict[str, Any], dict[str, InputFile]], Any]] = {
            "getMe": lambda p, f: {**self.bot_user, "can_join_groups": False},
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendLocation": self.send_location,
            "editMessageText": self.edit_text,
            "editMessageCaption": self.edit_text,
            "editMessageReplyMarkup": self.edit_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": lambda p, f: True,
            "setMyCommands": self.set_commands,
            "deleteMyCommands": lambda p, f: True,
            "getMyCommands": lambda p, f: [
                {"command": c, "description": d} for c, d in self.chats.commands
            ],
            "getFile": self.get_file,
            "deleteWebhook": lambda p, f: True,
            "close": lambda p, f: True,
            "logOut": lambda p, f: True,
        }

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.bot_user["id"] = bot.id
        files: dict[str, InputFile] = {}
        params = {
            key: self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            for key, value in method.model_dump(warnings=False).items()
        }
        params = {key: value for key, value in params.items() if value is not None}
        name = method.__api_method__
        handler = self.handlers.get(name)
        try:
            if handler is None:
                log.warning("the web sandbox does not implement %s", name)
                raise ApiError(f"Bad Request: {name} is not available in the web sandbox")
            uploads = {key: await _read(value, bot) for key, value in files.items()}
            result = handler(params, uploads)
            if inspect.isawaitable(result):
                result = await result
            body = {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            body = {"ok": False, "error_code": error.code, "description": error.description}
            status = error.code
        response = self.check_response(bot, method, status, json.dumps(body))
        return cast("TelegramType", response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        data = await self.chats.file(url.rsplit("/", 1)[-1]) or b""
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    async def close(self) -> None:
        return None

    # --- methods ------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> Chat:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError("Bad Request: chat not found")
        return self._open(chat_id)

    def _open(self, chat_id: int) -> Chat:
        """The chat the current request opened; any other (a group, another visitor) gets a
        copy that is never saved: nobody in the sandbox reads it."""
        return self.chats.working(chat_id) or Chat(chat_id, {"id": chat_id, "type": "private"})

    def send_message(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        text = str(p.get("text", ""))
        if not to_plain(text, p.get("parse_mode")).strip():
            raise ApiError("Bad Request: message text is empty")
        chat = self._chat(p)
        entry = bot_entry(
            chat,
            self.bot_user,
            text=text,
            parse_mode=p.get("parse_mode"),
            markup=p.get("reply_markup"),
        )
        return entry.raw

    async def send_photo(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(p)
        photo = str(p.get("photo", ""))
        if photo.startswith("attach://"):
            data = f[photo.removeprefix("attach://")]
            photo = new_file_id(data)
            chat.files[photo] = data
        else:
            data = await self.chats.file(photo)
            if data is None:
                raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        entry = bot_entry(
            chat,
            self.bot_user,
            text=str(p.get("caption", "")),
            parse_mode=p.get("parse_mode"),
            markup=p.get("reply_markup"),
            photo=photo,
            photo_sizes=photo_sizes(photo, len(data)),
        )
        return entry.raw

    def send_location(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(p)
        point = (float(p["latitude"]), float(p["longitude"]))
        entry = bot_entry(
            chat, self.bot_user, text="", parse_mode=None, markup=p.get("reply_markup"),
            location=point,
        )  # fmt: skip
        return entry.raw

    def edit_text(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(p)
        entry = chat.find(int(p.get("message_id", 0)))
        if entry is None:
            raise ApiError("Bad Request: message to edit not found")
        key = "caption" if "photo" in entry.raw else "text"
        text = str(p.get(key, p.get("text", "")))
        markup = p.get("reply_markup")
        html = to_page(text, p.get("parse_mode"))
        if html == entry.html and inline_buttons(markup) == entry.buttons:
            raise ApiError(NOT_MODIFIED)
        entry.html = html
        entry.buttons = inline_buttons(markup)
        entry.raw[key] = to_plain(text, p.get("parse_mode"))
        entry.raw["edit_date"] = entry.raw["date"]
        _set_markup(entry.raw, markup)
        entry.edited = True
        chat.changed(entry)
        return entry.raw

    def edit_reply_markup(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(p)
        entry = chat.find(int(p.get("message_id", 0)))
        if entry is None:
            raise ApiError("Bad Request: message to edit not found")
        markup = p.get("reply_markup")
        if inline_buttons(markup) == entry.buttons:
            raise ApiError(NOT_MODIFIED)
        entry.buttons = inline_buttons(markup)
        _set_markup(entry.raw, markup)
        chat.changed(entry)
        return entry.raw

    def delete_message(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        chat = self._chat(p)
        entry = chat.find(int(p.get("message_id", 0)))
        if entry is None:
            raise ApiError("Bad Request: message to delete not found")
        entry.deleted = True
        chat.changed(entry)
        return True

    def answer_callback_query(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        chat_id = self.callback_chats.pop(str(p.get("callback_query_id")), None)
        if chat_id is None:
            raise ApiError("Bad Request: query is too old and response timeout expired")
        text = str(p.get("text") or "")
        if text:
            self._open(chat_id).toast(text, alert=bool(p.get("show_alert")))
        return True

    def set_commands(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        self.chats.commands = [(c["command"], c["description"]) for c in p.get("commands", [])]
        return True

    async def get_file(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        file_id = str(p.get("file_id", ""))
        data = await self.chats.file(file_id)
        if data is None:
            raise ApiError("Bad Request: invalid file_id")
        if len(data) > MAX_FILE_BYTES:
            raise ApiError("Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": file_id.rsplit("-", 1)[-1],
            "file_size": len(data),
            "file_path": f"photos/{file_id}",
        }


def _set_markup(raw: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup and "inline_keyboard" in markup:
        raw["reply_markup"] = markup
    else:
        raw.pop("reply_markup", None)


async def _read(upload: InputFile, bot: Bot) -> bytes:
    chunks = [chunk async for chunk in upload.read(bot)]
    return b"".join(chunks)
