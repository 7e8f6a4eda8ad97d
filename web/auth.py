"""Who is logged in, and that each form was posted by the page we served.

- Sessions: Starlette's `SessionMiddleware` (a cookie signed with itsdangerous, HttpOnly,
  SameSite=Lax). It holds the staff account id and the account's `generation`: a password
  or role change, or disabling the account, bumps it and ends every session of that account.
- CSRF: one random token per session, sent back in every form (`csrf_token` field) or, from the
  chat page's script, in the `X-CSRF-Token` header; every POST without the right one is refused.
- Passwords are checked by the staff domain (argon2id); repeated failures for one name are
  slowed down here, per process.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import time
from collections import deque
from typing import TYPE_CHECKING

from fastapi import Request

from web.errors import CsrfRejected

if TYPE_CHECKING:
    from greenbot.settings import Settings
    from staff import StaffAccount

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_MAX_AGE = 12 * 3600  # seconds; renewed by every response, so this is an idle timeout
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def session_secret(settings: Settings) -> str:
    """GREENBOT_SESSION_SECRET, else a key kept in the data directory (made once, mode 600),
    so logins survive a restart; several instances behind one address must share the setting."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    path = settings.data_dir / "session.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def csrf_token(request: Request) -> str:
    """This session's token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """An app-wide dependency: every unsafe request must carry the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        log.warning(
            "refused a %s to %s without a valid CSRF token", request.method, request.url.path
        )
        raise CsrfRejected()


def log_in(request: Request, account: StaffAccount) -> None:
    """A fresh session (new CSRF token: no fixation); a sandbox visitor keeps their chat."""
    visitor = request.session.get("visitor")
    request.session.clear()
    if visitor is not None:
        request.session["visitor"] = visitor
    request.session["staff"] = {"id": account.id, "gen": account.generation}
    request.session["csrf"] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.pop("staff", None)
    request.session["csrf"] = secrets.token_urlsafe(32)


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A one-time message for the next page (after a redirect)."""
    request.session.setdefault("flash", []).append([kind, text])
    request.session["flash"] = request.session["flash"][-5:]


def take_flashes(request: Request) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text in request.session.pop("flash", [])]


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (no `//host` or scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class LoginThrottle:
    """At most `attempts` failed logins per name per `window` seconds, in this process."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, name: str) -> bool:
        recent = self._recent(name)
        return len(recent) >= self.attempts

    def failed(self, name: str) -> None:
        self._recent(name).append(time.monotonic())
        if len(self._failures) > 10_000:
            self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, name: str) -> None:
        self._failures.pop(name.strip().lower(), None)

    def _recent(self, name: str) -> deque[float]:
        failures = self._failures.setdefault(name.strip().lower(), deque())
        while failures and time.monotonic() - failures[0] > self.window:
            failures.popleft()
        return failures
