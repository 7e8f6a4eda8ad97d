"""What a citizen can report: stable English codes (stored, exported) and their Chinese names."""

from __future__ import annotations

from enum import StrEnum

from reports.errors import InvalidReport


class Category(StrEnum):
    AIR = "air"
    WATER = "water"
    NOISE = "noise"
    WASTE = "waste"
    VOC = "voc"
    ENERGY = "energy"
    BURNING = "burning"
    OTHER = "other"


CATEGORY_NAMES: dict[Category, str] = {
    Category.AIR: "大气/扬尘",
    Category.WATER: "水污染",
    Category.NOISE: "噪声",
    Category.WASTE: "固体废物/垃圾",
    Category.VOC: "挥发性有机物/异味",
    Category.ENERGY: "能源浪费",
    Category.BURNING: "露天焚烧",
    Category.OTHER: "其他",
}

_BY_NAME = {name: category for category, name in CATEGORY_NAMES.items()}


def category_name(category: Category | str) -> str:
    """The Simplified Chinese name shown to citizens and staff."""
    return CATEGORY_NAMES[Category(category)]


def parse_category(value: Category | str) -> Category:
    """Accept a code (`air`) or a Chinese name (`大气/扬尘`); InvalidReport otherwise."""
    if isinstance(value, Category):
        return value
    text = value.strip()
    if text in _BY_NAME:
        return _BY_NAME[text]
    try:
        return Category(text.lower())
    except ValueError:
        raise InvalidReport(f"unknown category: {value!r}") from None
