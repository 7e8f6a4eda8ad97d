"""The composition root builds each long-lived object once: the console's photo store and
routing are those of the report use cases it shares with the bot (the console keeps no copy)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker

from greenbot.root import create_web_app, report_services
from ground.clock import SystemClock
from ground.settings import Settings

SESSIONS = async_sessionmaker()  # never opened: building the app touches no database


def test_the_console_uses_the_report_services_the_root_built(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, web_sandbox=False)  # type: ignore[call-arg]
    shared = report_services(settings, SystemClock())
    app = create_web_app(settings, sessions=SESSIONS, reports=shared)
    assert app.state.reports is shared
    assert not hasattr(app.state.console, "media")  # one photo store, the services'


def test_a_console_without_given_services_builds_them_once(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, web_sandbox=False)  # type: ignore[call-arg]
    app = create_web_app(settings, sessions=SESSIONS)
    services = app.state.reports
    assert services.media.root == settings.media_dir
    assert services.limits.reports_per_day == settings.reports_per_day
