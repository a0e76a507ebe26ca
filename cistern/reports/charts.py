"""Small bar charts as server-side SVG: bars with their axis labels, a <title> and a <desc> (what the chart says in
words), no script, no outside library. The page shows the same figures as a table beside each chart (the
accessible alternative); the chart itself is an image (role="img") named by its title.

Pure: plain values in, markup out (escaped), no ORM.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 14, 34  # room for the y-axis labels and the x-axis labels


@dataclass(frozen=True)
class Bar:
    label: str  # "Jan 2026": under the bar
    value: Decimal


def nice_ceiling(value: Decimal) -> Decimal:
    """The top of the axis: the smallest of 1, 2, 2.5, 5 times a power of ten at or above `value` (1 for 0)."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(1)
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if magnitude * step >= value:
            return magnitude * step
    return magnitude * 10  # pragma: no cover (10 always covers)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    fmt: Callable[[Decimal], str],
    ticks: int = 4,
) -> str:
    """The SVG of a bar chart: each bar a <rect> with its own <title> (label and formatted value), the x labels
    under the bars, `ticks` + 1 gridlines with formatted values on the y axis."""
    top = nice_ceiling(max((b.value for b in bars), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * 0.64
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" '
        f'id="{escape(chart_id)}" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]
    for i in range(ticks + 1):
        value = top * i / ticks
        y = TOP + plot_h - plot_h * i / ticks
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#c8d1d9" '
            f'stroke-width="1"/>'
            f'<text class="y-label" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#333">{escape(fmt(value))}</text>'
        )
    for i, bar in enumerate(bars):
        height = float(bar.value / top) * plot_h if bar.value > 0 else 0.0
        x = LEFT + slot * i + (slot - bar_w) / 2
        y = TOP + plot_h - height
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" fill="#1f5f8b">'
            f"<title>{escape(bar.label)}: {escape(fmt(bar.value))}</title></rect>"
            f'<text class="x-label" x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="12" fill="#333">{escape(bar.label)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'stroke="#333" stroke-width="1"/></svg>'
    )
    return "".join(parts)


def dollars(value: Decimal) -> str:
    """$12,345 (whole dollars: an axis or a bar's tip)."""
    return f"${value:,.0f}"


def units(value: Decimal) -> str:
    """12,345 HCF."""
    return f"{value:,.0f} HCF"
