"""Which district a typed address or a shared location is in, to propose it to the citizen (who
confirms or picks another): a name the address contains, or the outline a point falls in.

Names known, in order of trust: the districts' full names (碧江区), their short forms (碧江,
玉屏县, 高新区, 大龙), and the townships and streets (乡镇、街道) of each district from
`data/townships.csv` (source in `data/README.md`), with or without their ethnic qualifier
(滑石侗族苗族土家族乡 → 滑石乡) and, where a stem is unique in Tongren and at least two
characters, without 乡/镇/街道 (川硐, 锦江). The first name in the text wins within a tier.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from reports.districts import DISTRICTS
from reports.outlines import district_at

TOWNSHIPS = Path(__file__).with_name("data") / "townships.csv"

SHORT_FORMS: dict[str, str] = {
    "碧江": "碧江区",
    "万山": "万山区",
    "江口": "江口县",
    "玉屏": "玉屏侗族自治县",
    "石阡": "石阡县",
    "思南": "思南县",
    "印江": "印江土家族苗族自治县",
    "德江": "德江县",
    "沿河": "沿河土家族自治县",
    "松桃": "松桃苗族自治县",
    "铜仁高新": "铜仁高新区",
    "高新区": "铜仁高新区",
    "高新技术产业开发区": "铜仁高新区",
    "大龙开发区": "大龙开发区",
    "大龙经济开发区": "大龙开发区",
    "大龙": "大龙开发区",
}
# 大龙街道 lies in Yuping but the 大龙开发区 administers it: reports from there go to the zone.
ADMINISTERED_BY_ZONE: dict[str, str] = {"大龙街道": "大龙开发区"}

_ETHNIC = re.compile(r"(?:侗族|苗族|土家族|仡佬族)+(?=乡$)")
_SUFFIX = re.compile(r"(街道|镇|乡)$")


def township_names(path: Path = TOWNSHIPS) -> tuple[dict[str, str], dict[str, str]]:
    """The names townships go by → their district: full names (and without the ethnic
    qualifier), then the stems unique in Tongren (a weaker sign, so a tier of their own)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["township"], row["district"]) for row in csv.DictReader(handle)]
    names: dict[str, str] = {}
    stems: dict[str, set[str]] = {}
    for township, district in rows:
        district = ADMINISTERED_BY_ZONE.get(township, district)
        plain = _ETHNIC.sub("", township)
        names[township] = names[plain] = district
        stems.setdefault(_SUFFIX.sub("", plain), set()).add(district)
    unique = {
        stem: next(iter(districts))
        for stem, districts in stems.items()
        if len(districts) == 1 and len(stem) >= 2 and stem not in SHORT_FORMS
    }
    return names, unique


@cache
def _tiers() -> tuple[dict[str, str], ...]:
    full = {name: name for name in DISTRICTS}
    return (full, SHORT_FORMS, *township_names())


def _first_named(text: str, names: dict[str, str]) -> str | None:
    """The district of the name that appears earliest (the longest name at a position)."""
    best: tuple[int, int, str] | None = None
    for name, district in names.items():
        at = text.find(name)
        if at >= 0 and (best is None or (at, -len(name)) < best[:2]):
            best = (at, -len(name), district)
    return best[2] if best else None


def district_named(text: str) -> str | None:
    """The district an address names, by any name it goes by; None when none is found."""
    text = "".join(text.split())
    for names in _tiers():
        if found := _first_named(text, names):
            return found
    return None


def propose(*, address: str | None, lat: float | None, lon: float | None) -> tuple[str, str] | None:
    """The district to propose and what it comes from (`point` or `address`): a shared point's
    outline first, else a name in the typed address; None when neither says (a point outside
    Tongren, an address naming no place we know)."""
    if lat is not None and lon is not None and (found := district_at(lat, lon)):
        return found, "point"
    if address and (found := district_named(address)):
        return found, "address"
    return None
