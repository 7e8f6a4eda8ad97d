"""Logging for every GreenBot process: text for a terminal or JSON lines for a log collector,
with bot tokens and phone numbers redacted from every record before any handler writes it.

The redaction is a safety net under the rule that code never logs secrets or contacts: an
exception from the HTTP client can carry the Bot API URL (`/bot<token>/sendMessage`), and a
citizen's question can carry a phone number.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from ground.clock import SHANGHAI

if TYPE_CHECKING:
    from ground.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED_TOKEN = "<bot-token>"
REDACTED_PHONE = "<phone>"

# A Bot API token: the bot's numeric id, a colon, 35 URL-safe characters (BotFather's format);
# and anything in the token's place in a Bot API URL, whatever its length.
_TOKEN = re.compile(r"\b\d{5,16}:[A-Za-z0-9_-]{35}\b")
_TOKEN_IN_URL = re.compile(r"/bot\d+:[^/\s\"']+")
# A mainland mobile number, with or without +86 and separators (1[3-9] then nine digits).
_PHONE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")

# Attributes every LogRecord has; anything else came from `extra=` and goes into the JSON.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def redact(text: str) -> str:
    """`text` with bot tokens and mobile numbers replaced."""
    text = _TOKEN_IN_URL.sub("/bot" + REDACTED_TOKEN, text)
    text = _TOKEN.sub(REDACTED_TOKEN, text)
    return _PHONE.sub(REDACTED_PHONE, text)


class Redact(logging.Filter):
    """Renders the message (and any traceback) once, redacted, so no formatter sees the raw one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad %-args: the handler reports that itself; redact the template
            message = str(record.msg)
        else:
            record.args = None
        record.msg = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (ISO, Asia/Shanghai), level, logger, message, the record's
    `extra=` fields (`update_id`, …) and `exc` for a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, SHANGHAI).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(
    settings: Settings, *, verbose: bool = False, stream: TextIO | None = None
) -> logging.Handler:
    """Replace the root logger's handlers with one that redacts and writes text or JSON.

    The level is `settings.log_level`; `--verbose` lowers it to INFO at least. aiogram's line
    per handled update ("Update id=… is handled") is left out unless `settings.log_updates`:
    a terminal shows what GreenBot does, not every button press.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(Redact())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        raise ValueError(f"GREENBOT_LOG_LEVEL {settings.log_level!r} is not a logging level")
    root.setLevel(min(level, logging.INFO) if verbose else level)
    logging.getLogger("aiogram.event").setLevel(
        logging.NOTSET if settings.log_updates or verbose else logging.WARNING
    )
    logging.captureWarnings(True)
    return handler
