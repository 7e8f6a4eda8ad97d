"""How much one source address may do in the sandbox: messages, button presses, new visitor
ids and reports, each counted in fixed windows in the app database (`sandbox_counters`), so
every instance behind the proxy counts together and a new cookie starts nothing afresh.

The source is the client address (`web/addresses.py`: X-Forwarded-For only from a trusted
proxy), an IPv6 address counted by its /64 (what one subscriber gets), kept only as an HMAC
keyed by the session secret (a plain hash of an IPv4 address is undone by trying them all).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from web.auth import session_secret
from web.sandbox.models import SandboxCounter

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock
    from ground.settings import Settings

log = logging.getLogger(__name__)

MESSAGE, PRESS, VISITOR, REPORT = "message", "press", "visitor", "report"
KEEP_COUNTERS_SECONDS = 2 * 86400  # longer than any window


@dataclass(frozen=True)
class Limit:
    count: int  # at most this many per window; 0 turns the limit off
    seconds: int


class TooBusy(Exception):
    """One source did `kind` too often; it may try again in `retry_after` seconds."""

    def __init__(self, kind: str, retry_after: int) -> None:
        super().__init__(f"sandbox limit on {kind}s reached")
        self.kind, self.retry_after = kind, retry_after


def source_of(address: str | None, *, key: bytes) -> str:
    """The counters' key for a client address: its /64 for IPv6, as an HMAC."""
    source = address or "unknown"
    try:
        parsed = ipaddress.ip_address(source)
    except ValueError:
        parsed = None
    if isinstance(parsed, ipaddress.IPv6Address):
        mapped = parsed.ipv4_mapped
        source = str(mapped) if mapped else str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return hmac.new(key, source.encode(), hashlib.sha256).hexdigest()[:32]


class Limits:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        limits: dict[str, Limit],
        *,
        key: bytes,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.limits = limits
        self.key = key

    @classmethod
    def from_settings(
        cls, settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
    ) -> Limits:
        return cls(
            sessions,
            clock,
            {
                MESSAGE: Limit(settings.sandbox_messages_per_minute, 60),
                PRESS: Limit(settings.sandbox_presses_per_minute, 60),
                VISITOR: Limit(settings.sandbox_visitors_per_hour, 3600),
                REPORT: Limit(settings.sandbox_reports_per_hour, 3600),
            },
            key=hashlib.sha256(f"sandbox-limits:{session_secret(settings)}".encode()).digest(),
        )

    def source(self, address: str | None) -> str:
        return source_of(address, key=self.key)

    async def hit(self, source: str, kind: str) -> None:
        """Count one `kind` for `source`; TooBusy when that goes over its limit (a refused
        attempt counts too, so a flood gets no second chance within the window)."""
        limit = self.limits[kind]
        if limit.count <= 0:
            return
        now = int(self.clock.now().timestamp())
        window = now - now % limit.seconds
        async with self.sessions() as session, session.begin():
            count = await _increment(session, source, kind, window)
            if kind == VISITOR and count == 1:  # now and then: forget finished windows
                await session.execute(
                    delete(SandboxCounter).where(
                        SandboxCounter.window_start < now - KEEP_COUNTERS_SECONDS
                    )
                )
        if count > limit.count:
            if count == limit.count + 1:
                log.info("sandbox: a source reached its limit on %ss", kind)
            raise TooBusy(kind, retry_after=window + limit.seconds - now)


async def _increment(session: AsyncSession, source: str, kind: str, window: int) -> int:
    """One atomic upsert (SQLite and PostgreSQL): the window's count after this hit."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(SandboxCounter)
        .values(source=source, kind=kind, window_start=window, count=1)
        .on_conflict_do_update(
            index_elements=["source", "kind", "window_start"],
            set_={"count": SandboxCounter.count + 1},
        )
        .returning(SandboxCounter.count)
    )
    return int((await session.execute(statement)).scalar_one())
