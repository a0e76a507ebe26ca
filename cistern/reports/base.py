"""What every report is made of: its parameters' form (dates, a sort key), its rows (a list, or SQL rows read a page
or a chunk at a time), and `define()`, which registers it. The report modules (cash.py, receivables.py, billing.py,
field.py, collections.py, programs.py, audit.py) each define their reports with it."""

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from cistern.core.money import money

from . import registry
from .registry import Column, Report, ReportResult

ZERO = Decimal("0.00")
MAX_SPAN_DAYS = 731  # a date range is at most two years
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


class ReportParamError(ValueError):
    """The parameters do not fit the report's form: {field: [messages]} (the view answers 400 naming them)."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))


class ReportForm(forms.Form):
    """A report's parameters. `sort` is a column key, `-` first for descending; blank: the report's own order."""

    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    columns: tuple = ()

    def clean_sort(self):
        value = self.cleaned_data.get("sort") or ""
        if value and value.lstrip("-") not in {c.key for c in self.columns}:
            raise forms.ValidationError("Sort by one of the report's columns.")
        return value


class ReportDateField(forms.DateField):
    """A date the district's books can hold: 1900 to 2199 (a day before or after is still a date)."""

    widget = forms.DateInput(attrs={"type": "date"})

    def validate(self, value):
        super().validate(value)
        if value and not (FIRST_DAY <= value <= LAST_DAY):
            raise forms.ValidationError(f"A date from {FIRST_DAY:%m/%d/%Y} to {LAST_DAY:%m/%d/%Y}.")


class DateRangeForm(ReportForm):
    date_from = ReportDateField(label="From")
    date_to = ReportDateField(label="To")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end of the range is before its start.")
            elif (end - start).days > MAX_SPAN_DAYS:
                self.add_error("date_to", f"A range is at most {MAX_SPAN_DAYS} days.")
        return data


class AsOfForm(ReportForm):
    as_of = ReportDateField(label="As of")


def form_data(params: dict) -> dict:
    """Parameters (typed values or the query string's text) as form data."""
    data = {}
    for key, value in params.items():
        if value is None:
            data[key] = ""
        elif isinstance(value, date | datetime):
            data[key] = value.isoformat()
        elif hasattr(value, "_meta"):  # a model instance a form chose: by the field the form chooses it by
            data[key] = str(getattr(value, "code", value.pk))
        else:
            data[key] = value if isinstance(value, str | list) else str(value)
    return data


def day_span(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the district's zone: a date range over a timestamp column."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


class QueryRows:
    """A report's rows read from SQL as they are needed: a screen page with LIMIT/OFFSET, a file in chunks, the
    count with COUNT. `queryset` is a values_list queryset, already ordered; `convert` turns one into a row."""

    def __init__(self, queryset, convert: Callable[[tuple], tuple] | None = None):
        self.queryset = queryset
        self.convert = convert or tuple

    def __iter__(self) -> Iterator[tuple]:
        for values in self.queryset.iterator(chunk_size=5000):
            yield self.convert(values)

    def __getitem__(self, window: slice) -> list[tuple]:
        return [self.convert(values) for values in self.queryset[window]]

    def count(self) -> int:
        return self.queryset.count()


def row_count(result: ReportResult) -> int:
    if result.row_count is None:
        rows = result.rows
        result.row_count = rows.count() if isinstance(rows, QueryRows) else len(rows)
    return result.row_count


def rows_window(result: ReportResult, start: int, stop: int) -> list[tuple]:
    rows = result.rows
    if isinstance(rows, QueryRows | list | tuple):
        return list(rows[start:stop])
    return list(rows)[start:stop]


def _sort_key(value):
    """None sorts first; values of one column are of one type otherwise."""
    return (value is not None, value if value is not None else 0)


def sorted_rows(rows: list[tuple], columns: list[Column], sort: str) -> list[tuple]:
    """Rows (a list) sorted by the column `sort` names (`-key`: descending), stable; as they are when blank."""
    if not sort:
        return rows
    keys = [c.key for c in columns]
    index = keys.index(sort.lstrip("-"))
    return sorted(rows, key=lambda row: _sort_key(row[index]), reverse=sort.startswith("-"))


def order_by(sort: str, fields: dict[str, str], default: list[str]) -> list[str]:
    """An ORM order_by list for `sort` (a column key mapped to a field by `fields`), the id last for a stable
    page; `default` when blank."""
    if not sort or sort.lstrip("-") not in fields:
        return default
    field = fields[sort.lstrip("-")]
    prefix = "-" if sort.startswith("-") else ""
    return [prefix + field, prefix + "id"]


def totals_of(rows: list[tuple], columns: list[Column]) -> dict:
    """{column key: sum} for the columns marked total (money summed to the cent)."""
    totals = {}
    for i, column in enumerate(columns):
        if column.total:
            total = sum((row[i] or 0 for row in rows), ZERO if column.kind == "money" else 0)
            totals[column.key] = money(total) if column.kind == "money" else total
    return totals


def list_result(rows: list[tuple], columns: list[Column], sort: str) -> ReportResult:
    return ReportResult(
        columns=columns,
        rows=sorted_rows(rows, columns, sort),
        totals=totals_of(rows, columns),
        row_count=len(rows),
    )


def validate(form_class: type[ReportForm], params: dict) -> dict:
    form = form_class(data=form_data(params))
    if not form.is_valid():
        raise ReportParamError({field: [str(m) for m in msgs] for field, msgs in form.errors.items()})
    return form.cleaned_data


def define(
    *, key: str, title: str, group: str, permission: str, columns: list[Column], form: type[ReportForm],
    selector: Callable[[dict], ReportResult], example: Callable[[date], dict], description: str = "",
) -> Report:  # fmt: skip
    """Register a report: `selector` gets the form's cleaned data; run() validates first (ReportParamError)."""
    form_class = type(f"{form.__name__}_{key}", (form,), {"columns": tuple(columns)})

    def run(params: dict) -> ReportResult:
        return selector(validate(form_class, params))

    report = Report(
        key=key, title=title, permission=permission, run=run, example_params=example, description=description,
        group=group, columns=tuple(columns), form=form_class,
    )  # fmt: skip
    registry.register(report)
    return report


def money_or_zero(value) -> Decimal:
    return money(value if value is not None else ZERO)
