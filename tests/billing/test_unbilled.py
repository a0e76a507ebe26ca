"""No account silently unbilled: a run accounts for every account in service in the period, held accounts
stay on the Accounts not billed queue, fire lines are billed, an unrated meter leaves the rest billed, and a
first bill starts at the account's own start."""

from datetime import date
from decimal import Decimal as D

from cistern.billing import services, unbilled
from cistern.billing.models import Bill, BillMeter, BillRunItem
from cistern.core import clock, roles
from cistern.customers import services as customers
from cistern.metering import services as metering
from cistern.metering.models import Meter, Route, ServicePoint, ServicePointKind

from .conftest import read

JUL, AUG = date(2026, 7, 25), date(2026, 8, 25)
FORWARD = {"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"}


def _run(biller, lead, cycle, period_end, *, post=True):
    run = services.bill_run_create(actor=biller, cycle=cycle, period_end=period_end)
    services.bill_run_calculate(actor=biller, run=run)
    if post:
        services.bill_run_approve(actor=lead, run=run)
        services.bill_run_post(actor=biller, run=run)
    run.refresh_from_db()
    return run


def _meter(supervisor, account, *, size, kind, serial, initial="0", on=date(2026, 6, 25)):
    point = ServicePoint.objects.create(
        premise=account.premise, route=Route.objects.get(code="R01"), kind=kind
    )
    meter = Meter.objects.create(serial=serial, size=size)
    metering.meter_install(
        actor=supervisor, meter=meter, service_point=point, installed_on=on, initial_value=initial
    )
    return meter


def test_a_run_accounts_for_every_account_in_service(
    district, biller, lead, supervisor, metered_account, start_account, premise_factory, client, token_for
):
    """Seen: 999 stopped accounts (861 closed, 138 final) had months of accepted reads and no bill at all, no
    final bill and no final-read order; in service = billed + final-billed + held, so nothing can vanish."""
    billed = metered_account([(JUL, "112")])
    unread = metered_account()
    stopped_final = metered_account()
    stopped_open = metered_account()
    for account, reason in ((stopped_final, "Sold"), (stopped_open, "Moved")):
        customers.service_stop(actor=supervisor, account=account, stop_date=date(2026, 7, 10), reason=reason,
                               forwarding=FORWARD)  # fmt: skip
    read(supervisor, stopped_final.meter, date(2026, 7, 10), "106", kind="final")
    stopped_final.refresh_from_db()
    with clock.on(date(2026, 7, 12)):
        services.bill_final(actor=supervisor, account=stopped_final)
    pending = start_account(premise=premise_factory(), start_date=date(2026, 7, 1))
    run = _run(biller, lead, district, JUL)
    items = {i.account_id: i for i in BillRunItem.objects.filter(run=run)}
    assert items[billed.pk].disposition == "billed" and items[billed.pk].total == D("156.40")
    assert items[stopped_final.pk].disposition == "final_billed"
    assert items[stopped_open.pk].disposition == "held"
    assert items[stopped_open.pk].exceptions[0][0] == "no_final_bill"
    assert items[unread.pk].disposition == "held" and items[unread.pk].exceptions[0][0] == "no_read"
    assert pending.pk not in items  # its premise has no meter in the cycle
    token = token_for(roles.CSS_II)
    body = client.get(f"/api/v1/bill-runs/{run.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["accounts_in_service"], body["accounts_billed"], body["accounts_final_billed"],
            body["accounts_held"]) == (4, 1, 1, 2)  # fmt: skip
    assert Bill.objects.filter(run=run).count() == 1

    # The queue: the unread account at once; the stop without a final bill after the district's 10 days.
    with clock.on(date(2026, 7, 19)):
        queue = {row["account"].pk: row for row in unbilled.accounts_not_billed()}
        assert set(queue) == {unread.pk}
        assert unbilled.not_billed_count() == 1  # the home page's count
        assert queue[unread.pk]["since"] == JUL and "No read" in queue[unread.pk]["reason"]
    with clock.on(date(2026, 7, 21)):
        queue = {row["account"].pk: row for row in unbilled.accounts_not_billed()}
        assert set(queue) == {unread.pk, stopped_open.pk}
        assert unbilled.not_billed_count() == 2
        assert queue[stopped_open.pk]["since"] == date(2026, 7, 10)
        assert "no final bill after 11 days" in queue[stopped_open.pk]["reason"]

    # Held in two runs in a row: flagged for the lead; the account page says since when and why.
    read(supervisor, billed.meter, AUG, "120")
    second = _run(biller, lead, district, AUG)
    assert BillRunItem.objects.get(run=second, account=unread).disposition == "held"
    with clock.on(date(2026, 8, 26)):
        queue = {row["account"].pk: row for row in unbilled.accounts_not_billed()}
        assert queue[unread.pk]["twice"] and queue[unread.pk]["runs_in_a_row"] == 2
        assert queue[unread.pk]["since"] == JUL
        held = unbilled.held_from_billing(unread.pk)
        assert held.since == JUL and "No read" in held.reason
        client.force_login(lead)
        page = client.get(f"/accounts/{unread.number}/").content.decode()
        assert "Held from billing since 07/25/2026 because No read" in page
        queue_page = client.get("/billing/not-billed/").content.decode()
        assert unread.number in queue_page and "Held 2 runs in a row" in queue_page
        detail = client.get(f"/api/v1/accounts/{unread.number}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert detail["held_from_billing"] == {"since": "2026-07-25", "reason": held.reason}

    # Someone looks at it; a read bills it and it leaves the queue.
    client.post("/billing/not-billed/", {"account": unread.number, "looking": "1", "note": "Meter buried"})
    assert unread.unbilled_review.looking == lead and unread.unbilled_review.note == "Meter buried"
    read(supervisor, unread.meter, date(2026, 9, 25), "109")
    _run(biller, lead, district, date(2026, 9, 25))
    assert unbilled.held_from_billing(unread.pk) is None


def test_fire_lines_are_billed_and_an_unrated_meter_leaves_the_rest_billed(
    district, biller, lead, supervisor, metered_account
):
    """Seen: two dozen active accounts at premises with a fire line were held from every run for 13 months
    because no fire-line rate existed, and nothing said so anywhere."""
    account = metered_account([(JUL, "112")], initial="100")
    fire = _meter(supervisor, account, size="4", kind=ServicePointKind.FIRE_LINE, serial="FL0001")
    read(supervisor, fire, JUL, "3")  # water drawn through a fire line: billed nothing, reviewed
    big = _meter(supervisor, account, size="6", kind=ServicePointKind.DOMESTIC, serial="BIG006")
    read(supervisor, big, JUL, "10")  # no residential rates for a 6" meter
    run = _run(biller, lead, district, JUL)
    item = BillRunItem.objects.get(run=run, account=account)
    codes = dict(item.exceptions)
    assert item.disposition == "billed"
    assert "BIG006" in codes["no_rates"] and "FL0001" in codes["fire_usage"]
    bill = Bill.objects.get(run=run)
    assert bill.current_charges == D("173.80")  # $156.40 for 12 units on the 3/4" + $17.40 fire-line charge
    lines = {line.description: line.amount for line in bill.lines.all()}
    assert lines['Fire-line service charge 4"'] == D("17.40")
    assert sorted(BillMeter.objects.filter(bill=bill).values_list("serial", flat=True)) == [
        "BL000001",
        "FL0001",
    ]


def test_a_fire_line_is_quoted(client, token_for, district):
    token = token_for(roles.CSS_I)
    response = client.post(
        "/api/v1/rates/quote", {"meter_size": "8", "units": "0", "days": 30, "on": "2026-11-01",
                                "rate_class": "fire_line"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["total"] == "36.90"


def test_a_move_in_without_a_turn_on_read_bills_only_its_own_days(
    district, biller, lead, supervisor, metered_account, start_account
):
    """Seen: 822 first bills after a move-in billed usage measured from a read before the customer's service
    began (bill 31341: 32 units over 3 days, $413.19)."""
    before = metered_account([(JUL, "110")], initial="100")
    customers.service_stop(actor=supervisor, account=before, stop_date=date(2026, 8, 10), reason="Moved",
                           forwarding=FORWARD)  # fmt: skip
    read(supervisor, before.meter, date(2026, 8, 10), "125", kind="final")
    after = start_account(premise=before.premise, start_date=date(2026, 8, 20))
    customers.account_activate(actor=supervisor, account=after, on=date(2026, 8, 20), reason="Water on")
    read(supervisor, before.meter, AUG, "140")  # 15 units over 15 days: 5 of them the new customer's
    run = _run(biller, lead, district, AUG)
    span = BillMeter.objects.get(bill__run=run, bill__account=after)
    assert (span.from_date, span.from_value, span.to_value, span.units) == (AUG.replace(day=20), D("135.00"),
                                                                            D("140.00"), D("5.00"))  # fmt: skip
    assert span.start_estimated and span.from_read_id is None
    item = BillRunItem.objects.get(run=run, account=after)
    assert item.exceptions[0][0] == "no_start_read" and "08/20/2026" in item.exceptions[0][1]
    # A rebill of that bill starts where it did: the customer's own 5 units, not the 15 since the last read.
    rebill = services.bill_cancel(actor=supervisor, bill=span.bill, reason="Checked the move-in")
    again = BillMeter.objects.get(bill=rebill)
    assert (again.from_date, again.from_value, again.units, again.start_estimated) == (
        AUG.replace(day=20), D("135.00"), D("5.00"), True
    )  # fmt: skip
    assert rebill.current_charges == span.bill.current_charges
