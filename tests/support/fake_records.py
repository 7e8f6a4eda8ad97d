"""What the fake keeps and answers with: API errors, files, bot messages as a chat shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """A Bot API refusal: becomes `{"ok": false, "error_code", "description", "parameters"}`."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Upload:
    """A multipart file part as the bot sent it."""

    filename: str
    data: bytes


@dataclass
class StoredFile:
    """A file Telegram holds: sent by a user or uploaded by the bot, downloadable by path."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None

    def as_document(self) -> dict[str, Any]:
        """The Document object a message carries (no file_path: that comes from getFile)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_name": self.file_name or self.file_path.rpartition("/")[2],
        }

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class BotMessage:
    """One bot message as the chat shows it now: `text` is what was sent (HTML source for
    parse_mode=HTML, or the caption), `plain` what the citizen reads; edits update both."""

    chat_id: int
    message_id: int
    kind: str
    text: str | None
    plain: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    raw: dict[str, Any]
    sent_at: float
    history: list[str | None] = field(default_factory=list)
    deleted: bool = False

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, row by row flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    def find_button(self, text_or_data: str) -> dict[str, Any] | None:
        for button in self.buttons:
            if text_or_data in (button.get("text"), button.get("callback_data")):
                return button
        return None
