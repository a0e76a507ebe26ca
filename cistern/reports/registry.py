"""The district's reports: each a selector (what the report says, as columns and rows) plus renderers (on screen,
CSV, XLSX, PDF: cistern/reports/renderers.py). Each report module registers a `Report` here at start-up
(apps.ready()); the reports page, the export views, the tests and bench/reports.py all go through this table.

The contract (bench/reports.py relies on it):
    all_reports() -> list[Report]                     every report, in menu order
    get(key) -> Report                                KeyError when unknown
    report.example_params(today) -> dict              parameters for a typical run (tests, the benchmark)
    report.run(params: dict) -> ReportResult          the selector: validated params in, rows out
    renderers.render(fmt, report, result, params)     fmt in ("csv", "xlsx", "pdf") -> bytes
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # text, int, money, decimal, date, datetime
    total: bool = False  # summed in the totals row


@dataclass
class ReportResult:
    columns: list[Column]
    rows: Iterable[tuple]
    totals: dict = field(default_factory=dict)  # column key -> total
    row_count: int | None = None  # known before rendering, when the selector counted


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    permission: str
    run: Callable[[dict], ReportResult]
    example_params: Callable  # (today) -> dict
    description: str = ""
    group: str = ""  # the heading it is listed under on the reports page
    columns: tuple = ()  # its Column list (what ?sort= may name)
    form: type | None = None  # the Django form its parameters are validated with


_reports: dict[str, Report] = {}


def register(report: Report) -> None:
    _reports[report.key] = report


def all_reports() -> list[Report]:
    return list(_reports.values())


def get(key: str) -> Report:
    return _reports[key]
