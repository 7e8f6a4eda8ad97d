"""Logging: text or JSON lines, and tokens and phone numbers never reach the output."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ground.logs import configure_logging, redact
from ground.settings import Settings

TOKEN = "7123456789:AAHk3v9Qx-2bY_7mZpL0sW4eR8tU1iO5nCd"  # BotFather's shape: id:35 chars
PHONE = "13908561234"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def configured(log_format: str, level: str = "INFO") -> io.StringIO:
    out = io.StringIO()
    settings = Settings(_env_file=None, log_format=log_format, log_level=level)  # type: ignore[call-arg]
    configure_logging(settings, stream=out)
    return out


def test_redact_hides_tokens_urls_and_mobile_numbers_but_keeps_other_numbers() -> None:
    text = (
        f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed; token {TOKEN}; "
        f"call {PHONE}, +86 139-0856-1234 or 139 0856 1234; update 100000123, 3000 吨, 2026-11-03"
    )

    clean = redact(text)

    assert TOKEN not in clean and "AAHk3v9Qx" not in clean
    assert "/bot<bot-token>/sendMessage" in clean
    assert PHONE not in clean and "0856-1234" not in clean and "0856 1234" not in clean
    assert clean.count("<phone>") == 3
    assert "update 100000123, 3000 吨, 2026-11-03" in clean


def test_a_short_fake_token_in_a_bot_api_url_is_redacted_too() -> None:
    clean = redact("http://127.0.0.1:8081/bot123456789:TEST-greenbot-fake-token/getMe")
    assert "TEST-greenbot" not in clean and clean.endswith("/bot<bot-token>/getMe")


def test_json_lines_carry_time_level_logger_message_and_extras() -> None:
    out = configured("json")

    logging.getLogger("bot.routers.ask").info(
        "answered %s for chat %s", "问题", PHONE, extra={"update_id": 100000042}
    )

    entry = json.loads(out.getvalue().strip())
    assert entry["level"] == "INFO" and entry["logger"] == "bot.routers.ask"
    assert entry["message"] == "answered 问题 for chat <phone>"
    assert entry["update_id"] == 100000042
    assert entry["ts"].endswith("+08:00")  # Asia/Shanghai


def test_tracebacks_are_redacted_in_json_and_text() -> None:
    for log_format in ("json", "text"):
        out = configured(log_format)
        try:
            raise RuntimeError(f"Bad Request at /bot{TOKEN}/sendMessage for {PHONE}")
        except RuntimeError:
            logging.getLogger("bot.notify").exception("send failed")
        written = out.getvalue()
        assert "RuntimeError" in written and "send failed" in written
        assert TOKEN not in written and PHONE not in written, log_format


def test_extras_are_redacted_and_text_keeps_the_current_format() -> None:
    out = configured("text", level="WARNING")

    logging.getLogger("greenbot").info("not shown")
    logging.getLogger("greenbot").warning("token %s", TOKEN, extra={"contact": PHONE})

    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(" WARNING greenbot: token <bot-token>")
    json_out = configured("json")
    logging.getLogger("greenbot").warning("x", extra={"contact": f"call {PHONE}"})
    assert json.loads(json_out.getvalue())["contact"] == "call <phone>"


def test_a_handled_update_is_not_logged_unless_asked() -> None:
    quiet = configured("text")
    logging.getLogger("aiogram.event").info("Update id=100000001 is handled. Duration 3 ms")
    logging.getLogger("aiogram.event").warning("Update id=100000002 is not handled")
    assert "100000001" not in quiet.getvalue() and "100000002" in quiet.getvalue()
    loud = io.StringIO()
    settings = Settings(_env_file=None, log_updates=True)  # type: ignore[call-arg]
    configure_logging(settings, stream=loud)
    logging.getLogger("aiogram.event").info("Update id=100000003 is handled. Duration 3 ms")
    assert "100000003" in loud.getvalue()


def test_an_unknown_level_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        configured("text", level="LOUD")


def test_the_cli_writes_json_lines_when_asked() -> None:
    """The real `greenbot` entry point: a subcommand's log line comes out as JSON."""
    env = {
        **os.environ,
        "GREENBOT_LOG_FORMAT": "json",
        "GREENBOT_LOG_LEVEL": "WARNING",
    }
    code = (
        "import logging, sys\n"
        "from greenbot.cli import app\n"
        "@app.command('say-hi')\n"
        "def say_hi() -> None:\n"
        f"    logging.getLogger('probe').warning('hi %s', '{PHONE}')\n"
        "sys.argv = ['greenbot', 'say-hi']\n"
        "app()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert (entry["logger"], entry["message"]) == ("probe", "hi <phone>")
