"""Ticket numbers a citizen can read off a phone: `TR-2611-0042` (year, month, sequence).

The month is taken in Asia/Shanghai. The sequence comes from an upsert on the month's counter
row in the caller's transaction: PostgreSQL locks the row until commit, SQLite takes the write
lock (waiting out the busy timeout), so concurrent submissions never share a number.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ground.clock import SHANGHAI
from reports.models import TicketCounter

PREFIX = "TR"
TICKET_PATTERN = re.compile(r"^TR-\d{4}-\d{4,}$")


def month_key(moment: datetime) -> str:
    """`2611` for November 2026, in Shanghai time."""
    return moment.astimezone(SHANGHAI).strftime("%y%m")


def format_ticket(month: str, sequence: int) -> str:
    return f"{PREFIX}-{month}-{sequence:04d}"


def normalise_ticket(text: str) -> str:
    """Accept what a citizen types (`tr-2611-0042`, spaces, full-width dash) as a ticket."""
    return text.strip().upper().replace("－", "-").replace("—", "-").replace(" ", "")


async def next_ticket(session: AsyncSession, moment: datetime) -> str:
    """Reserve the next ticket of `moment`'s month; rolls back with the caller's transaction."""
    month = month_key(moment)
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(TicketCounter).values(month=month, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[TicketCounter.month], set_={"last": TicketCounter.last + 1}
    ).returning(TicketCounter.last)
    sequence = (await session.execute(stmt)).scalar_one()
    return format_ticket(month, sequence)
