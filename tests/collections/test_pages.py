"""The collections pages: the lock-off lists, a day's list with its excluded accounts and a lead's confirmation, the
daily run (and its dry run), and the account page's panel (today's decision, notices, the call script, disputes).

Two accounts billed $764.80 and more for July (due 08/17/2026, delinquent from 08/18) go through the daily run as
the district's would: the reminder on 08/27, the shutoff notice on 09/16 stating 10/19 (60 days from 08/18 is
Saturday 10/17, the next business day), and the lock-off list of Monday 10/19."""

# ruff: noqa: F811 (the billing tests' district fixtures, imported for use as fixtures)
import re
from datetime import date
from decimal import Decimal

import pytest

from cistern.billing import services as billing
from cistern.collections import services
from cistern.collections.models import (
    CollectionRun,
    Hold,
    LockoffCandidate,
    LockoffList,
    Notice,
    PhoneContact,
)
from cistern.core import clock, roles
from cistern.correspondence.models import Correspondence
from cistern.customers.models import ContactEntry
from cistern.fieldwork.models import ServiceOrder
from cistern.ledger.models import JournalEntry
from tests.billing.conftest import biller, district, lead, metered_account, supervisor  # noqa: F401

pytestmark = pytest.mark.django_db

JUL = date(2026, 7, 25)
REMINDER_DAY, NOTICE_DAY, LOCKOFF_DAY = date(2026, 8, 27), date(2026, 9, 16), date(2026, 10, 19)
LIST_URL = "/collections/lockoffs/2026-10-19/"


@pytest.fixture
def noticed(district, biller, lead, supervisor, metered_account):
    """Two accounts past due since 08/18/2026, reminded and sent the shutoff notice (stating 10/19/2026)."""
    first = metered_account([(JUL, "160")])
    second = metered_account([(JUL, "170")])
    run = billing.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    billing.bill_run_approve(actor=lead, run=run)
    billing.bill_run_post(actor=biller, run=run)
    for day in (REMINDER_DAY, NOTICE_DAY):
        with clock.on(day):
            services.collections_run(actor=supervisor, on=day)
    assert Notice.objects.filter(kind="shutoff", shutoff_on=LOCKOFF_DAY).count() == 2
    return first, second


@pytest.fixture
def listed(noticed, supervisor):
    """The lock-off list of 10/19/2026 with both accounts included."""
    with clock.on(LOCKOFF_DAY):
        result = services.collections_run(actor=supervisor, on=LOCKOFF_DAY)
    assert result.lockoff_list.candidates.filter(included=True).count() == 2
    return noticed


def _signed_in(client, make_user, role):
    client.force_login(make_user(role, username=f"pages_{role}".replace(" ", "_")))
    return client


def _text(response) -> str:
    """The page's text without tags, spaces run together."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _row(response, table_id: str, number: str) -> str:
    """The text of the row of account `number` in the table `table_id`."""
    body = response.content.decode()
    table = re.search(rf'<table id="{table_id}">(.*?)</table>\s*(?:<p|</form|</section)', body, re.S)
    assert table, f"no table {table_id}"
    row = re.search(rf'<tr data-account="{number}">(.*?)</tr>\s*(?=<tr data-account|</tbody)', table[1], re.S)
    assert row, f"account {number} not in {table_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", row[1]).split())


# --- who may open what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "lists", "run", "confirm"),
    [
        (roles.CSS_I, 200, 403, False),
        (roles.CSS_II, 200, 403, True),
        (roles.SUPERVISOR, 200, 200, True),
        (roles.BILLING_ADMIN, 200, 200, False),
        (roles.AUDITOR, 200, 403, False),
        (roles.CASHIER, 403, 403, False),
        (roles.FIELD_TECHNICIAN, 403, 403, False),
    ],
)
def test_pages_open_for_the_roles_that_work_them(client, make_user, role, lists, run, confirm):
    LockoffList.objects.create(day=LOCKOFF_DAY)
    client = _signed_in(client, make_user, role)
    assert client.get("/collections/lockoffs/").status_code == lists
    assert client.get(LIST_URL).status_code == lists
    assert client.get("/collections/run/").status_code == run
    # The confirm button shows to a lead only; a CSS I posting it anyway is refused.
    allowed = client.post(f"{LIST_URL}confirm/", {"account": "1"}).status_code != 403
    assert allowed == confirm


def test_a_list_that_does_not_exist_or_a_day_that_does_not_fit(client, make_user):
    client = _signed_in(client, make_user, roles.CSS_II)
    assert client.get("/collections/lockoffs/2026-10-20/").status_code == 404
    assert client.get("/collections/lockoffs/2026-02-30/").status_code == 400
    assert client.get("/collections/lockoffs/0001-01-01/").status_code == 400


# --- the lock-off list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_account_and_an_excluded_accounts_reason(client, make_user, noticed, supervisor):
    """A dispute opened on the account page on 10/15 keeps the account off the next run's list, the reason
    naming the dispute in plain sight."""
    first, second = noticed
    client = _signed_in(client, make_user, roles.CSS_I)
    with clock.on(date(2026, 10, 15)):
        response = client.post(
            f"/collections/accounts/{second.number}/holds/",
            {"kind": "dispute", "starts_on": "2026-10-15", "reason": "Says the July read is too high"},
            follow=True,
        )
    assert "Bill dispute or appeal opened from 10/15/2026: collection paused." in _text(response)
    hold = Hold.objects.get(account=second)
    assert (hold.kind, hold.starts_on, hold.ends_on, hold.closed_on) == (
        "dispute",
        date(2026, 10, 15),
        None,
        None,
    )

    client = _signed_in(client, make_user, roles.SUPERVISOR)
    with clock.on(LOCKOFF_DAY):
        response = client.post("/collections/run/", {"on": "2026-10-19"}, follow=True)
    assert "Collections 10/19/2026: 2 past-due accounts" in _text(response)
    assert "1 lock-off candidates, 1 excluded." in _text(response)

    with clock.on(LOCKOFF_DAY):
        page = client.get(LIST_URL)
    assert page.status_code == 200
    excluded = _row(page, "excluded-table", second.number)
    assert "A bill dispute hold is in force from 10/15/2026 until it is closed." in excluded
    assert second.customer.name in excluded and second.premise.service_address in excluded
    included = _row(page, "included-table", first.number)
    candidate = LockoffCandidate.objects.get(account=first)
    # Amount to the cent, days delinquent from 08/18 through 10/19, the notices with the date they state.
    assert f"${candidate.amount:,}" in included
    assert " 63 08/18/2026 " in f" {included} "
    assert "Past-due reminder 08/27/2026" in included
    assert "Shutoff notice 09/16/2026, shutoff 10/19/2026" in included
    assert "Rule trace" in included and "delinquent_60_days" in included
    assert f'href="/accounts/{first.number}/"' in page.content.decode()
    assert 'aria-label="Lock off account ' + first.number in page.content.decode()
    assert "Confirm and create lock-off orders" in page.content.decode()

    with clock.on(LOCKOFF_DAY):
        lists = client.get("/collections/lockoffs/")
    row = re.search(r'<tr data-day="2026-10-19">(.*?)</tr>', lists.content.decode(), re.S)[1]
    assert " ".join(re.sub(r"<[^>]+>", " ", row).split()) == "Mon 10/19/2026 Proposed to confirm 1 1 — —"


def test_a_lead_confirms_and_lockoff_orders_are_created(client, make_user, listed):
    first, second = listed
    lead = make_user(roles.CSS_II, username="collections_lead")
    lead.first_name, lead.last_name = "Lena", "Lead"
    lead.save()
    client.force_login(lead)
    with clock.on(LOCKOFF_DAY):
        response = client.post(f"{LIST_URL}confirm/", {"account": [first.pk, second.pk]}, follow=True)
    orders = ServiceOrder.objects.filter(order_type__code="lock_off").order_by("number")
    assert [(o.account_id, o.origin, o.requested_on, o.status) for o in orders] == [
        (first.pk, "collections", LOCKOFF_DAY, "open"),
        (second.pk, "collections", LOCKOFF_DAY, "open"),
    ]
    text = _text(response)
    labels = ", ".join(o.label for o in orders)
    assert f"Lock-off list for 10/19/2026 confirmed: 2 lock-off orders created: {labels}." in text
    lockoff_list = LockoffList.objects.get(day=LOCKOFF_DAY)
    assert (lockoff_list.status, lockoff_list.confirmed_by) == ("confirmed", lead)
    assert "Confirmed" in response.content.decode().split('id="list-status">')[1][:20]
    for order in orders:
        assert f'<a href="/field/orders/{order.number}/">{order.label}</a>' in response.content.decode()
    assert "Confirm and create lock-off orders" not in response.content.decode()
    lists = client.get("/collections/lockoffs/")
    row = re.search(r'<tr data-day="2026-10-19">(.*?)</tr>', lists.content.decode(), re.S)[1]
    assert "Confirmed" in row and "Lena Lead" in row

    # Confirmed once: a second confirmation is refused, with the reason, and creates nothing.
    with clock.on(LOCKOFF_DAY):
        again = client.post(f"{LIST_URL}confirm/", {"account": [first.pk]}, follow=True)
    assert "The lock-off list for 10/19/2026 is already confirmed." in _text(again)
    assert ServiceOrder.objects.filter(order_type__code="lock_off").count() == 2


def test_only_the_ticked_accounts_and_one_set_aside_at_confirmation(client, make_user, listed, lead):
    """The lead unticks one account; another, disputed after the list was made, is judged again and set aside."""
    first, second = listed
    third_party = make_user(roles.CSS_I, username="counter_clerk")
    services.hold_open(
        actor=third_party, account=second, kind="dispute", starts_on=LOCKOFF_DAY, reason="Called this morning"
    )
    client.force_login(lead)
    with clock.on(LOCKOFF_DAY):
        response = client.post(f"{LIST_URL}confirm/", {"account": [second.pk]}, follow=True)
    text = _text(response)
    assert "confirmed: 0 lock-off orders created." in text
    assert (
        f"Account {second.number} set aside at confirmation: "
        "A bill dispute hold is in force from 10/19/2026 until it is closed."
    ) in text
    assert not ServiceOrder.objects.filter(order_type__code="lock_off").exists()
    assert "At confirmation: A bill dispute hold" in _row(response, "excluded-table", second.number)
    assert LockoffCandidate.objects.get(account=first).order is None


def test_nothing_ticked_confirms_nothing(client, make_user, listed, lead):
    client.force_login(lead)
    with clock.on(LOCKOFF_DAY):
        response = client.post(f"{LIST_URL}confirm/", {}, follow=True)
    assert "No account ticked: nothing confirmed." in _text(response)
    assert LockoffList.objects.get(day=LOCKOFF_DAY).status == "proposed"


def test_a_list_for_a_day_gone_by_is_not_confirmed(client, listed, lead):
    first, _ = listed
    client.force_login(lead)
    with clock.on(date(2026, 10, 20)):
        page = client.get(LIST_URL)
        response = client.post(f"{LIST_URL}confirm/", {"account": [first.pk]}, follow=True)
    assert "a day gone by: it can no longer be confirmed" in _text(page)
    assert "is for a day gone by; run collections for today." in _text(response)
    assert not ServiceOrder.objects.filter(order_type__code="lock_off").exists()


def test_the_list_page_reads_a_fixed_number_of_queries(client, listed, lead, django_assert_max_num_queries):
    """Candidates, their accounts, customers, addresses and orders in one read (10 queries in all, measured)."""
    first, second = listed
    client.force_login(lead)
    with clock.on(LOCKOFF_DAY):
        with django_assert_max_num_queries(10):
            assert client.get(LIST_URL).status_code == 200
        client.post(f"{LIST_URL}confirm/", {"account": [first.pk, second.pk]})
        with django_assert_max_num_queries(10):  # each with its order now
            assert len(re.findall(r'href="/field/orders/\d+/"', client.get(LIST_URL).content.decode())) == 2


# --- the daily run -------------------------------------------------------------------------------------------


def _rows() -> dict[str, int]:
    models = (
        Notice,
        Correspondence,
        LockoffList,
        LockoffCandidate,
        CollectionRun,
        JournalEntry,
        ServiceOrder,
    )
    return {m.__name__: m.objects.count() for m in models}


def test_a_dry_run_changes_nothing(client, make_user, noticed):
    client = _signed_in(client, make_user, roles.SUPERVISOR)
    before = _rows()
    with clock.on(LOCKOFF_DAY):
        response = client.post("/collections/run/", {"on": "2026-10-19", "dry_run": "on"}, follow=True)
    assert _rows() == before
    assert "Collections 10/19/2026 (dry run): 2 past-due accounts" in _text(response)
    assert "2 lock-off candidates, 0 excluded." in _text(response)
    # A dry run previews any day; the late fees and notices it would send are counted.
    before = _rows()
    with clock.on(date(2026, 9, 1)):
        response = client.post("/collections/run/", {"on": "2026-09-16", "dry_run": "on"}, follow=True)
    assert _rows() == before
    assert "Collections 09/16/2026 (dry run)" in _text(response)


def test_a_run_is_kept_and_listed(client, make_user, noticed):
    client = _signed_in(client, make_user, roles.SUPERVISOR)
    with clock.on(LOCKOFF_DAY):
        page = client.get("/collections/run/")
        assert 'value="2026-10-19"' in page.content.decode() and "checked" in page.content.decode()
        response = client.post("/collections/run/", {"on": "2026-10-19"}, follow=True)
    assert LockoffList.objects.get(day=LOCKOFF_DAY).candidates.count() == 2
    assert "Lock-off list for 10/19/2026 proposed." in _text(response)
    run = CollectionRun.objects.get(day=LOCKOFF_DAY)
    assert (run.dry_run, run.counts["lockoff_candidates"]) == (False, 2)
    row = re.search(r'<table id="runs">.*?<tbody>\s*<tr>(.*?)</tr>', response.content.decode(), re.S)[1]
    assert "10/19/2026 Run 2 past-due accounts, 2 lock-off candidates" in " ".join(
        re.sub(r"<[^>]+>", " ", row).split()
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"on": "0001-01-01", "dry_run": "on"}, "A date between 01/01/1900 and 12/31/2199."),
        ({"on": "9999-12-31", "dry_run": "on"}, "A date between 01/01/1900 and 12/31/2199."),
        ({"on": "2026-02-30", "dry_run": "on"}, "Enter a valid date."),
        ({"on": "9" * 50}, "Enter a valid date."),
        ({"on": "2026-10-20"}, "A run that is kept is for today (10/19/2026)"),
        ({"on": "2026-09-16"}, "A run that is kept is for today (10/19/2026)"),
    ],
)
def test_the_run_refuses_a_day_that_does_not_fit(client, make_user, data, error):
    client = _signed_in(client, make_user, roles.SUPERVISOR)
    with clock.on(LOCKOFF_DAY):
        response = client.post("/collections/run/", data)
    assert response.status_code == 200
    assert error in _text(response)
    assert not CollectionRun.objects.exists()


# --- the account page's panel --------------------------------------------------------------------------------


def test_the_panel_shows_the_decision_notices_and_letters(client, make_user, noticed):
    first, _ = noticed
    client = _signed_in(client, make_user, roles.CSS_I)
    with clock.on(date(2026, 10, 5)):
        page = client.get(f"/accounts/{first.number}/")
    text = _text(page)
    decision = re.search(r'<p id="collections-decision">(.*?)</p>', page.content.decode(), re.S)[1]
    decision = " ".join(re.sub(r"<[^>]+>", " ", decision).split())
    notice = Notice.objects.get(account=first, kind="shutoff")
    # The July bill ($764.80, as the notice states) and the late fee the 09/16 run charged ($76.48, now past due).
    assert notice.amount == Decimal("764.80")
    assert decision == (
        "Today (10/05/2026): $841.28 past due since 08/18/2026. "
        "No collection step due. No shutoff before 10/19/2026."
    )
    assert "Rule trace" in text and "Delinquent since 08/18/2026: 60 days are reached on 10/17/2026." in text
    assert f"Shutoff notice 09/16/2026 09/16/2026 10/19/2026 ${notice.amount:,}" in text
    assert f'href="/letters/{notice.correspondence_id}/"' in page.content.decode()
    assert "offer the customer (HSC 116908)" in text and "up to 12 months" in text


def test_the_call_form_records_the_call_and_a_contact_entry(client, make_user, noticed):
    first, _ = noticed
    client = _signed_in(client, make_user, roles.CSS_I)
    options = ["policy", "deferral", "reduced", "amortization", "appeal"]
    with clock.on(date(2026, 10, 6)):
        response = client.post(
            f"/collections/accounts/{first.number}/calls/",
            {"reached": "on", "options_offered": options, "willing_to_arrange": "on", "note": "Will call back Friday"},
        )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/accounts/{first.number}/#panel-notices"
    call = PhoneContact.objects.get(account=first)
    assert (call.on, call.reached, call.willing_to_arrange, call.note) == (
        date(2026, 10, 6), True, True, "Will call back Friday"
    )  # fmt: skip
    assert call.options_offered == sorted(options) and call.policy_offered
    entry = ContactEntry.objects.get(account=first, subject="Collections call")
    assert entry.channel == "phone"
    assert entry.note == (
        "Reached; offered: amortization, appeal, deferral, policy, reduced. Willing to arrange. Will call back Friday"
    )
    with clock.on(date(2026, 10, 6)):
        page = client.get(f"/accounts/{first.number}/")
    assert "10/06/2026 Yes The whole script Yes Will call back Friday" in _text(page)


def test_a_message_left_offers_nothing(client, make_user, noticed):
    first, _ = noticed
    client = _signed_in(client, make_user, roles.CSS_I)
    response = client.post(
        f"/collections/accounts/{first.number}/calls/", {"options_offered": ["policy"]}, follow=True
    )
    assert "Options are offered to someone reached" in _text(response)
    assert not PhoneContact.objects.exists()
    client.post(f"/collections/accounts/{first.number}/calls/", {"note": "Left a message"})
    assert PhoneContact.objects.get(account=first).reached is False


def test_an_extension_needs_its_last_day_and_a_lead_closes_a_dispute(client, make_user, noticed, lead):
    first, _ = noticed
    client = _signed_in(client, make_user, roles.CSS_I)
    with clock.on(date(2026, 10, 6)):
        response = client.post(
            f"/collections/accounts/{first.number}/holds/",
            {"kind": "extension", "starts_on": "2026-10-06", "reason": "Paycheck on the 20th"},
            follow=True,
        )
        assert "An extension runs to a day: give its last day." in _text(response)
        assert not Hold.objects.exists()
        client.post(
            f"/collections/accounts/{first.number}/holds/",
            {"kind": "extension", "starts_on": "2026-10-06", "ends_on": "2026-10-20", "reason": "Paycheck"},
        )
        extension = Hold.objects.get(account=first)
        assert (extension.kind, extension.ends_on) == ("extension", date(2026, 10, 20))
        close = f"/collections/accounts/{first.number}/holds/{extension.pk}/close/"
        assert client.post(close, {"on": "2026-10-07", "outcome": "Paid"}).status_code == 403
        page = client.get(f"/accounts/{first.number}/")
        assert close not in page.content.decode()  # no close form for a CSS I

        client.force_login(lead)
        page = client.get(f"/accounts/{first.number}/")
        assert f'action="{close}"' in page.content.decode()
        response = client.post(close, {"on": "2026-10-07", "outcome": "Paid in full"}, follow=True)
    assert "Extension of time to pay closed on 10/07/2026." in _text(response)
    extension.refresh_from_db()
    assert (extension.closed_on, extension.outcome, extension.closed_by) == (
        date(2026, 10, 7),
        "Paid in full",
        lead,
    )
