"""Who is logged in to the console, and that each form was posted by a page we served.

- Sessions live in the app database (`staff.ConsoleSessions`), so every instance sees a logout
  at once; the login cookie holds only the session's random token (`greenbot_console`, or
  `__Host-greenbot_console` with `Secure` when GREENBOT_CONSOLE_SECURE_COOKIES is on; HttpOnly,
  SameSite=Lax). They end on logout, "sign out everywhere", a password or role change, disabling
  the account, GREENBOT_CONSOLE_IDLE_MINUTES idle or GREENBOT_CONSOLE_SESSION_HOURS after login.
  Redis, where configured, holds conversation state only: the database is already shared by
  every instance and keeps a session beside the account it belongs to.
- Starlette's signed cookie (`greenbot_session`) keeps what is not a login: flash messages, the
  chat sandbox's visitor id and a logged-out visitor's CSRF token. It opens nothing.
- CSRF: a logged-in page's token is derived from its session's token (so it ends with it), a
  logged-out visitor's is random in the signed cookie; forms send it in `csrf_token`, the chat
  page's script in `X-CSRF-Token`; every POST without the right one is refused (`web/deps.py`).
- Logins are slowed down per name and per address by `staff.LoginThrottle`, in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from staff import Lifetimes, LoginThrottle, ThrottlePolicy
from staff.sessions import token_digest
from web.addresses import Network, trusted_networks

if TYPE_CHECKING:
    from fastapi import Request
    from starlette.responses import Response

    from ground.settings import Settings
    from staff import StaffAccount
    from web.deps import Console

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LOGIN_COOKIE = "greenbot_console"
BROWSER_COOKIE = "greenbot_session"
BROWSER_MAX_AGE = 12 * 3600  # seconds; renewed by every response that changes it


@dataclass(frozen=True)
class AuthConfig:
    """How logins work here, read once from Settings by `create_app`."""

    secure: bool
    lifetimes: Lifetimes
    throttle: ThrottlePolicy
    pepper: bytes  # keys the throttle's counters (HMAC of names and addresses)
    trusted_proxies: tuple[Network, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        secret = session_secret(settings)
        return cls(
            secure=settings.console_secure_cookies,
            lifetimes=Lifetimes(
                idle=timedelta(minutes=settings.console_idle_minutes),
                absolute=timedelta(hours=settings.console_session_hours),
            ),
            throttle=ThrottlePolicy(max_delay=float(settings.console_login_max_delay_seconds)),
            pepper=hashlib.sha256(f"login-throttle:{secret}".encode()).digest(),
            trusted_proxies=trusted_networks(settings.web_trusted_proxies),
        )

    @property
    def login_cookie(self) -> str:
        """`__Host-` binds the cookie to this host, https and path / (browsers enforce it)."""
        return f"__Host-{LOGIN_COOKIE}" if self.secure else LOGIN_COOKIE

    @property
    def browser_cookie(self) -> str:
        return f"__Host-{BROWSER_COOKIE}" if self.secure else BROWSER_COOKIE


@dataclass(frozen=True)
class Login:
    """This request's live console session and its account."""

    token: str
    account: StaffAccount

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    @property
    def digest(self) -> str:
        """The session's id in the database."""
        return token_digest(self.token)


def session_secret(settings: Settings) -> str:
    """GREENBOT_SESSION_SECRET, else a key kept in the data directory (made once, mode 600);
    several instances behind one address must share the setting."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    path = settings.data_dir / "session.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def current_login(request: Request) -> Login | None:
    """Set by `web.deps.current_login` on every console route (before the route runs)."""
    return getattr(request.state, "login", None)


def csrf_token(request: Request) -> str:
    """The token this page's forms must send back."""
    login = current_login(request)
    if login is not None:
        return login.csrf
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def expected_csrf(request: Request) -> str | None:
    login = current_login(request)
    return login.csrf if login is not None else request.session.get("csrf")


def set_login_cookie(response: Response, auth: AuthConfig, token: str) -> None:
    response.set_cookie(
        auth.login_cookie,
        token,
        max_age=int(auth.lifetimes.absolute.total_seconds()),
        path="/",
        secure=auth.secure,
        httponly=True,
        samesite="lax",
    )


def clear_login_cookie(response: Response, auth: AuthConfig) -> None:
    response.delete_cookie(
        auth.login_cookie, path="/", secure=auth.secure, httponly=True, samesite="lax"
    )


def fresh_browser_session(request: Request) -> None:
    """At login and logout: a new CSRF token for the logged-out pages (no fixation), and no
    leftovers of the signed-cookie sessions this replaced."""
    request.session.pop("staff", None)
    request.session["csrf"] = secrets.token_urlsafe(32)


async def claim_attempt(console: Console, name: str, address: str | None) -> int:
    """Seconds a login (or a password check) for `name` from `address` must wait; 0: check
    it. Counted in a transaction of its own, committed before the password is hashed, so every
    instance sees it at once."""
    auth = console.auth
    async with console.sessions.begin() as counting:
        throttle = LoginThrottle(counting, auth.throttle, pepper=auth.pepper)
        return await throttle.claim(name, address, now=console.clock.now())


def too_soon(seconds: int) -> str:
    wait = f"{seconds} 秒" if seconds < 120 else f"{-(-seconds // 60)} 分钟"
    return f"登录失败次数过多，请 {wait}后再试。"


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
