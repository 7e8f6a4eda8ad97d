"""Errors on demand: one-off failures, blocked chats and Telegram's flood limits as 429s.

Checked before a method runs, so a refused call has no effect, as on Telegram.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_records import ApiError

SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendLocation", "copyMessage", "forwardMessage"}
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class _Fault:
    method: str
    status: int
    retry_after: int
    times: int
    description: str | None
    chat_id: int | None


class _Window:
    """Sliding-window limit: at most `limit` events per `seconds`."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.events: deque[float] = deque()

    def retry_after(self, now: float) -> int:
        """0 if an event fits now, else whole seconds until it will (Telegram rounds up)."""
        while self.events and self.events[0] <= now - self.seconds:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0
        return max(1, math.ceil(self.events[0] + self.seconds - now))


@dataclass
class _Rates:
    """Bot API flood limits: all sends, each private chat per second, each group per minute."""

    total: _Window
    per_chat_per_sec: int
    per_group_per_min: int
    windows: dict[int, _Window] = field(default_factory=dict)

    def window(self, chat_id: int) -> _Window:
        if chat_id not in self.windows:
            private = chat_id > 0
            limit = self.per_chat_per_sec if private else self.per_group_per_min
            self.windows[chat_id] = _Window(limit, 1.0 if private else 60.0)
        return self.windows[chat_id]


class Faults:
    """What the next calls should suffer; FakeBotAPI exposes these methods as its own."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()
        self._rates: _Rates | None = None

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" for any) with an error, no effect."""
        self._faults.append(_Fault(method, status, retry_after, times, description, chat_id))

    def block(self, chat_id: int) -> None:
        """Every call to this chat gets 403, like a user who blocked the bot."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def enforce_rate(
        self, global_per_sec: int = 30, per_chat_per_sec: int = 1, per_group_per_min: int = 20
    ) -> None:
        """Bot API flood limits as sliding windows; a send over them gets 429 + retry_after."""
        self._rates = _Rates(_Window(global_per_sec, 1.0), per_chat_per_sec, per_group_per_min)

    def relax_rate(self) -> None:
        self._rates = None

    def check(self, method: str, params: dict[str, Any]) -> None:
        """Raise the ApiError Telegram would answer this call with, if any."""
        chat_id = params.get("chat_id")
        for fault in self._faults:
            if fault.method in (method, "*") and fault.chat_id in (None, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                raise _fault_error(fault)
        if chat_id in self._blocked:
            raise ApiError(
                403,
                "Forbidden: bot was blocked by the user"
                if chat_id > 0
                else "Forbidden: bot was kicked from the group chat",
            )
        if self._rates is not None and method in SEND_METHODS and isinstance(chat_id, int):
            self._check_rate(self._rates, chat_id)

    def _check_rate(self, rates: _Rates, chat_id: int) -> None:
        """Count only sends that pass, so a client honouring retry_after gets through."""
        window = rates.window(chat_id)
        now = time.monotonic()
        wait = max(rates.total.retry_after(now), window.retry_after(now))
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        rates.total.events.append(now)
        window.events.append(now)


def _fault_error(fault: _Fault) -> ApiError:
    if fault.status == 429:
        description = fault.description or f"Too Many Requests: retry after {fault.retry_after}"
        return ApiError(429, description, retry_after=fault.retry_after)
    description = fault.description or DEFAULT_DESCRIPTIONS.get(fault.status, "Error")
    return ApiError(fault.status, description)
