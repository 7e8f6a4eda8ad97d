"""What the fake Bot API does per method: the chats, messages and files a bot can see and change.

Result shapes and error texts are the Bot API's (https://core.telegram.org/bots/api), so aiogram
parses every answer into its real types; checks are the ones GreenBot can trip over.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from tests.support.fake_params import checked_markup, formatted_text
from tests.support.fake_records import BotMessage, StoredFile, Upload, bad_request

MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
CONTENT_KEYS = ("text", "photo", "document", "location", "sticker", "voice", "video", "contact")
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class BotMethods:
    """The Bot API methods that act on chats, messages, files and commands, by canonical name."""

    def __init__(self, token: str, *, bot_username: str, strict_chats: bool) -> None:
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "GreenBot",
            "username": bot_username,
        }
        self.strict_chats = strict_chats
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.transcripts: dict[int, list[BotMessage]] = {}
        self.reply_keyboards: dict[int, dict[str, Any] | None] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_queries: dict[str, int] = {}
        self.callback_answers: dict[int, list[dict[str, Any]]] = {}
        self.on_change: Callable[[int], None] = lambda chat_id: None
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self.handlers: dict[str, Callable[..., Any]] = {
            "getMe": self.get_me,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendLocation": self.send_location,
            "copyMessage": self.copy_message,
            "forwardMessage": self.forward_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "getFile": self.get_file,
            "getChat": self.get_chat,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "close": lambda p, f: True,
            "logOut": lambda p, f: True,
        }

    # chats, messages and files: shared with the simulated users
    def add_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        return self.chats.setdefault(chat["id"], chat)

    def chat_for(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username") == chat_id[1:]:
                    return chat
            raise bad_request("chat not found")
        if not isinstance(chat_id, int):
            raise bad_request("chat_id is empty" if chat_id in (None, "") else "chat not found")
        if chat_id in self.chats:
            return self.chats[chat_id]
        if self.strict_chats:
            raise bad_request("chat not found")
        if chat_id > 0:
            return self.add_chat({"id": chat_id, "type": "private", "first_name": f"User{chat_id}"})
        return self.add_chat({"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"})

    def new_message(self, chat: dict[str, Any], sender: dict[str, Any], **content: Any) -> dict:
        """Store a message with the chat's next id (users and the bot share one sequence)."""
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message = {
            "message_id": next(counter),
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
            **{key: value for key, value in content.items() if value is not None},
        }
        self.messages[chat["id"], message["message_id"]] = message
        return message

    def store_file(
        self, data: bytes, folder: str, suffix: str, *, file_name: str | None = None
    ) -> StoredFile:
        n = next(self._file_ids)
        stored = StoredFile(
            file_id=f"AgACAgIAAxkBAAI{n:08d}fake",
            file_unique_id=f"AQAD{n:08d}",
            file_path=f"{folder}/file_{n}.{suffix}",
            data=data,
            file_name=file_name,
        )
        self.files[stored.file_id] = stored
        self.file_paths[stored.file_path] = stored
        return stored

    def photo_sizes(self, stored: StoredFile) -> list[dict[str, Any]]:
        """Two sizes like Telegram's resized copies; both download the same bytes."""
        thumb = self.store_file(stored.data, "photos", "jpg")
        return [
            {**thumb.as_file(), "width": 90, "height": 67},
            {**stored.as_file(), "width": 1280, "height": 960},
        ]

    # sending
    def get_me(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def send_message(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self.chat_for(p.get("chat_id"))
        text, plain, entities = formatted_text(p, "text")
        markup = checked_markup(p)
        message = self.new_message(
            chat,
            self.bot_user,
            text=plain,
            entities=entities or p.get("entities"),
            **self._reply_to(chat, p),
            reply_markup=_inline_only(markup),
        )
        self._record(message, text, p.get("parse_mode"), markup)
        return message

    def send_photo(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        return self._send_media(p, f, "photo")

    def send_document(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        return self._send_media(p, f, "document")

    def send_location(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self.chat_for(p.get("chat_id"))
        latitude, longitude = p.get("latitude"), p.get("longitude")
        if not isinstance(latitude, float) or not isinstance(longitude, float):
            raise bad_request("wrong latitude or longitude specified")
        markup = checked_markup(p)
        location = {"latitude": latitude, "longitude": longitude}
        message = self.new_message(
            chat,
            self.bot_user,
            location=location,
            **self._reply_to(chat, p),
            reply_markup=_inline_only(markup),
        )
        self._record(message, None, None, markup)
        return message

    def copy_message(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self.chat_for(p.get("chat_id"))
        source = self._source(p, "copy")
        content = {
            key: source[key]
            for key in (*CONTENT_KEYS, "entities", "caption", "caption_entities")
            if key in source
        }
        shown, parse_mode = content.get("text", content.get("caption")), None
        if "caption" in p and "text" not in source:
            shown, plain, entities = formatted_text(p, "caption")
            content.update(caption=plain, caption_entities=entities or None)
            parse_mode = p.get("parse_mode")
        markup = checked_markup(p)
        message = self.new_message(
            chat,
            self.bot_user,
            **content,
            **self._reply_to(chat, p),
            reply_markup=_inline_only(markup),
        )
        self._record(message, shown, parse_mode, markup)
        return {"message_id": message["message_id"]}

    def forward_message(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self.chat_for(p.get("chat_id"))
        source = self._source(p, "forward")
        content = {
            key: source[key] for key in (*CONTENT_KEYS, "entities", "caption") if key in source
        }
        origin = {"type": "user", "sender_user": source["from"], "date": source["date"]}
        message = self.new_message(chat, self.bot_user, forward_origin=origin, **content)
        self._record(message, message.get("text", message.get("caption")), None, None)
        return message

    # changing what was sent
    def edit_message_text(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        sent = self._editable(p)
        if "text" not in sent.raw:
            raise bad_request("there is no text in the message to edit")
        text, plain, entities = formatted_text(p, "text")
        return self._edit(sent, p, text, {"text": plain, "entities": entities or None})

    def edit_message_caption(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        sent = self._editable(p)
        if "text" in sent.raw:
            raise bad_request("there is no caption in the message to edit")
        text, plain, entities = formatted_text(p, "caption", required=False)
        return self._edit(sent, p, text, {"caption": plain, "caption_entities": entities or None})

    def edit_message_reply_markup(self, p: dict[str, Any], f: dict[str, Upload]) -> dict:
        sent = self._editable(p)
        return self._edit(sent, p, sent.text, {})

    def delete_message(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        chat = self.chat_for(p.get("chat_id"))
        key = (chat["id"], p.get("message_id"))
        if self.messages.pop(key, None) is None:
            raise bad_request("message to delete not found")
        for sent in self.transcripts.get(chat["id"], ()):
            if sent.message_id == key[1]:
                sent.deleted = True
        self.on_change(chat["id"])
        return True

    # the rest
    def answer_callback_query(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        user_id = self.callback_queries.pop(str(p.get("callback_query_id")), None)
        if user_id is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.setdefault(user_id, []).append(p)
        return True

    def send_chat_action(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        self.chat_for(p.get("chat_id"))
        if p.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def get_file(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        stored = self.files.get(str(p.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return stored.as_file()

    def get_chat(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        gifts = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        return {
            **self.chat_for(p.get("chat_id")),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, True),
        }

    def set_my_commands(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request('parameter "commands" is required')
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_commands_key(p)] = commands
        return True

    def get_my_commands(self, p: dict[str, Any], f: dict[str, Upload]) -> list[dict[str, Any]]:
        return self.commands.get(_commands_key(p), [])

    def delete_my_commands(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        self.commands.pop(_commands_key(p), None)
        return True

    def _reply_to(self, chat: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        reply = p.get("reply_parameters") or {}
        target_id = reply.get("message_id", p.get("reply_to_message_id"))
        if target_id is None:
            return {}
        target = self.messages.get((reply.get("chat_id", chat["id"]), target_id))
        if target is None:
            if reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply"):
                return {}
            raise bad_request("message to be replied not found")
        return {"reply_to_message": {k: v for k, v in target.items() if k != "reply_to_message"}}

    def _send_media(self, p: dict[str, Any], f: dict[str, Upload], kind: str) -> dict:
        chat = self.chat_for(p.get("chat_id"))
        stored = self._input_file(p, f, kind)
        text, plain, entities = formatted_text(p, "caption", required=False)
        if kind == "photo":
            media: Any = self.photo_sizes(stored)
        else:
            media = stored.as_document()
        markup = checked_markup(p)
        message = self.new_message(
            chat,
            self.bot_user,
            caption=plain,
            caption_entities=entities or None,
            **{kind: media},
            **self._reply_to(chat, p),
            reply_markup=_inline_only(markup),
        )
        self._record(message, text, p.get("parse_mode"), markup)
        return message

    def _input_file(self, p: dict[str, Any], f: dict[str, Upload], kind: str) -> StoredFile:
        """A file_id, URL, `attach://name` part or a part under the field's own name."""
        value = p.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            value = f.get(value.removeprefix("attach://"))
            if value is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
        elif kind in f:
            value = f[kind]
        if value is None:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo":
                return self.store_file(value.data, "photos", "jpg")
            suffix = value.filename.rpartition(".")[2] if "." in value.filename else "bin"
            return self.store_file(value.data, "documents", suffix, file_name=value.filename)
        if str(value).startswith(("http://", "https://")):
            return self.store_file(b"downloaded by URL", "documents", "bin")
        if str(value) in self.files:
            return self.files[str(value)]
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _source(self, p: dict[str, Any], verb: str) -> dict[str, Any]:
        source = self.messages.get((p.get("from_chat_id"), p.get("message_id")))
        if source is None:
            raise bad_request(f"message to {verb} not found")
        return source

    def _editable(self, p: dict[str, Any]) -> BotMessage:
        if p.get("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self.chat_for(p.get("chat_id"))
        message = self.messages.get((chat["id"], p.get("message_id")))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        for sent in reversed(self.transcripts.get(chat["id"], [])):
            if sent.message_id == message["message_id"]:
                return sent
        raise bad_request("message to edit not found")

    def _edit(
        self, sent: BotMessage, p: dict[str, Any], text: str | None, content: dict[str, Any]
    ) -> dict[str, Any]:
        """Apply an edit; Telegram drops the inline keyboard when the edit does not repeat it."""
        markup = _inline_only(checked_markup(p))
        old = {key: sent.raw.get(key) for key in content}
        if old == content and sent.raw.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        raw = {k: v for k, v in sent.raw.items() if k not in content and k != "reply_markup"}
        raw.update({k: v for k, v in content.items() if v is not None})
        raw["edit_date"] = int(time.time())
        if markup:
            raw["reply_markup"] = markup
        sent.history.append(sent.text)
        sent.raw = raw
        self.messages[sent.chat_id, sent.message_id] = raw
        if content:
            sent.text = text
            sent.plain = (raw.get("text") or raw.get("caption") or "").strip()
            sent.parse_mode = p.get("parse_mode")
        sent.reply_markup = markup
        self.on_change(sent.chat_id)
        return raw

    def _record(
        self, message: dict[str, Any], text: str | None, parse_mode: str | None, markup: Any
    ) -> None:
        chat_id = message["chat"]["id"]
        shown = message.get("text", message.get("caption"))
        sent = BotMessage(
            chat_id=chat_id,
            message_id=message["message_id"],
            kind=next((key for key in CONTENT_KEYS if key in message), "text"),
            text=text,
            plain=shown.strip() if shown is not None else None,
            parse_mode=parse_mode,
            reply_markup=markup,
            raw=message,
            sent_at=time.monotonic(),
        )
        self.transcripts.setdefault(chat_id, []).append(sent)
        if markup and ("keyboard" in markup or "remove_keyboard" in markup):
            self.reply_keyboards[chat_id] = markup if "keyboard" in markup else None
        self.on_change(chat_id)


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """A sent Message carries reply_markup only for inline keyboards."""
    return markup if markup and "inline_keyboard" in markup else None


def _commands_key(p: dict[str, Any]) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")
