"""The console's login throttle, after OWASP's Authentication Cheat Sheet: failures are counted
per account name (names that match no account too) and per source address, in the database so
every instance shares them. Past a few free failures each further one makes the next attempt
wait twice as long (1, 2, 4 … seconds, capped): a delay, never a lockout, so the right password
is accepted as soon as the wait has passed.

An attempt is counted before its password is checked (`claim`, committed at once) and taken
back when it succeeds, so a burst of parallel guesses cannot all slip in before the first is
counted, and a waiting attempt costs no password hash.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from staff.models import LoginCounter

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

NAME, ADDRESS = "name", "address"


@dataclass(frozen=True)
class ThrottlePolicy:
    free_per_name: int = 5
    free_per_address: int = 20  # several staff may share an office's one public address
    max_delay: float = 300.0  # seconds
    forget_after: timedelta = timedelta(hours=1)  # this long without a failure: start again

    def delay(self, failures: int, *, kind: str) -> float:
        """Seconds the next attempt waits after `failures` failures in a row."""
        free = self.free_per_name if kind == NAME else self.free_per_address
        if failures < free:
            return 0.0
        return min(self.max_delay, 2.0 ** min(failures - free, 30))


def address_prefix(address: str) -> str:
    """What one source is: the address, or its /64 for IPv6 (one subscriber gets a /64)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class LoginThrottle:
    """The caller's session owns the transaction; `claim` wants one of its own."""

    def __init__(self, session: AsyncSession, policy: ThrottlePolicy, *, pepper: bytes) -> None:
        self.session = session
        self.policy = policy
        self.pepper = pepper

    async def claim(self, name: str, address: str | None, *, now: datetime) -> int:
        """Seconds to wait before this attempt may be checked (rounded up); 0: go ahead, and
        it counts as a failure unless `succeeded` follows."""
        keys = self._keys(name, address)
        await self._ensure(keys, now)
        stmt = select(LoginCounter).where(LoginCounter.key.in_(keys.values())).with_for_update()
        counters = list(await self.session.scalars(stmt))
        wait = max(
            ((c.blocked_until - now).total_seconds() for c in counters if c.blocked_until),
            default=0.0,
        )
        if wait > 0:
            return math.ceil(wait)
        for counter in counters:
            counter.failures += 1
            counter.last_failure_at = now
            delay = self.policy.delay(counter.failures, kind=counter.kind)
            counter.blocked_until = now + timedelta(seconds=delay) if delay else None
        await self.session.flush()
        return 0

    async def succeeded(self, name: str, address: str | None) -> None:
        """The claimed attempt was right: forget the name's failures, take the attempt back
        from the address (its other failures stay counted)."""
        keys = self._keys(name, address)
        await self.session.execute(delete(LoginCounter).where(LoginCounter.key == keys[NAME]))
        if ADDRESS in keys:
            counter = await self.session.get(LoginCounter, keys[ADDRESS])
            if counter is not None:
                counter.failures = max(0, counter.failures - 1)
                counter.blocked_until = None
        await self.session.flush()

    def _keys(self, name: str, address: str | None) -> dict[str, str]:
        keys = {NAME: self._key(NAME, name.strip().casefold())}
        if address:
            keys[ADDRESS] = self._key(ADDRESS, address_prefix(address))
        return keys

    def _key(self, kind: str, value: str) -> str:
        return hmac.new(self.pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    async def _ensure(self, keys: dict[str, str], now: datetime) -> None:
        """A counter row per key, made without a race between instances (on SQLite this takes
        the write lock before the counters are read); counters quiet for `forget_after` start
        again from zero."""
        quiet = now - self.policy.forget_after
        await self.session.execute(
            delete(LoginCounter).where(LoginCounter.last_failure_at <= quiet)
        )
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        rows = [
            {"key": key, "kind": kind, "failures": 0, "last_failure_at": now}
            for kind, key in keys.items()
        ]
        await self.session.execute(insert(LoginCounter).values(rows).on_conflict_do_nothing())
