"""`greenbot reports …` files and moves reports with the ReportServices the composition root
builds (greenbot/root.py, `Wiring.report_services`), not with one of its own."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from greenbot.cli import app
from greenbot.root import Wiring
from ground.clock import ManualClock, SystemClock
from tests.e2e.report_steps import seed_report
from tests.support.bot_rig import create_database

if TYPE_CHECKING:
    from ground.settings import Settings
    from reports.service import ReportServices

RETENTION_DAYS = 30


class YearLater(Wiring):
    """The root's wiring, its reports' clock a year ahead: what the command clears shows whose
    services it used."""

    def __init__(self) -> None:
        self.asked: list[Settings] = []

    def report_services(self, settings: Settings) -> ReportServices:
        self.asked.append(settings)
        services = super().report_services(settings)
        later = ManualClock(SystemClock().now() + timedelta(days=365))
        return dataclasses.replace(services, clock=later)


def purge(tmp_path: Path, wiring: Wiring | None) -> tuple[int, str]:
    env = {
        "GREENBOT_DATA_DIR": str(tmp_path),
        "GREENBOT_DATABASE_URL": "",
        "GREENBOT_REPORT_RETENTION_DAYS": str(RETENTION_DAYS),
    }
    result = CliRunner().invoke(app, ["reports", "purge-contacts"], env=env, obj=wiring)
    return result.exit_code, result.output


def file_a_report_with_a_phone(tmp_path: Path) -> None:
    async def seed() -> None:
        sessions = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'greenbot.db'}")
        await seed_report(sessions, tmp_path, phone="13912345678")
        await sessions.kw["bind"].dispose()

    asyncio.run(seed())


def test_purge_contacts_uses_the_roots_report_services(tmp_path: Path) -> None:
    file_a_report_with_a_phone(tmp_path)
    assert purge(tmp_path, Wiring()) == (0, "cleared the phone number of 0 reports\n")
    later = YearLater()
    assert purge(tmp_path, later) == (0, "cleared the phone number of 1 reports\n")
    [settings] = later.asked
    assert settings.report_retention_days == RETENTION_DAYS


def test_a_reports_command_without_the_root_says_how_to_start(tmp_path: Path) -> None:
    file_a_report_with_a_phone(tmp_path)
    code, output = purge(tmp_path, None)
    assert code != 0 and "greenbot.root:main" in output
