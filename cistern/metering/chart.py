"""Usage charts drawn on the server as SVG. Pure: plain values in, an SVG string out, no ORM, no templates.

The same function draws the account page's usage chart, the read history beside an exception, and (later)
the chart on a printed bill. Colours are SVG presentation attributes (fill=, stroke=), never style=
attributes or a <style> element, so the page's Content-Security-Policy has nothing to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

ACTUAL = "#1f618d"
ESTIMATED = "#85c1e9"
EXCEPTION = "#a93226"
GRID = "#d5dbdf"
INK = "#1b2631"
MUTED = "#5d6d7e"
MONTHS = "JFMAMJJASOND"
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

Bar = tuple[date, Decimal | int | float | None, bool]  # (month, units or None for no read, estimated)


def _nice_step(top: float) -> float:
    """A gridline step (1, 2 or 5 times a power of ten) giving about four lines up to `top`."""
    raw = max(top, 1.0) / 4
    power = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return float(m * power)
    return float(10 * power)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _units_text(units: float) -> str:
    return f"{units:,.0f}" if units == int(units) else f"{units:,.1f}"


def usage_chart(
    months: Iterable[Bar],
    *,
    title: str = "Water use by month",
    unit: str = "HCF",
    width: int = 640,
    height: int = 200,
    highlight: date | None = None,
    compact: bool = False,
    chart_id: str = "usage",
) -> str:
    """Bars of units per month, oldest first. Estimated months are drawn hatched and lighter; the month
    `highlight` (an exception under review) is outlined in red. A month with units None had no read and is
    left empty. `compact` draws a small sparkline without axes or legend (for a row of a list)."""
    bars: Sequence[Bar] = list(months)
    label = f"{title} ({unit})"
    hatch = f"{chart_id}-hatch"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="usage-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(label)}>',
        f"<title>{escape(label)}</title>",
        f'<defs><pattern id="{hatch}" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" stroke="{ESTIMATED}" stroke-width="3"/></pattern></defs>',
    ]
    if not bars:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}" font-family="sans-serif">No reads yet</text></svg>'
        )
        return "".join(parts)

    left, right, top, bottom = (2, 2, 4, 4) if compact else (40, 8, 10, 36)
    if not compact and any(b[2] for b in bars) or (not compact and highlight):
        bottom += 16  # room for the legend
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(b[1]) for b in bars if b[1] is not None]
    peak = max(values, default=0.0)
    step = _nice_step(peak)
    axis_top = max(step, step * -(-peak // step)) if peak > 0 else step
    slot = plot_w / len(bars)
    gap = max(1.0, slot * 0.2)
    base_y = top + plot_h

    if not compact:
        lines = int(round(axis_top / step))
        for i in range(lines + 1):
            value = step * i
            y = base_y - plot_h * value / axis_top
            parts.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" '
                'stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{MUTED}" '
                f'font-family="sans-serif">{_num(value)}</text>'
            )
        parts.append(
            f'<text x="4" y="{top + 2}" font-size="10" fill="{MUTED}" font-family="sans-serif" '
            f'transform="rotate(90 4 {top + 2})">{escape(unit)}</text>'
        )
    else:
        parts.append(
            f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="{GRID}" stroke-width="1"/>'
        )

    every = 1 if len(bars) <= 13 else 3
    for i, (month, units, estimated) in enumerate(bars):
        x = left + i * slot + gap / 2
        w = max(1.0, slot - gap)
        is_highlight = highlight is not None and (month.year, month.month) == (
            highlight.year,
            highlight.month,
        )
        name = f"{MONTH_NAMES[month.month - 1]} {month.year}"
        if units is None:
            tip = f"{name}: no read"
            parts.append(
                f'<g class="bar bar-none" data-month="{month:%Y-%m}"><title>{escape(tip)}</title>'
                f'<text x="{x + w / 2:.1f}" y="{base_y - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{EXCEPTION if is_highlight else MUTED}" font-family="sans-serif">'
                f"{'?' if is_highlight else ''}</text></g>"
            )
        else:
            value = float(units)
            h = plot_h * max(0.0, value) / axis_top
            y = base_y - h
            kind = "estimated" if estimated else "actual"
            fill = f"url(#{hatch})" if estimated else ACTUAL
            stroke = EXCEPTION if is_highlight else (ESTIMATED if estimated else ACTUAL)
            stroke_w = 2 if is_highlight else 1
            tip = f"{name}: {_units_text(value)} {unit}{' (estimated)' if estimated else ''}"
            if is_highlight:
                tip += " (under review)"
            parts.append(
                f'<g class="bar bar-{kind}{" bar-highlight" if is_highlight else ""}" data-month="{month:%Y-%m}" '
                f'data-units="{_num(value)}"><title>{escape(tip)}</title>'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{max(h, 0.5):.1f}" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="{stroke_w}"/>'
            )
            if not compact and len(bars) <= 13 and value > 0:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="{INK}" font-family="sans-serif">{_units_text(value)}</text>'
                )
            parts.append("</g>")
        if not compact and (i % every == 0 or month.month == 1):
            text = MONTH_NAMES[month.month - 1] if every == 1 else MONTHS[month.month - 1]
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{base_y + 12:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{MUTED}" font-family="sans-serif">{text}</text>'
            )
            if month.month == 1 or i == 0:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{base_y + 24:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="{MUTED}" font-family="sans-serif">{month.year}</text>'
                )

    if not compact:
        legend_y = height - 6
        items = [("Actual", f'fill="{ACTUAL}" stroke="{ACTUAL}"')]
        if any(b[2] for b in bars):
            items.append(("Estimated", f'fill="url(#{hatch})" stroke="{ESTIMATED}"'))
        if highlight:
            items.append(("Under review", f'fill="#ffffff" stroke="{EXCEPTION}" stroke-width="2"'))
        if len(items) > 1:
            x = left
            parts.append('<g class="legend">')
            for text, paint in items:
                parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" {paint}/>')
                parts.append(
                    f'<text x="{x + 14}" y="{legend_y}" font-size="11" fill="{INK}" '
                    f'font-family="sans-serif">{text}</text>'
                )
                x += 14 + 7 * len(text) + 16
            parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def monthly_usage(
    reads: Iterable[tuple[date, Decimal | None, bool]], *, last_month: date, months: int = 36
) -> list[Bar]:
    """Sum per-read consumption into months (a read counts in the month it was read) from the first month with
    a read (at most `months` back from `last_month`) to `last_month`. A month is estimated when any of its
    reads was; a month with no read has units None."""
    last_month = month_start(last_month)
    first_allowed = add_months(last_month, -(months - 1))
    totals: dict[date, Decimal] = {}
    estimated: set[date] = set()
    for read_on, units, is_estimate in reads:
        month = month_start(read_on)
        if month < first_allowed or month > last_month or units is None:
            continue
        totals[month] = totals.get(month, Decimal(0)) + Decimal(units)
        if is_estimate:
            estimated.add(month)
    if not totals:
        return []
    month, out = min(totals), []
    while month <= last_month:
        out.append((month, totals.get(month), month in estimated))
        month = add_months(month, 1)
    return out
