"""The reports' pages: the reports page lists what the user may open (grouped, with the annual shutoff report from
collections); each report answers 403 without its permission; bad parameters answer 400 naming the field; the
screen sorts by a column (?sort=), filters by the form and pages; ?format= serves each file; a file over its cap
answers a page offering the CSV."""

import csv
import io
import re
from datetime import date

import pytest

from cistern.core import roles
from cistern.reports import registry, renderers, views

from .conftest import PAY_DAY

pytestmark = pytest.mark.django_db


def _cells(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r != roles.INTEGRATION])
def test_each_report_answers_its_own_permission(role, client, make_user, books):
    client.force_login(make_user(role, username=f"r_{role}".replace(" ", "_")))
    held = set(roles.ROLE_PERMISSIONS[role])
    index = client.get("/reports/")
    assert index.status_code == (200 if "reports.view_reports" in held else 403)
    for report in registry.all_reports():
        allowed = report.permission in held
        response = client.get(f"/reports/{report.key}/")
        assert response.status_code == (200 if allowed else 403), (role, report.key)
        if index.status_code == 200:
            assert (f'href="/reports/{report.key}/"' in index.content.decode()) == allowed, (role, report.key)


def test_a_clerk_sees_the_daily_cash_and_the_service_orders_only(client, css1):
    client.force_login(css1)
    page = client.get("/reports/").content.decode()
    assert re.findall(r'href="/reports/(\w+)/"', page) == ["daily_cash", "service_orders"]
    assert "/collections/shutoffs/" in page  # a clerk reads collections: the annual report opens for them too


def test_the_reports_page_links_the_shutoff_report_grouped(client, make_user):
    client.force_login(make_user(roles.AUDITOR))
    page = client.get("/reports/").content.decode()
    assert "/collections/shutoffs/" in page
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert headings == ["Cash and payments", "Receivables", "Billing", "Collections", "Field work", "Customers",
                        "Audit"]  # fmt: skip


@pytest.mark.parametrize(
    "query, field",
    [
        ("date_from=2026-13-45", "From"),
        ("date_from=2026-08-10&date_to=2026-08-01", "To"),
        ("date_from=2020-01-01&date_to=2026-08-01", "To"),
        ("date_from=" + "9" * 3000, "From"),
        ("sort=password", "sort"),
        ("format=docx", "format"),
        ("page=-3", "page"),
        ("page=99999999999999999999", "page"),
        ("channel=carrier_pigeon", "Channel"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(query, field, client, css1):
    client.force_login(css1)
    response = client.get(f"/reports/daily_cash/?{query}")
    assert response.status_code == 400
    assert field in response.content.decode()


@pytest.mark.parametrize("value", ["99999999999999999999999", "abc", "-1", "0"])
def test_a_bill_run_that_is_no_run_answers_400(value, client, make_user):
    client.force_login(make_user(roles.BILLING_ADMIN))
    response = client.get(f"/reports/billing_register/?run={value}")
    assert response.status_code == 400 and "Bill run" in response.content.decode()


def test_sorting_and_filtering_on_screen(client, books, lead):
    client.force_login(lead)
    day = f"date_from={PAY_DAY}&date_to={PAY_DAY}"
    page = client.get(f"/reports/daily_cash/?{day}").content.decode()
    assert [r[4] for r in _cells(page)] == ["Card (processor reference)", "Cash", "Check", "Money order"]
    assert '<th scope="row">Total</th>' in page and "112.25" in page
    by_amount = client.get(f"/reports/daily_cash/?{day}&sort=amount").content.decode()
    assert [r[6] for r in _cells(by_amount)] == ["12.25", "20.00", "30.00", "50.00"]
    assert (
        'aria-sort="ascending"' in by_amount and "sort=-amount" in by_amount
    )  # the title now sorts descending
    down = client.get(f"/reports/daily_cash/?{day}&sort=-amount").content.decode()
    assert [r[6] for r in _cells(down)] == ["50.00", "30.00", "20.00", "12.25"]
    # Filtered: one channel's tenders, another drawer's none.
    none = client.get(f"/reports/daily_cash/?{day}&drawer=Counter+9").content.decode()
    assert "Nothing for these parameters." in none
    # A SQL-sorted report: the adjustments by amount, largest first.
    adjustments = client.get(f"/reports/adjustments/?{day}&status=posted&sort=-amount").content.decode()
    assert [r[4] for r in _cells(adjustments)] == ["75.00", "10.00"]


def test_pages_of_rows(client, books, lead, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(lead)
    day = f"date_from={PAY_DAY}&date_to={PAY_DAY}"
    first = client.get(f"/reports/daily_cash/?{day}&sort=amount").content.decode()
    assert len(_cells(first)) == 3 and "Page 1 of 2" in first and "page=2" in first
    second = client.get(f"/reports/daily_cash/?{day}&sort=amount&page=2").content.decode()
    assert [r[6] for r in _cells(second)] == ["50.00"]
    audit = client.get(
        "/reports/audit_trail/?date_from=2026-01-01&date_to=2027-12-31&page=2"
    ).content.decode()
    assert "Page 2 of" in audit


def test_each_format_is_served(client, books, lead):
    client.force_login(lead)
    day = f"date_from={PAY_DAY}&date_to={PAY_DAY}"
    response = client.get(f"/reports/daily_cash/?{day}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="daily-cash-2026-08-10-2026-08-10.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[-1][-1] == "112.25"
    xlsx = client.get(f"/reports/daily_cash/?{day}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(f"/reports/daily_cash/?{day}&format=pdf")
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and pdf["Content-Type"] == "application/pdf"
    )


def test_a_file_over_its_cap_offers_the_csv(client, books, lead, monkeypatch):
    client.force_login(lead)
    monkeypatch.setattr(renderers, "XLSX_MAX_ROWS", 2)
    day = f"date_from={PAY_DAY}&date_to={PAY_DAY}"
    response = client.get(f"/reports/daily_cash/?{day}&format=xlsx")
    assert response.status_code == 413
    page = response.content.decode()
    assert "4 rows" in page and "at most 2" in page and "format=csv" in page
    screen = client.get(f"/reports/daily_cash/?{day}").content.decode()
    assert "XLSX: more than 2 rows, take the CSV" in screen
    monkeypatch.setattr(renderers, "PDF_MAX_ROWS", 1)
    pdf = client.get(f"/reports/daily_cash/?{day}&format=pdf")
    assert pdf.status_code == 413 and "format=csv" in pdf.content.decode()


def test_the_default_parameters_are_the_examples(client, books, lead):
    client.force_login(lead)
    page = client.get("/reports/billing_register/").content.decode()
    assert "2 rows" in page and books["owner"].number in page
    assert date(2026, 7, 28).strftime("%m/%d/%Y") in page  # the run's bill date, in the run picker


HOSTILE = [
    "1e309",
    "9" * 50,
    "0001-01-01",
    "9999-12-31",
    "-1",
    "abc",
    "NaN",
    "2026-02-30",
    "",
    "x" * 3000,
    "½",
    "0",
]


@pytest.mark.parametrize("report", registry.all_reports(), ids=lambda r: r.key)
def test_hostile_values_never_answer_500(report, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("probe_reports", password=None))
    client.raise_request_exception = False
    for key in [*report.form.base_fields, "format", "page"]:
        for value in HOSTILE:
            response = client.get(f"/reports/{report.key}/", {key: value})
            assert response.status_code in (200, 400), (key, value[:20], response.status_code)
