"""Form fields back into typed values, as the Bot API reads them.

aiogram sends every field as a string: numbers and booleans JSON-dumped ("42", "true"), objects
and lists as JSON strings (reply_markup, reply_parameters, commands...). Only known fields are
converted, so a text of "42" stays a string.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.fake_records import bad_request
from tests.support.telegram_html import HtmlParseError, parse_html, utf16_len

MAX_TEXT = 4096  # Bot API sendMessage: 1-4096 characters after entities parsing
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes

JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "commands",
        "scope",
        "media",
        "entities",
        "caption_entities",
        "allowed_updates",
        "link_preview_options",
        "message_ids",
        "results",
        "options",
        "explanation_entities",
        "permissions",
        "reaction",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
        "max_connections",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "duration",
        "width",
        "height",
    }
)
FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "is_personal",
        "revoke_messages",
        "only_if_banned",
        "remove_caption",
    }
)


def decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed params; a JSON field that does not parse is a 400 like Telegram's."""
    return {name: _decode(name, value) for name, value in raw.items()}


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername" is a valid chat_id
    if name in FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"wrong {name} specified") from None
    if name in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


def formatted_text(
    p: dict[str, Any], name: str, *, required: bool = True
) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """(source text, plain text, entities) of a text or caption, validated like Telegram."""
    text = p.get(name)
    if text is None and not required:
        return None, None, []
    text = "" if text is None else str(text)
    parse_mode = (p.get("parse_mode") or "").lower()
    entities: list[dict[str, Any]] = []
    if parse_mode == "html":
        try:
            plain, entities = parse_html(text)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif parse_mode in ("", "markdown", "markdownv2"):
        plain = text
    else:
        raise bad_request("unsupported parse_mode")
    if name == "text" and not plain.strip():
        raise bad_request("message text is empty")
    if name == "text" and utf16_len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    if name == "caption" and utf16_len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text, plain, entities


def checked_markup(p: dict[str, Any]) -> dict[str, Any] | None:
    markup = p.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text is empty")
            if len(button) == 1:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
    return markup
