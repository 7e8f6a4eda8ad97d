"""A module-level job for scheduler tests (APScheduler pickles a reference to it)."""

from __future__ import annotations

calls: list[str] = []


async def record(key: str) -> None:
    calls.append(key)
