"""Tongren's districts and counties, plus the two zones the plan addresses as peers.

Source: the plan's addressees, 各区、县、自治县人民政府，铜仁高新区、大龙开发区管委会.
"""

from __future__ import annotations

from reports.errors import InvalidReport

DISTRICTS: tuple[str, ...] = (
    "碧江区",
    "万山区",
    "江口县",
    "玉屏侗族自治县",
    "石阡县",
    "思南县",
    "印江土家族苗族自治县",
    "德江县",
    "沿河土家族自治县",
    "松桃苗族自治县",
    "铜仁高新区",
    "大龙开发区",
)

_KNOWN = frozenset(DISTRICTS)


def check_district(name: str) -> str:
    """Return the district name as stored, or raise InvalidReport when it is not on the list."""
    cleaned = name.strip()
    if cleaned not in _KNOWN:
        raise InvalidReport(f"unknown district: {name!r}")
    return cleaned
