"""Geometry of the server-rendered SVG charts: target-vs-achieved bars and rank lines (rank 1 at the top).

Pure arithmetic, no markup: templates draw the shapes (`_chart_bars.html`, `_chart_ranks.html`).
Horizontal positions are percentages of the chart's width, so a chart fills any screen width while
its text keeps the page's font size; vertical positions are pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Bar chart layout (px): the label's lines, then the target bar, then the achieved bar.
BAR_LINE_HEIGHT = 16.0
BAR_LABEL_BASELINE = 14.0
BAR_HEIGHT = 11.0
BAR_GAP = 3.0
BAR_ROW_GAP = 10.0
BAR_TOP = 4.0
BAR_AXIS_HEIGHT = 22.0
# Share of the width the bars may use; the rest holds the value written after each bar.
BAR_PLOT_WIDTH = 78.0
# Label lines wrap at this many characters: about what 13 px bold text fits on a 375 px phone.
LABEL_WIDTH = 42
LABEL_MAX_LINES = 3

# Rank chart layout: px vertically, percent horizontally.
RANK_TOP = 18.0
RANK_PLOT_HEIGHT = 150.0
RANK_AXIS_HEIGHT = 24.0
RANK_LEFT = 10.0
RANK_RIGHT = 94.0


@dataclass(frozen=True, slots=True)
class BarInput(Generic[T]):
    """What one bar-chart row draws: a target (a range when `target_max` is set), what was achieved, or both."""

    item: T
    label_vi: str
    label_en: str
    target: float | None
    target_max: float | None = None
    achieved: float | None = None


@dataclass(frozen=True, slots=True)
class Bar(Generic[T]):
    """Where one row goes: its label (whole and wrapped), the first line's baseline, the two bars' tops
    (px) and widths (percent of the width)."""

    item: T
    label_vi: str
    label_en: str
    lines_vi: tuple[str, ...]
    lines_en: tuple[str, ...]
    label_y: float
    target_y: float
    achieved_y: float
    target_width: float | None
    range_width: float | None
    achieved_width: float | None
    line_height: float = BAR_LINE_HEIGHT

    def label(self, lang: str) -> str:
        """Return the whole label in the page language (for titles and descriptions)."""
        return self.label_en if lang == "en" else self.label_vi

    def lines(self, lang: str) -> tuple[str, ...]:
        """Return the label's lines in the page language."""
        return self.lines_en if lang == "en" else self.lines_vi


@dataclass(frozen=True, slots=True)
class Tick:
    """An axis tick: the value written and where it goes (percent across, or px down)."""

    value: float
    position: float


@dataclass(frozen=True, slots=True)
class BarChart(Generic[T]):
    """A horizontal bar chart: rows, value axis ticks, total height and the axis line's height."""

    bars: tuple[Bar[T], ...]
    ticks: tuple[Tick, ...]
    scale_max: float
    height: float
    axis_y: float
    bar_height: float = BAR_HEIGHT
    plot_width: float = BAR_PLOT_WIDTH


@dataclass(frozen=True, slots=True)
class RankInput(Generic[T]):
    """One point of a rank line: the edition year and the rank."""

    item: T
    year: int
    rank: int


@dataclass(frozen=True, slots=True)
class Point(Generic[T]):
    """A drawn point: percent across, px down."""

    item: T
    x: float
    y: float
    year: int
    rank: int


@dataclass(frozen=True, slots=True)
class Segment:
    """A line between two consecutive points; `gap` when editions in between are missing."""

    x1: float
    y1: float
    x2: float
    y2: float
    gap: bool


@dataclass(frozen=True, slots=True)
class RankChart(Generic[T]):
    """A small line chart of ranks by year, rank 1 at the top."""

    points: tuple[Point[T], ...]
    segments: tuple[Segment, ...]
    year_ticks: tuple[Tick, ...]
    rank_ticks: tuple[Tick, ...]
    out_of: int
    height: float
    axis_y: float
    left: float = RANK_LEFT
    right: float = RANK_RIGHT


def nice_ceiling(value: float) -> float:
    """Return the smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (1 for 0 or less)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return step * power
    return 10 * power


def wrap_label(text: str, width: int = LABEL_WIDTH, max_lines: int = LABEL_MAX_LINES) -> tuple[str, ...]:
    """Return a label broken into lines of at most `width` characters at spaces; the last line ends
    with `…` when the text does not fit in `max_lines`."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word[:width])
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[:max_lines - 1], (last[:width - 1] if len(last) >= width else last) + "…"]
    return tuple(lines) or ("",)


def bar_chart(rows: Sequence[BarInput[T]], floor: float = 0.0) -> BarChart[T]:
    """Return the layout of a target-vs-achieved chart; the scale reaches at least `floor` (100 for percent).

    A row's height follows its label's lines (the longer of its two languages, so both share one layout)."""
    values = [v for r in rows for v in (r.target, r.target_max, r.achieved) if v is not None]
    scale_max = nice_ceiling(max([floor, *values]))

    def width(value: float) -> float:
        return round(max(0.0, value) / scale_max * BAR_PLOT_WIDTH, 2)

    bars = []
    top = BAR_TOP
    for row in rows:
        lines_vi, lines_en = wrap_label(row.label_vi), wrap_label(row.label_en)
        label_y = top + BAR_LABEL_BASELINE
        target_y = label_y + (max(len(lines_vi), len(lines_en)) - 1) * BAR_LINE_HEIGHT + 5
        # A result with no target takes the target's line.
        achieved_y = target_y if row.target is None else target_y + BAR_HEIGHT + BAR_GAP
        bars.append(Bar(
            item=row.item, label_vi=row.label_vi, label_en=row.label_en, lines_vi=lines_vi, lines_en=lines_en,
            label_y=label_y, target_y=target_y, achieved_y=achieved_y,
            target_width=width(row.target) if row.target is not None else None,
            range_width=width(row.target_max) if row.target_max is not None else None,
            achieved_width=width(row.achieved) if row.achieved is not None else None,
        ))
        top = achieved_y + BAR_HEIGHT + BAR_ROW_GAP
    axis_y = top
    ticks = tuple(Tick(scale_max * k / 4, round(BAR_PLOT_WIDTH * k / 4, 2)) for k in range(5))
    return BarChart(tuple(bars), ticks, scale_max, axis_y + BAR_AXIS_HEIGHT, axis_y)


def rank_ticks(out_of: int) -> tuple[int, ...]:
    """Return the ranks labelled on the vertical axis: 1, round steps, and the last rank."""
    if out_of <= 1:
        return (1,)
    step = max(1, int(nice_ceiling(out_of / 4)))
    middle = [r for r in range(step, out_of, step) if r - 1 >= step / 2 and out_of - r >= step / 2]
    return (1, *middle, out_of)


def rank_chart(points: Sequence[RankInput[T]], out_of: int) -> RankChart[T]:
    """Return the layout of a rank-by-year line chart with ranks 1..`out_of` (rank 1 at the top)."""
    out_of = max([out_of, *(p.rank for p in points), 2])
    ordered = sorted(points, key=lambda p: p.year)
    years = sorted({p.year for p in ordered})
    first, last = (years[0], years[-1]) if years else (0, 0)

    def x(year: int) -> float:
        if last == first:
            return round((RANK_LEFT + RANK_RIGHT) / 2, 2)
        return round(RANK_LEFT + (year - first) / (last - first) * (RANK_RIGHT - RANK_LEFT), 2)

    def y(rank: int) -> float:
        return round(RANK_TOP + (rank - 1) / (out_of - 1) * RANK_PLOT_HEIGHT, 2)

    drawn = tuple(Point(p.item, x(p.year), y(p.rank), p.year, p.rank) for p in ordered)
    segments = tuple(Segment(a.x, a.y, b.x, b.y, b.year - a.year > 1)
                     for a, b in zip(drawn, drawn[1:], strict=False) if a.year != b.year)
    axis_y = RANK_TOP + RANK_PLOT_HEIGHT
    return RankChart(
        points=drawn,
        segments=segments,
        year_ticks=tuple(Tick(year, x(year)) for year in years),
        rank_ticks=tuple(Tick(rank, y(rank)) for rank in rank_ticks(out_of)),
        out_of=out_of,
        height=axis_y + RANK_AXIS_HEIGHT,
        axis_y=axis_y,
    )
