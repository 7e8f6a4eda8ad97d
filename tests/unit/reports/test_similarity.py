"""Is it already reported? Same category within 100 m, or alike text in the same district."""

from __future__ import annotations

from ground.clock import ManualClock
from reports import ReportService, Status, haversine_m, text_similarity
from tests.unit.reports.conftest import STAFF, report_input

LAT, LON = 27.7183, 109.1894
METRE_LAT = 1 / 111_195  # degrees of latitude per metre, near enough


def test_haversine_measures_metres() -> None:
    assert abs(haversine_m(LAT, LON, LAT + 100 * METRE_LAT, LON) - 100) < 0.5


def test_text_similarity_ignores_punctuation_and_width() -> None:
    assert text_similarity("河里有油污！", "河里有油污") == 1.0
    assert text_similarity("夜间施工噪音", "河里有油污") == 0.0


async def test_a_report_of_the_same_category_within_100_metres_is_similar(
    service: ReportService,
) -> None:
    nearby = await service.submit(**report_input(description="工地扬尘"))

    close = await service.find_similar("air", LAT + 80 * METRE_LAT, LON, "万山区", "完全不同的话")
    far = await service.find_similar("air", LAT + 150 * METRE_LAT, LON, "万山区", "完全不同的话")
    other = await service.find_similar("noise", LAT, LON, "碧江区", "工地扬尘")

    assert [s.report.ticket for s in close] == [nearby.ticket]
    assert close[0].distance_m is not None and 79 < close[0].distance_m < 81
    assert far == [] and other == []


async def test_a_report_in_the_same_district_with_alike_text_is_similar(
    service: ReportService,
) -> None:
    text = "锦江路工地扬尘严重，运输车辆带泥上路"
    existing = await service.submit(**report_input(lat=None, lon=None, address="锦江路"))

    alike = await service.find_similar("air", None, None, "碧江区", text + "！！")
    elsewhere = await service.find_similar("air", None, None, "江口县", text)
    unlike = await service.find_similar("air", None, None, "碧江区", "锦江路有人烧烤冒烟")

    assert [s.report.ticket for s in alike] == [existing.ticket]
    assert alike[0].text_score >= 0.6
    assert elsewhere == [] and unlike == []


async def test_reports_older_than_seven_days_or_rejected_are_not_similar(
    service: ReportService, clock: ManualClock
) -> None:
    await service.submit(**report_input())
    rejected = await service.submit(**report_input(user_id=2, description="另一份"))
    await service.change_status(rejected.ticket, Status.REJECTED, by=STAFF, note="不属实")
    clock.advance(days=6, hours=23)
    assert [
        s.report.ticket for s in await service.find_similar("air", LAT, LON, "碧江区", "扬尘")
    ] == ["TR-2611-0001"]

    clock.advance(hours=2)
    assert await service.find_similar("air", LAT, LON, "碧江区", "扬尘") == []
