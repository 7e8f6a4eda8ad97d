"""The Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from greenbot.migrate import MIGRATIONS, include_name, upgrade
from greenbot.models import import_all_models
from ground.db import Base, create_engine
from tests.conftest import postgres_available, private_postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[AsyncEngine]:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}")
        yield engine
        await engine.dispose()
        return
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    async with private_postgres_schema("m") as engine:
        yield engine


def _differences(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return compare_metadata(context, Base.metadata)


def test_the_project_has_an_initial_revision() -> None:
    assert any((MIGRATIONS / "versions").glob("[!_]*.py"))


async def test_upgrading_an_empty_database_gives_every_table_of_the_models(
    empty_database: AsyncEngine,
) -> None:
    import_all_models()
    await upgrade(empty_database)
    async with empty_database.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        differences = await conn.run_sync(_differences)
    assert set(Base.metadata.tables) <= tables
    assert differences == []


async def test_upgrading_twice_changes_nothing(empty_database: AsyncEngine) -> None:
    await upgrade(empty_database)
    await upgrade(empty_database)
    async with empty_database.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    assert version
