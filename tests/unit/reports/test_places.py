"""The district read from a typed address or a shared point (reports/places.py), and the
point-in-polygon under it (reports/outlines.py), on the shipped data."""

from __future__ import annotations

import pytest

from reports import DISTRICTS
from reports.outlines import bounds, district_at, in_polygon, in_ring, outlines
from reports.places import district_named, propose, township_names

SQUARE = ((0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0))
HOLE = ((1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0), (1.0, 1.0))


def test_ray_casting_tells_inside_from_outside_and_respects_holes() -> None:
    assert in_ring(2.0, 2.0, SQUARE) and not in_ring(5.0, 2.0, SQUARE)
    assert not in_ring(2.0, -0.1, SQUARE)
    assert in_polygon(0.5, 0.5, (SQUARE, HOLE))  # in the square, outside the hole
    assert not in_polygon(2.0, 2.0, (SQUARE, HOLE))  # in the hole
    concave = ((0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 1.0), (0.0, 4.0), (0.0, 0.0))
    assert not in_ring(2.0, 3.0, concave) and in_ring(1.0, 1.0, concave)


def test_the_shipped_outlines_are_the_ten_districts_and_counties_around_tongren() -> None:
    names = {outline.name for outline in outlines()}
    assert names == set(DISTRICTS[:10])  # the two zones have no outline of their own
    west, south, east, north = bounds()
    assert 107.5 < west < east < 109.7 and 27.0 < south < north < 29.2


@pytest.mark.parametrize(
    ("lat", "lon", "district"),
    [
        (27.7183, 109.1910, "碧江区"),  # near the city government
        (27.5190, 109.2136, "万山区"),
        (27.2380, 108.9063, "玉屏侗族自治县"),
        (28.2639, 108.1198, "德江县"),
        (28.5638, 108.5030, "沿河土家族自治县"),
        (28.1541, 109.2026, "松桃苗族自治县"),
        (26.5800, 106.7100, None),  # Guiyang: outside Tongren
        (30.0, 110.0, None),
    ],
)
def test_a_point_is_placed_in_the_district_whose_outline_holds_it(
    lat: float, lon: float, district: str | None
) -> None:
    assert district_at(lat, lon) == district


@pytest.mark.parametrize(
    ("address", "district"),
    [
        ("碧江区锦江北路 12 号附近", "碧江区"),
        ("玉屏县 平溪街道", "玉屏侗族自治县"),  # a short form of the county
        ("松桃县城 蓼皋街道", "松桃苗族自治县"),
        ("高新区管委会对面", "铜仁高新区"),
        ("大龙开发区 工业园", "大龙开发区"),
        ("大龙街道 河边", "大龙开发区"),  # in Yuping, administered by the zone
        ("滑石乡政府旁的小河", "碧江区"),  # 滑石侗族苗族土家族乡, without the qualifier
        ("木黄镇 中学后面", "印江土家族苗族自治县"),  # a township only
        ("川硐教育园区门口", "碧江区"),  # a unique stem, without 街道
        ("太平营街道 菜市场", "松桃苗族自治县"),  # not 江口's 太平镇
        ("和平街道", "沿河土家族自治县"),
        ("万山区谢桥街道，离碧江区很近", "万山区"),  # the first named
        ("火车站旁边的垃圾堆", None),
        ("", None),
    ],
)
def test_a_typed_address_names_its_district(address: str, district: str | None) -> None:
    assert district_named(address) == district


def test_an_ambiguous_township_stem_names_no_district() -> None:
    _, stems = township_names()
    assert "和平" not in stems  # 碧江区's 和平乡 and 沿河's 和平街道
    assert district_named("和平村口") is None


def test_a_point_is_trusted_before_the_address_typed_with_it() -> None:
    assert propose(address="万山区", lat=27.7183, lon=109.1910) == ("碧江区", "point")
    assert propose(address="万山区", lat=None, lon=None) == ("万山区", "address")
    assert propose(address="万山区", lat=30.0, lon=110.0) == ("万山区", "address")
    assert propose(address="门口", lat=None, lon=None) is None
