"""The usage chart: plain values in, SVG out."""

import re
from datetime import date
from decimal import Decimal as D
from xml.etree import ElementTree

from cistern.metering import chart

SVG = "{http://www.w3.org/2000/svg}"


def months(n, start=date(2025, 1, 1), estimated=()):
    return [(chart.add_months(start, i), D(5 + i), i in estimated) for i in range(n)]


def test_one_bar_per_month_with_its_units():
    svg = chart.usage_chart(months(13))
    root = ElementTree.fromstring(svg)  # well-formed XML
    bars = root.findall(f".//{SVG}g[@data-month]")
    assert [b.get("data-month") for b in bars] == [f"{m:%Y-%m}" for m, _, _ in months(13)]
    assert [b.get("data-units") for b in bars] == [str(5 + i) for i in range(13)]
    assert "Jan 2025: 5 HCF" in svg and 'role="img"' in svg


def test_estimated_months_are_hatched_and_in_the_legend():
    svg = chart.usage_chart(months(6, estimated={2}), chart_id="t1")
    assert svg.count('class="bar bar-estimated"') == 1 and svg.count('class="bar bar-actual"') == 5
    assert 'fill="url(#t1-hatch)"' in svg and "Estimated" in svg and "(estimated)" in svg
    plain = chart.usage_chart(months(6))
    assert "Estimated" not in plain  # no legend entry for what is not there


def test_no_style_attributes_or_elements():
    svg = chart.usage_chart(months(36, estimated={3}), highlight=date(2027, 12, 1))
    assert "style" not in svg.lower() and "<script" not in svg


def test_highlight_gap_compact_and_empty():
    bars = months(3) + [(date(2025, 4, 1), None, False)]
    svg = chart.usage_chart(bars, highlight=date(2025, 4, 20), compact=True)
    assert "Apr 2025: no read" in svg and ">?<" in svg
    svg = chart.usage_chart(months(3), highlight=date(2025, 2, 1))
    assert svg.count("bar-highlight") == 1 and "Under review" in svg
    assert "No reads yet" in chart.usage_chart([])
    # Long series: month letters, not every label.
    assert len(re.findall(r">J<", chart.usage_chart(months(36)))) >= 2


def test_text_is_escaped():
    svg = chart.usage_chart(months(2), title='<b>"Meter" & co</b>')
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    ElementTree.fromstring(svg)


def test_monthly_usage_sums_reads_into_months_and_marks_gaps():
    reads = [
        (date(2025, 1, 15), D("8"), False),
        (date(2025, 1, 30), D("2"), True),
        (date(2025, 3, 14), D("9"), False),
        (date(2025, 3, 20), None, False),  # a read with no consumption (an opening read) adds nothing
        (date(2021, 3, 14), D("99"), False),  # older than the window
    ]
    bars = chart.monthly_usage(reads, last_month=date(2025, 4, 9), months=36)
    assert bars == [
        (date(2025, 1, 1), D("10"), True),
        (date(2025, 2, 1), None, False),
        (date(2025, 3, 1), D("9"), False),
        (date(2025, 4, 1), None, False),
    ]
    assert chart.monthly_usage([], last_month=date(2025, 4, 1)) == []
    assert len(chart.monthly_usage([(date(2020, 1, 5), D(1), False)], last_month=date(2025, 4, 1))) == 0
