"""Reconnection after a lock-off, on a district's real rows: an unpaid bill runs to a lock-off list, a lead
confirms it and a technician locks the meter; then a payment of the past due (at the counter, or in a lockbox
file) orders the reconnection for the same business day before the cut-off hour, else the next, with the
reconnection fee, capped for a low-income customer. And the late penalty (interest) waived once in 12 months for
a low-income customer. The pure parts with plain values at the end."""

from datetime import date, datetime, time
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cistern.collections import receivers, reconnection, services
from cistern.collections.reconnection_terms import FeeCharged, TermsError, fee_charged, reconnect_day
from cistern.core import clock, roles
from cistern.core.calendar import BusinessCalendar
from cistern.core.models import AuditEvent
from cistern.core.selectors import district_calendar
from cistern.customers import services as customers
from cistern.demo.rates import load_rates
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import ServiceOrder
from cistern.ledger import late_fees
from cistern.ledger.models import InterestWaiver, JournalEntry, JournalLine
from cistern.ledger.services import Posting, assess_late_fees, journal_post
from cistern.payments import services as payments
from cistern.payments.batch import BatchItem, payments_post_batch
from cistern.rates import services as rates
from cistern.rates.models import Fee, FeeCap
from tests.fieldwork import helpers

LA = ZoneInfo("America/Los_Angeles")
DUE = date(2026, 9, 25)  # a Friday; delinquent from Saturday 09/26
LOCKED_ON = date(2026, 11, 25)  # a Wednesday: the day the notice states; Thanksgiving follows
PAST_DUE = D("132.00")  # the $120.00 bill and its $12.00 late fee


# --- building a locked-off account ------------------------------------------------------------------------------


@pytest.fixture
def people(make_user):
    load_rates()
    return {
        "biller": make_user(roles.BILLING_ADMIN, username="rc_biller"),
        "supervisor": make_user(roles.SUPERVISOR, username="rc_supervisor"),
        "cashier": make_user(roles.CASHIER, username="rc_cashier"),
        "tech": make_user(roles.FIELD_TECHNICIAN, username="rc_tech"),
    }


@pytest.fixture
def at(monkeypatch):
    """Set the district's local time of day (and day) the reconnection is asked at."""

    def set_to(day: date, hour: int, minute: int = 0):
        monkeypatch.setattr(
            reconnection, "local_now", lambda: datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA)
        )

    return set_to


def _bill(actor, account, amount, due=DUE):
    return journal_post(
        actor=actor, entry_date=date.fromordinal(due.toordinal() - 20), memo="Water bill", source_kind="bill",
        postings=[Posting("1200", D(amount), account.pk, due_date=due), Posting("4110", -D(amount))],
    )  # fmt: skip


def _credit(actor, account, amount, on):
    """A credit posted straight to the ledger (as an adjustment would): no payment, so no reconnection by itself."""
    journal_post(
        actor=actor, entry_date=on, memo="Credit", source_kind="adjustment",
        postings=[Posting("1010", D(amount)), Posting("1200", -D(amount), account.pk)],
    )  # fmt: skip


@pytest.fixture
def locked_off(people, css2, start_account):
    """`count` accounts, each metered, billed $120.00 due 09/25, run through the notices, put on the 11/25
    lock-off list, confirmed by a lead and locked off by a technician that day."""

    def make(count=1, low_income=()):
        accounts = []
        for i in range(count):
            account = start_account()
            customers.account_activate(actor=css2, account=account, on=date(2026, 8, 3), reason="Turned on")
            helpers.meter_at(account.premise, actor=people["supervisor"], serial=f"RC{i:04d}",
                             installed_on=date(2026, 8, 1), initial="100")  # fmt: skip
            _bill(people["biller"], account, "120.00")
            accounts.append(account)
        for i in low_income:
            customers.flag_add(actor=people["supervisor"], account=accounts[i], kind="low_income",
                               starts_on=date(2026, 11, 1), expires_on=None, reason="CalFresh")  # fmt: skip
        for day in (date(2026, 10, 26), LOCKED_ON):
            with clock.on(day):
                result = services.collections_run(actor=people["biller"], on=day)
        with clock.on(LOCKED_ON):
            done = services.lockoff_list_confirm(actor=css2, lockoff_list=result.lockoff_list)
        assert len(done.orders) == count
        for order in done.orders:
            order = fieldwork.order_schedule(actor=people["supervisor"], order=order, scheduled_on=LOCKED_ON,
                                             technician=people["tech"])  # fmt: skip
            order = fieldwork.order_dispatch(actor=people["supervisor"], order=order)
            fieldwork.order_complete(actor=people["tech"], order=order,
                                     completion=fieldwork.Completion(on=LOCKED_ON, read_value="112"))  # fmt: skip
        from cistern.collections import selectors

        assert selectors.locked_off_accounts([a.pk for a in accounts]) == {a.pk for a in accounts}
        return accounts

    return make


@pytest.fixture
def thanksgiving(db):
    """The district's list (loaded from the holidays package after migrating) closes Thanksgiving and the day
    after."""
    calendar = district_calendar()
    assert not calendar.is_business_day(date(2026, 11, 26)) and not calendar.is_business_day(
        date(2026, 11, 27)
    )


def _pay_at_counter(cashier, account, amount, on):
    with clock.on(on):
        session = payments.open_session_of(cashier) or payments.drawer_open(
            actor=cashier, drawer_name="Counter 1", opening_float=D("100.00")
        )
        request = payments.PaymentRequest(channel="counter", parts=[(account, D(amount))],
                                          tenders=[payments.Tender("cash", D(amount))])  # fmt: skip
        payment, _ = payments.payment_post(actor=cashier, request=request, session=session)
    return payment


def _reconnects(account):
    return list(ServiceOrder.objects.filter(account=account, order_type__code="reconnect"))


def _fees(account):
    return list(
        JournalLine.objects.filter(account=account, entry__source_kind="reconnection_fee").values_list(
            "amount", "due_date"
        )
    )


# --- a payment reconnects -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_counter_payment_of_the_past_due_before_the_cutoff_reconnects_the_same_day(people, locked_off, at):
    (account,) = locked_off()
    at(LOCKED_ON, 10, 30)
    _pay_at_counter(people["cashier"], account, "132.00", LOCKED_ON)
    (order,) = _reconnects(account)
    assert (order.requested_on, order.origin, order.priority, order.status) == (
        LOCKED_ON,
        "collections",
        "2",
        "open",
    )
    assert f"$132.00 paid {LOCKED_ON:%m/%d/%Y}" in order.notes
    # The catalog's office-hours fee (the demo's $50.00), due today, so the account is not past due again.
    assert _fees(account) == [(D("50.00"), LOCKED_ON)]
    entry = JournalEntry.objects.get(source_kind="reconnection_fee")
    assert entry.source_id == order.pk and entry.entry_date == LOCKED_ON
    assert AuditEvent.objects.filter(action="collections.reconnect", account_id=account.pk).count() == 1
    # A second payment the same day orders nothing more.
    _pay_at_counter(people["cashier"], account, "50.00", LOCKED_ON)
    assert len(_reconnects(account)) == 1 and len(_fees(account)) == 1


@pytest.mark.django_db
def test_after_the_cutoff_the_day_before_a_holiday_the_reconnection_is_the_next_business_day(
    people, locked_off, at, thanksgiving
):
    (account,) = locked_off()
    at(LOCKED_ON, 15, 0)  # the cut-off itself (15:00) is after it
    _pay_at_counter(people["cashier"], account, "132.00", LOCKED_ON)
    (order,) = _reconnects(account)
    assert order.requested_on == date(2026, 11, 30)  # Thanksgiving Thursday and Friday, the weekend: Monday


@pytest.mark.django_db
def test_a_friday_payment_after_the_cutoff_is_reconnected_monday(people, locked_off, at):
    (account,) = locked_off()
    friday = date(2026, 12, 4)
    at(friday, 15, 30)
    _pay_at_counter(people["cashier"], account, "132.00", friday)
    (order,) = _reconnects(account)
    assert order.requested_on == date(2026, 12, 7)
    assert _fees(account) == [(D("50.00"), friday)]


@pytest.mark.django_db
def test_a_partial_payment_orders_nothing_until_the_past_due_is_paid(people, locked_off, at):
    (account,) = locked_off()
    at(LOCKED_ON, 9, 0)
    _pay_at_counter(people["cashier"], account, "100.00", LOCKED_ON)
    assert _reconnects(account) == [] and _fees(account) == []
    _pay_at_counter(people["cashier"], account, "32.00", LOCKED_ON)
    (order,) = _reconnects(account)
    assert "$32.00 paid" in order.notes and order.requested_on == LOCKED_ON


@pytest.mark.django_db
def test_a_lockbox_batch_reconnects_a_locked_off_account_it_pays(people, locked_off, at, start_account):
    (account,) = locked_off()
    other = start_account()
    _bill(people["biller"], other, "40.00")
    at(LOCKED_ON, 11, 0)
    with clock.on(LOCKED_ON):
        payments_post_batch(
            actor=people["supervisor"], channel="lockbox", received_on=LOCKED_ON,
            items=[BatchItem(account.pk, D("132.00"), tender="check", check_number="1001"),
                   BatchItem(other.pk, D("40.00"), tender="check", check_number="1002")],
        )  # fmt: skip
    (order,) = _reconnects(account)
    assert order.requested_on == LOCKED_ON and "$132.00 paid" in order.notes
    assert _reconnects(other) == []


@pytest.mark.django_db
def test_the_receiver_costs_one_query_when_no_account_paid_is_locked_off(people, start_account):
    accounts = [start_account() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        receivers.reconnect_when_paid(
            None, actor=people["cashier"], payment=None, account_ids=[a.pk for a in accounts],
            amounts={a.pk: D("10.00") for a in accounts}, on=LOCKED_ON,
        )  # fmt: skip
    assert len(queries) == 1


# --- the fee ---------------------------------------------------------------------------------------------------


def _catalog(people, code, name, amount):
    with clock.on(date(2025, 12, 1)):
        rates.fee_save(actor=people["supervisor"], reason="Board resolution 25-7",
                       fee=Fee(code=code, name=name, amount=D(amount), gl_account="4240",
                               effective_from=date(2026, 1, 1)))  # fmt: skip


@pytest.mark.django_db
def test_the_fee_is_the_catalogs_for_a_customer_and_capped_for_a_low_income_one(people, locked_off, at):
    _catalog(people, "reconnect_office", "Reconnection, office hours", "85.00")
    normal, poor, poorer = locked_off(3, low_income=(1, 2))
    at(LOCKED_ON, 10, 0)
    _pay_at_counter(people["cashier"], normal, "132.00", LOCKED_ON)
    _pay_at_counter(people["cashier"], poor, "132.00", LOCKED_ON)
    assert _fees(normal) == [(D("85.00"), LOCKED_ON)]
    assert _fees(poor) == [(D("50.00"), LOCKED_ON)]  # the HSC 116914 cap in force since 01/01/2021
    assert (
        "capped at $50.00"
        in JournalEntry.objects.get(source_kind="reconnection_fee", lines__account=poor).reason
    )
    # The actual cost, when lower, is what a low-income customer pays (a clerk orders it from the account page).
    _credit(people["biller"], poorer, "132.00", LOCKED_ON)
    order = reconnection.reconnect_request(
        actor=people["supervisor"], account=poorer, after_hours=False, on=LOCKED_ON, actual_cost=D("32.50")
    )
    assert order.requested_on == LOCKED_ON and _fees(poorer) == [(D("32.50"), LOCKED_ON)]


@pytest.mark.django_db
def test_an_after_hours_reconnection_is_capped_at_150_for_a_low_income_customer(people, locked_off, at):
    _catalog(people, "reconnect_after_hours", "Turn-on after hours", "200.00")
    normal, poor = locked_off(2, low_income=(1,))
    at(LOCKED_ON, 18, 45)  # after the cut-off: the customer asks for tonight
    for account in (normal, poor):
        _credit(people["biller"], account, "132.00", LOCKED_ON)
        order = reconnection.reconnect_request(actor=people["supervisor"], account=account, after_hours=True,
                                               on=LOCKED_ON)  # fmt: skip
        assert order.requested_on == LOCKED_ON and "after hours" in order.notes
    assert _fees(normal) == [(D("200.00"), LOCKED_ON)]
    assert _fees(poor) == [(D("150.00"), LOCKED_ON)]


@pytest.mark.django_db
def test_a_new_cap_from_a_later_date_applies_and_a_cap_in_force_keeps_its_amount(
    people, locked_off, at, make_user
):
    _catalog(people, "reconnect_office", "Reconnection, office hours", "85.00")
    (poor,) = locked_off(low_income=(0,))
    editor = make_user(None, username="rc_rates_editor")
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="rates", codename__endswith="feecap")
    )
    editor = type(editor).objects.get(pk=editor.pk)
    people = {**people, "supervisor": editor}
    with clock.on(date(2026, 11, 1)):
        rates.fee_cap_save(actor=people["supervisor"], reason="CPI adjustment adopted",
                           cap=FeeCap(fee_code="reconnect_office", starts_on=date(2026, 11, 15), amount=D("57.25"),
                                      note="HSC 116914 cap, CPI-adjusted"))  # fmt: skip
        old = FeeCap.objects.get(fee_code="reconnect_office", starts_on=date(2021, 1, 1))
        old.amount = D("60.00")
        with pytest.raises(rates.RatesError, match="in force since 01/01/2021"):
            rates.fee_cap_save(actor=people["supervisor"], cap=old)
    assert FeeCap.objects.get(pk=old.pk).amount == D("50.00")
    at(LOCKED_ON, 10, 0)
    _pay_at_counter(people["cashier"], poor, "132.00", LOCKED_ON)
    assert _fees(poor) == [(D("57.25"), LOCKED_ON)]


@pytest.mark.django_db
def test_a_reconnection_is_refused_while_past_due_is_open_or_an_order_is_open(
    people, locked_off, at, start_account
):
    (account,) = locked_off()
    at(LOCKED_ON, 10, 0)
    with pytest.raises(reconnection.ReconnectionError, match=r"\$132.00 is still past due"):
        reconnection.reconnect_request(
            actor=people["supervisor"], account=account, after_hours=False, on=LOCKED_ON
        )
    with pytest.raises(reconnection.ReconnectionError, match="not locked off"):
        reconnection.reconnect_request(actor=people["supervisor"], account=start_account(), after_hours=False,
                                       on=LOCKED_ON)  # fmt: skip
    _pay_at_counter(people["cashier"], account, "132.00", LOCKED_ON)
    with pytest.raises(reconnection.ReconnectionError, match="already has a reconnect order open"):
        reconnection.reconnect_request(
            actor=people["supervisor"], account=account, after_hours=False, on=LOCKED_ON
        )
    with pytest.raises(Exception, match="permission|not allowed|Permission"):
        reconnection.reconnect_request(
            actor=people["cashier"], account=account, after_hours=False, on=LOCKED_ON
        )
    assert len(_reconnects(account)) == 1


# --- the account page -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_account_page_offers_reconnect_and_the_form_orders_it(people, locked_off, at, client, css2):
    (account,) = locked_off()
    at(LOCKED_ON, 10, 0)
    page = reverse("customers:account", args=[account.number])
    client.force_login(css2)
    with clock.on(LOCKED_ON):
        assert 'id="reconnect-form"' in client.get(page).content.decode()
        _credit(people["biller"], account, "132.00", LOCKED_ON)
        client.force_login(people["cashier"])
        url = reverse("collections:reconnect", args=[account.number])
        assert client.post(url, {"actual_cost": "20.00"}).status_code == 403
        client.force_login(css2)
        response = client.post(url, {"actual_cost": "20.00"}, follow=True)
    text = response.content.decode()
    (order,) = _reconnects(account)
    assert f"{order.label} reconnect ordered for 11/25/2026; reconnection fee $50.00." in text
    assert _fees(account) == [(D("50.00"), LOCKED_ON)]  # not low-income: the catalog's fee, whatever the cost


# --- the late penalty waived once in 12 months for a low-income customer -----------------------------------------


@pytest.mark.django_db
def test_a_low_income_customers_first_late_fee_in_12_months_is_waived_and_the_next_charged(
    people, start_account
):
    Fee.objects.filter(code="late_penalty").update(is_interest=True)
    poor, normal = start_account(), start_account()
    customers.flag_add(actor=people["supervisor"], account=poor, kind="low_income", starts_on=date(2026, 1, 1),
                       expires_on=None, reason="Medi-Cal")  # fmt: skip
    first = _bill(people["biller"], poor, "120.00")
    _bill(people["biller"], normal, "120.00")
    on = date(2026, 10, 26)  # 31 days after 09/25
    posted = assess_late_fees(actor=people["biller"], on=on)
    assert [
        (e.lines.get(account__isnull=False).account_id, e.lines.get(account__isnull=False).amount)
        for e in posted
    ] == [(normal.pk, D("12.00"))]
    waiver = InterestWaiver.objects.get()
    bill_line = first.lines.get(account=poor)
    assert (waiver.account_id, waiver.fee_code, waiver.on, waiver.charge_line_id) == (
        poor.pk,
        "late_penalty",
        on,
        bill_line.pk,
    )
    assert AuditEvent.objects.filter(action="ledger.interest_waiver", account_id=poor.pk).count() == 1
    # The waived bill is not penalized on a later run either.
    assert assess_late_fees(actor=people["biller"], on=date(2026, 10, 27)) == []
    # The next late fee within 12 months is charged.
    _bill(people["biller"], poor, "80.00", due=date(2026, 10, 30))
    (second,) = assess_late_fees(actor=people["biller"], on=date(2026, 11, 30))
    assert second.lines.get(account=poor).amount == D("10.00")  # the greater of $10.00 or 10% of $80.00
    assert InterestWaiver.objects.count() == 1
    # Twelve months after the waiver, the first one is waived again.
    _bill(people["biller"], poor, "60.00", due=date(2027, 9, 30))
    assert assess_late_fees(actor=people["biller"], on=date(2027, 10, 30)) == []
    assert list(InterestWaiver.objects.order_by("on").values_list("on", flat=True)) == [
        on,
        date(2027, 10, 30),
    ]


@pytest.mark.django_db
def test_a_late_penalty_not_marked_interest_is_charged_to_a_low_income_customer(people, start_account):
    Fee.objects.filter(code="late_penalty").update(is_interest=False)
    poor = start_account()
    customers.flag_add(actor=people["supervisor"], account=poor, kind="low_income", starts_on=date(2026, 1, 1),
                       expires_on=None, reason="SSI")  # fmt: skip
    _bill(people["biller"], poor, "120.00")
    (entry,) = assess_late_fees(actor=people["biller"], on=date(2026, 10, 26))
    assert entry.lines.get(account=poor).amount == D("12.00") and not InterestWaiver.objects.exists()


# --- the pure parts, with plain values ---------------------------------------------------------------------------

CALENDAR = BusinessCalendar.with_closures(
    [], holidays={date(2026, 11, 26): "Thanksgiving Day", date(2026, 11, 27): "Day After Thanksgiving"}
)
CUTOFF = time(15, 0)


@pytest.mark.parametrize(
    ("on", "at", "after_hours", "expected"),
    [
        (date(2026, 12, 2), time(14, 59), False, date(2026, 12, 2)),  # Wednesday before 15:00: today
        (date(2026, 12, 2), time(15, 0), False, date(2026, 12, 3)),  # at the cut-off: the next business day
        (date(2026, 12, 4), time(15, 30), False, date(2026, 12, 7)),  # Friday after it: Monday
        (date(2026, 12, 5), time(9, 0), False, date(2026, 12, 7)),  # Saturday: Monday
        (
            date(2026, 11, 25),
            time(16, 0),
            False,
            date(2026, 11, 30),
        ),  # before Thanksgiving's two days: Monday
        (date(2026, 11, 26), time(9, 0), False, date(2026, 11, 30)),  # on the holiday
        (date(2026, 12, 4), time(18, 0), True, date(2026, 12, 4)),  # after hours, as asked: that day
    ],
)
def test_reconnect_day(on, at, after_hours, expected):
    assert reconnect_day(on=on, at=at, cutoff=CUTOFF, calendar=CALENDAR, after_hours=after_hours) == expected


@pytest.mark.parametrize(
    ("catalog", "low_income", "cap", "actual", "expected"),
    [
        (
            "85.00",
            False,
            "50.00",
            "20.00",
            "85.00",
        ),  # not low-income: the catalog's, whatever the cap or cost
        ("85.00", True, "50.00", None, "50.00"),
        ("85.00", True, "50.00", "32.50", "32.50"),
        ("45.00", True, "50.00", None, "45.00"),  # under the cap
        ("200.00", True, "150.00", "175.00", "150.00"),
        ("85.00", True, None, None, "85.00"),  # no cap on file
        ("85.00", True, "50.00", "0.00", "0.00"),
    ],
)
def test_fee_charged(catalog, low_income, cap, actual, expected):
    charged = fee_charged(
        catalog=D(catalog),
        low_income=low_income,
        cap=D(cap) if cap else None,
        actual_cost=D(actual) if actual else None,
    )
    assert isinstance(charged, FeeCharged) and charged.amount == D(expected) and charged.catalog == D(catalog)


def test_fee_charged_refuses_a_figure_not_in_cents():
    with pytest.raises(TermsError, match="actual cost"):
        fee_charged(catalog=D("50.00"), low_income=True, actual_cost=D("12.345"))
    with pytest.raises(TermsError, match="cap"):
        fee_charged(catalog=D("50.00"), low_income=True, cap=D("-1.00"))


def test_interest_is_waived_once_in_twelve_months():
    p1, p2 = late_fees.Penalty(1, D("12.00"), D("120.00")), late_fees.Penalty(2, D("10.00"), D("80.00"))
    on = date(2026, 10, 26)
    assert late_fees.waive_interest([p1, p2], on=on, low_income=True, last_waived=None) == ([p2], [p1])
    assert late_fees.waive_interest([p1, p2], on=on, low_income=False, last_waived=None) == ([p1, p2], [])
    assert late_fees.waive_interest([p1], on=on, low_income=True, last_waived=date(2025, 10, 27)) == (
        [p1],
        [],
    )
    assert late_fees.waive_interest([p1], on=on, low_income=True, last_waived=date(2025, 10, 26)) == (
        [],
        [p1],
    )
    assert late_fees.waive_interest([], on=on, low_income=True, last_waived=None) == ([], [])
    assert late_fees.year_after(date(2028, 2, 29)) == date(2029, 2, 28)
    assert late_fees.waiver_due(on=date(2029, 2, 27), last_waived=date(2028, 2, 29)) is False
    assert late_fees.waiver_due(on=date(2029, 2, 28), last_waived=date(2028, 2, 29)) is True
