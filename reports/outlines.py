"""Outlines of Tongren's ten districts and counties, shipped as data (`data/districts.geojson`,
source and licence in `data/README.md`), and which one a point falls in.

Coordinates are (longitude, latitude) as GeoJSON has them, in degrees. The outlines are
simplified to about 120 m, so a point within that of a border may fall in a neighbour or in
a sliver between two: the citizen confirms the district proposed from a point. The two zones
(铜仁高新区, 大龙开发区) are no administrative areas and have no outline; `ZONE_MARKS` places
them on a map approximately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "districts.geojson"

Point = tuple[float, float]  # (lon, lat)
Ring = tuple[Point, ...]

# Where the zones sit, approximately (lon, lat): 铜仁高新区 south of Bijiang's centre, 大龙开发区
# around 大龙街道 in the east of Yuping. For a map's label, never for deciding a district.
ZONE_MARKS: dict[str, Point] = {
    "铜仁高新区": (109.16, 27.66),
    "大龙开发区": (109.03, 27.27),
}


@dataclass(frozen=True)
class Outline:
    """One district: its polygons, each an outer ring followed by its holes."""

    name: str
    code: str
    polygons: tuple[tuple[Ring, ...], ...]

    def contains(self, lon: float, lat: float) -> bool:
        return any(in_polygon(lon, lat, polygon) for polygon in self.polygons)

    def rings(self) -> tuple[Ring, ...]:
        return tuple(ring for polygon in self.polygons for ring in polygon)


def in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting: a ray eastwards from the point crosses the ring an odd number of
    times when the point is inside."""
    inside = False
    x, y = lon, lat
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def in_polygon(lon: float, lat: float, polygon: tuple[Ring, ...]) -> bool:
    """Inside the outer ring and outside every hole."""
    outer, *holes = polygon
    return in_ring(lon, lat, outer) and not any(in_ring(lon, lat, hole) for hole in holes)


@cache
def outlines(path: Path = DATA) -> tuple[Outline, ...]:
    """The shipped outlines, read once per process."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        found.append(
            Outline(
                name=feature["properties"]["name"],
                code=str(feature["properties"].get("code", "")),
                polygons=tuple(
                    tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
                    for polygon in polygons
                ),
            )
        )
    return tuple(found)


def district_at(lat: float, lon: float) -> str | None:
    """The district a point lies in, or None outside Tongren (or in a sliver between two)."""
    for outline in outlines():
        if outline.contains(lon, lat):
            return outline.name
    return None


def bounds() -> tuple[float, float, float, float]:
    """(west, south, east, north) of all outlines: the frame of a map."""
    points = [point for outline in outlines() for ring in outline.rings() for point in ring]
    lons = [lon for lon, _ in points]
    lats = [lat for _, lat in points]
    return min(lons), min(lats), max(lons), max(lats)
