"""An offline map of Tongren as geometry for inline SVG (`templates/map.html` draws it): the ten
districts' outlines from `reports.outlines` (simplified, so labelled 示意图), the two zones as
marks, reports as points. No tiles and no script: it scales with the page, down to a phone.

Projection: equirectangular, longitude shrunk by cos(mid latitude) so shapes keep their
proportions at Tongren's latitude (27–29°N); plenty for a county-level overview.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from reports.outlines import ZONE_MARKS, Outline, Ring, bounds, outlines

WIDTH = 600
PAD = 12
# Short names for labels: a district's full name is too long for a phone-sized map.
SHORT = {
    "碧江区": "碧江",
    "万山区": "万山",
    "江口县": "江口",
    "玉屏侗族自治县": "玉屏",
    "石阡县": "石阡",
    "思南县": "思南",
    "印江土家族苗族自治县": "印江",
    "德江县": "德江",
    "沿河土家族自治县": "沿河",
    "松桃苗族自治县": "松桃",
    "铜仁高新区": "高新区",
    "大龙开发区": "大龙",
}
SHADES = ("#eef5ea", "#d3e8c9", "#a9d39a", "#7cbd6b", "#4f9f45")  # none → most reports


@dataclass(frozen=True)
class Area:
    name: str
    short: str
    path: str  # SVG path data
    label: tuple[float, float]
    count: int | None  # reports in it, where the map counts them
    shade: str


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str
    href: str | None = None


@dataclass(frozen=True)
class DistrictMap:
    title: str
    width: int
    height: int
    areas: tuple[Area, ...]
    zones: tuple[Mark, ...]
    points: tuple[Mark, ...]
    note: str


@dataclass(frozen=True)
class _Frame:
    west: float
    north: float
    scale: float  # SVG units per degree of latitude
    squeeze: float  # cos(mid latitude)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = PAD + (lon - self.west) * self.squeeze * self.scale
        y = PAD + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)


@cache
def _frame() -> tuple[_Frame, int]:
    west, south, east, north = bounds()
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 2 * PAD) / ((east - west) * squeeze)
    height = math.ceil((north - south) * scale + 2 * PAD)
    return _Frame(west, north, scale, squeeze), height


def _path(rings: Iterable[Ring], frame: _Frame) -> str:
    parts = []
    for ring in rings:
        points = [frame.xy(lon, lat) for lon, lat in ring]
        parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
    return "".join(parts)


def _label_point(outline: Outline, frame: _Frame) -> tuple[float, float]:
    """The area-weighted centroid of the largest polygon's outer ring (shoelace formula)."""
    outer = max((polygon[0] for polygon in outline.polygons), key=lambda ring: abs(_area(ring)))
    area = _area(outer)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(outer, outer[1:] + outer[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return frame.xy(cx / (6 * area), cy / (6 * area))


def _area(ring: Ring) -> float:
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs) / 2


def _shade(count: int | None, most: int) -> str:
    if not count or not most:
        return SHADES[0]
    return SHADES[1 + min(len(SHADES) - 2, (count - 1) * (len(SHADES) - 1) // most)]


def draw(
    title: str,
    *,
    points: Iterable[tuple[float, float, str, str | None]] = (),
    counts: Mapping[str, int] | None = None,
    highlight: str | None = None,
) -> DistrictMap:
    """The map with `points` (lat, lon, label, link) on it and, given `counts` by district,
    each district shaded and labelled with its count; or one district (`highlight`) shaded.
    Points outside the frame are dropped."""
    frame, height = _frame()
    most = max(counts.values(), default=0) if counts else 0
    areas = tuple(
        Area(
            name=outline.name,
            short=SHORT.get(outline.name, outline.name),
            path=_path(outline.rings(), frame),
            label=_label_point(outline, frame),
            count=counts.get(outline.name, 0) if counts is not None else None,
            shade=SHADES[2]
            if outline.name == highlight
            else _shade(counts.get(outline.name, 0) if counts else None, most),
        )
        for outline in outlines()
    )
    zones = tuple(
        Mark(*frame.xy(lon, lat), label=_zone_label(name, counts))
        for name, (lon, lat) in ZONE_MARKS.items()
    )
    marks = []
    for lat, lon, label, href in points:
        x, y = frame.xy(lon, lat)
        if 0 <= x <= WIDTH and 0 <= y <= height:
            marks.append(Mark(x, y, label, href))
    note = "示意图：区县边界经简化，高新区、大龙开发区为示意位置。"
    return DistrictMap(title, WIDTH, height, areas, zones, tuple(marks), note)


def _zone_label(name: str, counts: Mapping[str, int] | None) -> str:
    short = SHORT.get(name, name)
    return f"{short} {counts.get(name, 0)}" if counts is not None else short
