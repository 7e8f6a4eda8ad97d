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
# On a phone the wide chart would shrink its text to ~7 px: a narrow twin puts each label on its
# own line above its bar, drawn at about the width it is shown (templates/charts.html swaps them).
NARROW_WIDTH = 360
NARROW_ROW = 40
NARROW_VALUE = 44
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

    @property
    def narrow_height(self) -> int:
        return max(1, len(self.rows)) * NARROW_ROW + 2 * PAD

    def narrow_rows(self) -> tuple[Row, ...]:
        """The rows re-laid for NARROW_WIDTH: each bar starts at 0 below its label (its Row.y is
        the bar's top; the label sits above it)."""
        scale = (NARROW_WIDTH - NARROW_VALUE) / (self.width - self.label_width - VALUE_WIDTH)
        return tuple(
            Row(
                row.label,
                row.total,
                PAD + n * NARROW_ROW + 18,
                tuple(
                    Segment(
                        (s.x - self.label_width) * scale,
                        max(s.width * scale, 1.0),
                        s.color,
                        s.label,
                        s.value,
                    )
                    for s in row.segments
                ),
            )
            for n, row in enumerate(self.rows)
        )


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
