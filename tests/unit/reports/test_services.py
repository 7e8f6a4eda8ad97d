"""One factory for the ReportService of a transaction, and the daily limit asked once."""

from __future__ import annotations

import pytest

from reports import Limits, TooManyReports
from reports.service import ReportServices
from tests.unit.reports.conftest import report_input


async def test_the_factory_builds_services_with_its_limits_that_start_and_submit_agree_on(
    session, clock, media
) -> None:
    services = ReportServices(clock=clock, media=media, limits=Limits(reports_per_day=2))
    service = services(session)
    assert (service.limits, service.media, service.clock) == (Limits(2), media, clock)
    assert service.routing.departments  # routing.yaml, read by default
    for _ in range(2):
        assert not await service.at_daily_limit(1001)
        await service.submit(**report_input())
    assert await service.at_daily_limit(1001)
    assert not await service.at_daily_limit(1002)
    with pytest.raises(TooManyReports):
        await service.submit(**report_input())
    clock.advance(days=1)  # a new Asia/Shanghai calendar day
    assert not await service.at_daily_limit(1001)
