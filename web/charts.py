"""Bar charts as geometry for inline SVG (`templates/charts.html` draws them): no script, no
resource from outside this machine, readable with CSS off (each chart also has its table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 190
VALUE_WIDTH = 56
ROW = 26
BAR = 18
PAD = 6
PALETTE = ("#2e7d32", "#c62828", "#f9a825", "#90a4ae", "#1565c0", "#6a1b9a")


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    color: str
    label: str
    value: int


@dataclass(frozen=True)
class Row:
    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]

    @property
    def text_y(self) -> float:
        return self.y + BAR - 4


@dataclass(frozen=True)
class BarChart:
    title: str
    rows: tuple[Row, ...]
    legend: tuple[tuple[str, str], ...]  # (color, name) for stacked charts
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return max(1, len(self.rows)) * ROW + 2 * PAD

    @property
    def value_x(self) -> int:
        return self.width - VALUE_WIDTH + 6

    @property
    def empty(self) -> bool:
        return not any(row.total for row in self.rows)


def bars(title: str, data: Sequence[tuple[str, int]], color: str = PALETTE[0]) -> BarChart:
    """One bar per (label, value)."""
    return stacked(title, [(label, [value]) for label, value in data], [("", color)])


def stacked(
    title: str,
    data: Sequence[tuple[str, Sequence[int]]],
    parts: Sequence[tuple[str, str]],
) -> BarChart:
    """One bar per label, split into `parts` (name, color) in order; scaled to the longest."""
    longest = max((sum(values) for _, values in data), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for n, (label, values) in enumerate(data):
        x = float(LABEL_WIDTH)
        segments = []
        for (name, color), value in zip(parts, values, strict=True):
            width = room * value / longest
            if value:
                segments.append(Segment(x, max(width, 1.0), color, name, value))
            x += width
        rows.append(Row(label, sum(values), PAD + n * ROW, tuple(segments)))
    legend = tuple((color, name) for name, color in parts if name)
    return BarChart(title, tuple(rows), legend)
