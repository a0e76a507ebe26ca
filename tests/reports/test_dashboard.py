"""The dashboard: today's payments by channel, open orders and the overdue ones, the exceptions waiting, the
past-due trend at month ends (checked against the ledger's own aging) and the billed revenue and consumption by
month, drawn as SVG bars with a table beside; who may open it."""

# ruff: noqa: F811 (the billing tests' district fixtures, imported for use as fixtures)
import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.cache import cache

from cistern.billing import services as billing
from cistern.core import clock, roles
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import ServiceOrder
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole
from cistern.payments import services as payments
from cistern.reports import charts, dashboard
from tests.billing.conftest import biller, district, metered_account, supervisor  # noqa: F401
from tests.payments.conftest import cash

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lead(make_user):
    return make_user(roles.CSS_II, username="lead")


def _row(page: str, table_id: str, key_attr: str, key: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    row = re.search(rf'<tr {key_attr}="{key}">(.*?)</tr>', table, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]


def test_payments_today_by_channel_to_the_cent(client, lead, make_user, start_account):
    cashier = make_user(roles.CASHIER, username="cashier")
    machine = make_user(roles.INTEGRATION, username="processor")
    account = start_account()
    other = make_user(roles.CASHIER, username="cashier_two")
    with clock.on(date(2026, 11, 18)):  # another day: not today's
        drawer = payments.drawer_open(actor=other, drawer_name="Counter 2", opening_float=D("100.00"))
        payments.payment_post(actor=other, request=cash(account, "99.99"), session=drawer)
    with clock.on(date(2026, 11, 20)):
        session = payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=D("150.00"))
        payments.payment_post(actor=cashier, request=cash(account, "45.56"), session=session)
        payments.payment_post(actor=cashier, request=cash(account, "20.00"), session=session)
        voided, _ = payments.payment_post(actor=cashier, request=cash(account, "5.00"), session=session)
        payments.payment_void(actor=cashier, payment=voided, reason="Keyed twice")
        payments.payment_post(
            actor=machine,
            request=payments.PaymentRequest(
                channel="online", parts=[(account, D("61.17"))], tenders=[payments.Tender("electronic", D("61.17"))],
                reference="WEB-1",
            ),
        )  # fmt: skip
        assert [(r.channel, r.count, r.amount) for r in dashboard.payments_today(clock.today())] == [
            ("counter", 2, D("65.56")),
            ("online", 1, D("61.17")),
        ]
        client.force_login(lead)
        page = client.get("/reports/dashboard/").content.decode()
    assert _row(page, "payments-table", "data-channel", "counter") == ["At the counter", "2", "$65.56"]
    assert _row(page, "payments-table", "data-channel", "online") == ["Online", "1", "$61.17"]
    assert "3 payments, $126.73, posted today" in page


def test_open_orders_by_type_and_overdue(start_account, make_user):
    boss = make_user(roles.SUPERVISOR, username="boss")
    tech = make_user(roles.FIELD_TECHNICIAN, username="tech")
    first, second, third = (start_account() for _ in range(3))  # each a turn-on order requested 11/02/2026
    orders = {
        a.pk: ServiceOrder.objects.get(account=a, order_type__code="turn_on") for a in (first, second, third)
    }
    fieldwork.order_schedule(
        actor=boss, order=orders[first.pk], scheduled_on=date(2026, 11, 5), technician=tech
    )
    fieldwork.order_schedule(
        actor=boss, order=orders[second.pk], scheduled_on=date(2026, 11, 9), technician=tech
    )
    name = orders[first.pk].order_type.name
    # On 11/06: the 11/05 order's day has passed; the unscheduled one was asked for 4 days ago (not yet late).
    assert dashboard.open_orders(date(2026, 11, 6)) == [dashboard.OrderRow(name, 3, 1)]
    # On 11/08: unscheduled for 6 days now: late too.
    assert dashboard.open_orders(date(2026, 11, 8)) == [dashboard.OrderRow(name, 3, 2)]
    fieldwork.order_void(actor=boss, order=orders[third.pk], reason="Customer cancelled")
    assert dashboard.open_orders(date(2026, 11, 10)) == [dashboard.OrderRow(name, 2, 2)]


def _charge(actor, account, amount, on, due):
    return ledger.journal_post(
        actor=actor, entry_date=on, memo="Water bill", source_kind="bill",
        postings=[
            ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), D(amount), account.pk, "Water bill", due),
            ledger.Posting("4110", -D(amount), description="Water bill"),
        ],
    )  # fmt: skip


def _pay(actor, account, amount, on):
    return ledger.journal_post(
        actor=actor, entry_date=on, memo="Payment", source_kind="payment",
        postings=[
            ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), -D(amount), account.pk, "Payment"),
            ledger.Posting(ledger_selectors.gl_code(GLRole.CASH), D(amount), description="Payment"),
        ],
    )  # fmt: skip


def _aging_past_due(account, day) -> D:
    """What the ledger's own aging says is past due on `day`, from the lines on the books by then."""
    lines = [line for line in ledger_selectors.receivable_lines(account.pk) if line.entry.entry_date <= day]
    buckets = aging.aging(ledger_selectors.movements(lines), day)
    return sum((v for k, v in buckets.items() if k != aging.NOT_DUE), D("0.00"))


def test_past_due_at_each_month_end_matches_the_ledgers_aging(start_account, make_user):
    boss = make_user(roles.SUPERVISOR, username="boss")
    a, b, c = start_account(), start_account(), start_account()
    _charge(boss, a, "100.00", date(2026, 8, 28), date(2026, 9, 20))
    _pay(boss, a, "40.00", date(2026, 10, 5))
    _charge(boss, b, "50.00", date(2026, 9, 28), date(2026, 10, 20))
    _charge(boss, b, "70.00", date(2026, 10, 28), date(2026, 11, 20))
    _charge(boss, c, "30.00", date(2026, 8, 28), date(2026, 9, 20))
    # Charged and cancelled before it fell due: on 11/30 it is neither owed nor "still to fall due".
    cancelled = _charge(boss, c, "80.00", date(2026, 11, 25), date(2026, 12, 20))
    ledger.journal_reverse(
        actor=boss, entry=cancelled, reason="Billed in error", entry_date=date(2026, 11, 27)
    )

    trend = dashboard.delinquency_trend(date(2026, 12, 15))
    assert [m.day for m in trend][-4:] == [
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
    ]
    assert trend[0].day == date(2025, 12, 31)
    got = {m.day: (m.past_due, m.accounts) for m in trend}
    assert got[date(2026, 8, 31)] == (D("0.00"), 0)
    assert got[date(2026, 9, 30)] == (D("130.00"), 2)
    assert got[date(2026, 10, 31)] == (D("140.00"), 3)
    assert got[date(2026, 11, 30)] == (D("210.00"), 3)
    for day, (amount, _) in got.items():
        assert amount == sum((_aging_past_due(x, day) for x in (a, b, c)), D("0.00")), day


def test_billed_revenue_and_consumption_by_month_and_the_charts(
    client, lead, district, biller, metered_account, supervisor
):
    jul = date(2026, 7, 25)
    billed = metered_account([(jul, "220")])  # 120 HCF: a bill of $1,541.80
    run = billing.bill_run_create(actor=biller, cycle=district, period_end=jul)
    billing.bill_run_calculate(actor=biller, run=run)
    billing.bill_run_approve(actor=lead, run=run)
    billing.bill_run_post(actor=biller, run=run)
    bill = billed.bills.get()
    assert (bill.current_charges, bill.units) == (D("1541.80"), D("120.00"))
    with clock.on(date(2026, 11, 20)):
        months = dashboard.monthly_bills(clock.today())
        client.force_login(lead)
        page = client.get("/reports/dashboard/").content.decode()
    assert [m.month for m in months][0] == date(2025, 12, 1) and months[-1].month == date(2026, 11, 1)
    by_month = {m.month: m for m in months}
    month = bill.bill_date.replace(day=1)
    assert (by_month[month].revenue, by_month[month].units, by_month[month].bills) == (
        D("1541.80"),
        D("120.00"),
        1,
    )
    assert sum(m.revenue for m in months) == D("1541.80")
    key = f"{month:%Y-%m}"
    assert _row(page, "revenue-table", "data-month", key) == [f"{month:%B %Y}", "1", "$1,541.80", "120"]
    # The charts: 12 bars each, named, with their axis labels; the figures in words in <desc>.
    revenue = re.search(r'<svg [^>]*id="revenue-chart".*?</svg>', page, re.S).group(0)
    assert revenue.count('<rect class="bar"') == 12
    assert (
        '<title id="revenue-chart-title">Billed revenue by month, December 2025 to November 2026</title>'
        in revenue
    )
    assert f"{month:%b %Y} $1,542" in revenue  # in <desc>
    assert f"<title>{month:%b}: $1,542</title>" in revenue
    assert re.findall(r'class="x-label"[^>]*>(\w+)</text>', revenue)[:2] == ["Dec", "Jan"]
    assert re.findall(r'class="y-label"[^>]*>([^<]+)</text>', revenue) == [
        "$0",
        "$500",
        "$1,000",
        "$1,500",
        "$2,000",
    ]
    assert 'role="img" id="revenue-chart" aria-labelledby="revenue-chart-title revenue-chart-desc"' in revenue
    consumption = re.search(r'<svg [^>]*id="consumption-chart".*?</svg>', page, re.S).group(0)
    assert f"<title>{month:%b}: 120 HCF</title>" in consumption
    # A cancelled bill is left out.
    billing.bill_cancel_request(actor=supervisor, bill=bill, reason="Read looks wrong", rebill=False)
    with clock.on(date(2026, 11, 20)):
        assert sum(m.revenue for m in dashboard.monthly_bills(clock.today())) == D("0.00")


def test_exceptions_waiting_come_from_each_apps_queue(client, lead, make_user):
    auditor = make_user(roles.AUDITOR, username="auditor")
    client.force_login(lead)
    page = client.get("/reports/dashboard/").content.decode()
    keys = re.findall(r'<tr data-queue="(\w+)">', page)
    assert keys == ["read_exceptions", "accounts_not_billed", "lockbox_suspense", "returned_mail"]
    assert _row(page, "waiting-table", "data-queue", "read_exceptions") == ["Read exceptions to review", "0"]
    assert 'href="/meters/exceptions/"' in page
    client.force_login(auditor)
    page = client.get("/reports/dashboard/").content.decode()
    assert 'href="/meters/exceptions/"' not in page  # the auditor reviews no reads: the count only


def test_chart_scale_and_escaping():
    assert [charts.nice_ceiling(D(v)) for v in ("0", "1", "7", "1541.80", "12000", "260")] == [
        D(1), D(1), D(10), D(2000), D(20000), D(500)
    ]  # fmt: skip
    svg = charts.bar_chart(
        chart_id="c", title="A <b> & c", desc="d", bars=[charts.Bar("<x>", D("3"))], fmt=str
    )
    assert (
        '<title id="c-title">A &lt;b&gt; &amp; c</title>' in svg and "&lt;x&gt;" in svg and "<b>" not in svg
    )


@pytest.mark.parametrize(
    "role,status",
    [(roles.CSS_I, 403), (roles.CASHIER, 403), (roles.FIELD_TECHNICIAN, 403), (roles.CSS_II, 200),
     (roles.SUPERVISOR, 200), (roles.BILLING_ADMIN, 200), (roles.AUDITOR, 200)],
)  # fmt: skip
def test_who_opens_the_dashboard(client, make_user, role, status):
    client.force_login(make_user(role, username="someone"))
    assert client.get("/reports/dashboard/").status_code == status
    assert client.post("/reports/dashboard/").status_code in (403, 405)
