"""High usage: a posted run's bills far above the same period last year earn a notice (a row, a letter or an
e-mail, a task on the "High usage to call" queue), once; the comparison itself with plain values."""

from datetime import date
from decimal import Decimal as D

import pytest

from cistern.billing import high_usage, high_usage_services, services
from cistern.billing.models import Bill, BillRun, HighUsageNotice, HighUsageRule
from cistern.core.models import AuditEvent
from cistern.correspondence.models import Correspondence

JUL = date(2026, 7, 25)
RULE = high_usage.Threshold(D("50"), D("5"))


# --- the comparison, with plain values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "last_year", "high"),
    [
        ("15", "10", True),  # 50% and 5 units: both at the line
        ("14.9", "10", False),  # 49%
        ("30", "20", True),  # 50%, 10 units
        ("29.8", "20", False),  # 49%, 9.8 units
        ("6", "2", False),  # 200% but 4 units
        ("7", "2", True),  # 250%, 5 units
        ("5", "0", True),  # nothing last year: 5 units is high
        ("4", "0", False),  # nothing last year: 4 units is not
        ("0", "0", False),
    ],
)
def test_high_is_both_percent_and_units_above_last_year(units, last_year, high):
    assert high_usage.is_high(D(units), D(last_year), RULE) is high


def test_percent_above_to_the_whole_percent():
    assert high_usage.percent_above(D("14.9"), D("10")) == D("49")
    assert high_usage.percent_above(D("15"), D("10")) == D("50")
    assert high_usage.percent_above(D("5"), D("0")) is None


def _past(pk, start, end, units="10", account=1):
    return high_usage.PastBill(pk, account, start, end, D(units))


def test_the_bill_a_year_earlier_is_the_one_covering_most_of_the_same_dates():
    history = [
        _past(1, date(2025, 5, 25), date(2025, 6, 25)),  # 0 days of 06/25-07/25/2025
        _past(2, date(2025, 6, 25), date(2025, 7, 25)),  # all 30
        _past(3, date(2025, 7, 25), date(2025, 8, 25)),
    ]
    assert high_usage.comparable(date(2026, 6, 25), JUL, history).bill_id == 2
    # An account that began late in last year's period: 10 days of 30 is no history.
    late = [_past(4, date(2025, 7, 15), date(2025, 8, 25))]
    assert high_usage.comparable(date(2026, 6, 25), JUL, late) is None
    assert high_usage.comparable(date(2026, 6, 25), JUL, []) is None
    # Half the dates is enough.
    half = [_past(5, date(2025, 7, 10), date(2025, 8, 10))]
    assert high_usage.comparable(date(2026, 6, 25), JUL, half).bill_id == 5
    assert high_usage.year_earlier(date(2028, 2, 29)) == date(2027, 2, 28)


def test_compare_counts_no_history_apart_from_not_high():
    bills = [
        high_usage.BillUsage(10, 1, date(2026, 6, 25), JUL, D("20")),
        high_usage.BillUsage(11, 2, date(2026, 6, 25), JUL, D("12")),
        high_usage.BillUsage(12, 3, date(2026, 6, 25), JUL, D("40")),
    ]
    history = {
        1: [_past(1, date(2025, 6, 25), date(2025, 7, 25), "10", 1)],
        2: [_past(2, date(2025, 6, 25), date(2025, 7, 25), "10", 2)],
    }
    found = {c.bill_id: c for c in high_usage.compare(bills, history, RULE)}
    assert (found[10].high, found[10].last_year_units, found[10].last_year_bill_id) == (True, D("10"), 1)
    assert (found[11].high, found[11].last_year_units) == (False, D("10"))
    assert (found[12].high, found[12].last_year_bill_id) == (False, None)


# --- a posted run -----------------------------------------------------------------------------------------


def _last_year(account, units, biller, start=date(2025, 6, 25), end=date(2025, 7, 25)):
    """The account's bill for the same period a year earlier (as the previous system converted it)."""
    return Bill.objects.create(
        account=account, period_start=start, period_end=end, bill_date=date(2025, 7, 28),
        due_date=date(2025, 8, 17), units=D(units), current_charges=D("0"), amount_due=D("0"), created_by=biller,
    )  # fmt: skip


def _post(biller, lead, cycle, period_end=JUL) -> BillRun:
    run = services.bill_run_create(actor=biller, cycle=cycle, period_end=period_end)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    return services.bill_run_post(actor=biller, run=run)


@pytest.fixture
def accounts(district, biller, metered_account, customer_factory):
    """Five accounts read 06/25 at 100 and 07/25/2026, with last year's bill for the same dates."""
    made = {
        "high": metered_account([(JUL, "115")]),  # 15 vs 10: high
        "just_under": metered_account([(JUL, "114")]),  # 14 vs 10: 40%
        "few_units": metered_account([(JUL, "106")]),  # 6 vs 2: 200% but 4 units
        "paperless": metered_account(
            [(JUL, "130")],
            customer=customer_factory(
                name="Ana Ruiz", paperless=True, email="ana@example.org", preferred_language="es"
            ),
        ),  # 30 vs 12: high, by e-mail in Spanish
        "new": metered_account([(JUL, "150")]),  # no bill a year ago
    }
    for key, units in {"high": "10", "just_under": "10", "few_units": "2", "paperless": "12"}.items():
        _last_year(made[key], units, biller)
    return made


def test_a_posted_run_gives_the_right_bills_a_notice_and_a_letter(accounts, district, biller, lead):
    run = _post(biller, lead, district)

    notices = {n.account_id: n for n in HighUsageNotice.objects.select_related("correspondence")}
    assert set(notices) == {accounts["high"].pk, accounts["paperless"].pk}
    high, paperless = notices[accounts["high"].pk], notices[accounts["paperless"].pk]
    assert (high.units, high.last_year_units, high.status) == (D("15.00"), D("10.00"), "open")
    assert high.bill == Bill.objects.get(run=run, account=accounts["high"])
    assert high.rule == HighUsageRule.objects.get(effective_on=date(2000, 1, 1))  # the seeded default
    letter = high.correspondence
    assert (letter.channel, letter.language, letter.key) == ("letter", "en", f"high_usage:{high.bill_id}")
    assert "recorded 15 units of water in the period ending July 25, 2026" in letter.body
    assert "compared with 10 units in the same period last year" in letter.body
    email = paperless.correspondence
    assert (email.channel, email.language, email.email) == ("email", "es", "ana@example.org")
    assert "registró 30 unidades" in email.body and "12 unidades" in email.body
    assert Correspondence.objects.filter(source_kind="high_usage").count() == 2
    event = AuditEvent.objects.get(action="billing.high_usage")
    assert {key: after for key, (_, after) in event.changes.items()} == {
        "rule": high.rule_id, "bills": 5, "notices": 2, "letters": 1, "emails": 1, "already": 0, "not_high": 2,
        "no_history": 1, "no_address": 0,
    }  # fmt: skip


def test_looking_again_writes_nothing_twice(accounts, district, biller, lead):
    run = _post(biller, lead, district)
    again = high_usage_services.high_usage_notices_issue(actor=biller, run=run)
    assert (again.notices, again.already, again.letters, again.emails) == (0, 2, 0, 0)
    assert HighUsageNotice.objects.count() == 2
    assert Correspondence.objects.filter(source_kind="high_usage").count() == 2
    # A posted run is not posted again.
    with pytest.raises(services.BillingError):
        services.bill_run_post(actor=biller, run=run)
    assert HighUsageNotice.objects.count() == 2


def test_the_rule_is_data(accounts, district, biller, lead, supervisor):
    high_usage_services.high_usage_rule_save(
        actor=supervisor, rule=HighUsageRule(effective_on=date(2026, 1, 1), min_percent=D("30"), min_units=D("4")),
        reason="Board resolution 2026-01",
    )  # fmt: skip
    _post(biller, lead, district)
    # 14 vs 10 (40%, 4 units) is high under 30% and 4 units; 6 vs 2 is too.
    assert set(HighUsageNotice.objects.values_list("account_id", flat=True)) == {
        accounts[k].pk for k in ("high", "just_under", "few_units", "paperless")
    }
    rule = HighUsageRule.objects.get(effective_on=date(2026, 1, 1))
    rule.min_percent = D("40")
    with pytest.raises(services.BillingError, match="cannot change"):
        high_usage_services.high_usage_rule_save(actor=supervisor, rule=rule, reason="Typo")
    assert AuditEvent.objects.filter(action="high_usage_rule.add").count() == 1


def test_a_run_with_no_bills_a_year_earlier_issues_nothing(district, biller, lead, metered_account):
    metered_account([(JUL, "190")])
    _post(biller, lead, district)
    assert not HighUsageNotice.objects.exists()


def test_a_customer_with_no_address_gets_a_notice_to_call_but_no_letter(
    district, biller, lead, metered_account, customer_factory
):
    account = metered_account(
        [(JUL, "140")],
        customer=customer_factory(name="No Mail", mailing_street="", mailing_city="", mailing_zip=""),
    )
    _last_year(account, "10", biller)
    _post(biller, lead, district)
    notice = HighUsageNotice.objects.get()
    assert notice.correspondence is None and notice.status == "open"


# --- the queue, the done form, the account panel ----------------------------------------------------------


def test_the_queue_counts_lists_and_closes_with_done(
    client, accounts, district, biller, lead, css1, make_user
):
    _post(biller, lead, district)
    client.force_login(css1)
    home = client.get("/").content.decode()
    assert 'data-queue="high_usage"><a href="/billing/high-usage/"><span class="count">2</span>' in home
    page = client.get("/billing/high-usage/")
    assert page.status_code == 200
    text = page.content.decode()
    assert accounts["high"].number in text and accounts["paperless"].number in text
    assert accounts["just_under"].number not in text
    assert "50%" in text and "150%" in text  # 15 vs 10, 30 vs 12

    notice = HighUsageNotice.objects.get(account=accounts["high"])
    response = client.post(f"/billing/high-usage/{notice.pk}/done/", {"note": "  "})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "open"  # no note: refused
    response = client.post(
        f"/billing/high-usage/{notice.pk}/done/", {"note": "Called the customer, leak check offered"}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.done_by, notice.note) == (
        "done",
        css1,
        "Called the customer, leak check offered",
    )
    assert notice.done_at is not None
    assert AuditEvent.objects.filter(
        action="billing.high_usage_done", account_id=accounts["high"].pk
    ).exists()
    home = client.get("/").content.decode()
    assert 'data-queue="high_usage"><a href="/billing/high-usage/"><span class="count">1</span>' in home
    assert accounts["high"].number not in client.get("/billing/high-usage/").content.decode()

    # Done twice: refused with a message, nothing changed.
    with pytest.raises(services.BillingError, match="already done"):
        high_usage_services.high_usage_done(actor=css1, notice=notice, note="Again")

    # The account page shows the notice and what was done.
    account_page = client.get(f"/accounts/{accounts['high'].number}/").content.decode()
    assert 'id="account-high-usage"' in account_page and "leak check offered" in account_page


def test_pages_answer_by_permission(client, accounts, district, biller, lead, make_user):
    from cistern.core import roles

    _post(biller, lead, district)
    notice = HighUsageNotice.objects.first()
    cashier = make_user(roles.CASHIER, username="hu_cashier")
    auditor = make_user(roles.AUDITOR, username="hu_auditor")
    client.force_login(cashier)
    assert client.get("/billing/high-usage/").status_code == 403
    assert client.post(f"/billing/high-usage/{notice.pk}/done/", {"note": "x"}).status_code == 403
    client.force_login(auditor)  # reads, does not call
    assert client.get("/billing/high-usage/").status_code == 200
    assert client.post(f"/billing/high-usage/{notice.pk}/done/", {"note": "x"}).status_code == 403
    assert 'data-queue="high_usage"' not in client.get("/").content.decode()
    notice.refresh_from_db()
    assert notice.status == "open"


def test_issuing_reads_in_a_few_queries_whatever_the_run_size(
    accounts, district, biller, lead, metered_account, django_assert_max_num_queries
):
    """No query per bill: last year's bills in one query, the letters in one bulk issue."""
    for n in range(6):  # six more high bills: eight in all
        _last_year(metered_account([(JUL, str(120 + n))]), "10", biller)
    HighUsageRule.objects.update(active=False)
    run = _post(biller, lead, district)
    assert not HighUsageNotice.objects.exists()
    HighUsageRule.objects.update(active=True)
    # 20 for 11 bills; none per bill (5,000 add only a chunk per 1,000 rows): the run, the rule, the bills, the notices
    # there are, the accounts, the letters (keys, templates, the district; one insert each), the audit.
    with django_assert_max_num_queries(20):
        result = high_usage_services.high_usage_notices_issue(actor=biller, run=run)
    assert (result.bills, result.notices, result.letters, result.emails) == (11, 8, 7, 1)
