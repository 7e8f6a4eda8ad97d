"""Bring a database to the current schema with Alembic (run at start-up and by tests)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import types
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Our TypeDecorators (aware datetimes) are written as their impl: a revision must not
    import application code, which may move."""
    if type_ == "type" and isinstance(obj, types.TypeDecorator):
        impl = obj.impl if isinstance(obj.impl, types.TypeEngine) else obj.impl()
        return f"sa.{impl!r}"
    return False


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Tables that are not ours (`apscheduler_jobs`, left by the scheduler's former persistent
    job store in older databases) are left alone."""
    if type_ == "table":
        from ground.db import Base

        return name in Base.metadata.tables
    return True


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade over an existing engine, so a test's private schema or SQLite file is the one
    migrated. Alembic is synchronous: it runs inside the connection's greenlet."""

    def run(connection) -> None:  # type: ignore[no-untyped-def]
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


def upgrade_url(url: str) -> None:
    asyncio.run(_upgrade_url(url))


async def _upgrade_url(url: str) -> None:
    from ground.db import create_engine

    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def prepare_database(database: AsyncEngine) -> None:
    """Alembic when the project has a revision; until then create the tables from the models."""
    if any((MIGRATIONS / "versions").glob("[!_]*.py")):
        await upgrade(database)
        return
    from greenbot.models import import_all_models
    from ground.db import Base

    log.warning("no Alembic revision yet: creating missing tables with create_all")
    import_all_models()
    async with database.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
