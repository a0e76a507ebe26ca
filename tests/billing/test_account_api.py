"""The account's books through the API: balance, past due, deposit held; every bill newest first with its
meter spans (cancelled ones marked); the receivable lines with a running balance. Money as strings."""

from datetime import date
from decimal import Decimal as D

from cistern.billing import services
from cistern.billing.models import Bill
from cistern.core import clock, roles
from cistern.ledger import selectors as ledger

from .conftest import read

JUL, AUG = date(2026, 7, 25), date(2026, 8, 25)


def _get(client, path, token):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def _post_run(biller, lead, cycle, period_end):
    run = services.bill_run_create(actor=biller, cycle=cycle, period_end=period_end)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)


def test_an_accounts_bills_and_ledger(client, token_for, district, biller, lead, supervisor, metered_account):
    account = metered_account([(JUL, "112")], initial="100")
    _post_run(biller, lead, district, JUL)
    read(supervisor, account.meter, AUG, "117")
    _post_run(biller, lead, district, AUG)
    july, august = Bill.objects.filter(account=account).order_by("period_end")
    with clock.on(date(2026, 9, 20)):
        rebill = services.bill_cancel(actor=supervisor, bill=august, reason="Checked the read")
    token = token_for(roles.CSS_II)
    bills = _get(client, f"/api/v1/accounts/{account.number}/bills", token).json()
    assert [(b["id"], b["kind"], b["cancelled"]) for b in bills] == [
        (rebill.pk, "rebill", False), (august.pk, "regular", True), (july.pk, "regular", False)
    ]  # fmt: skip
    assert bills[2]["current_charges"] == "156.40" and bills[2]["due_date"] == "2026-08-17"
    assert bills[2]["meters"] == [{
        "serial": account.meter.serial, "from_date": "2026-06-25", "to_date": "2026-07-25", "from_value": "100.00",
        "to_value": "112.00", "units": "12.00", "estimated": False,
    }]  # fmt: skip
    lines = _get(client, f"/api/v1/accounts/{account.number}/ledger", token).json()
    assert [line["amount"] for line in lines] == ["156.40", "85.55", "-85.55", "85.55"]
    assert [line["balance"] for line in lines] == ["156.40", "241.95", "156.40", "241.95"]
    assert lines[0]["date"] == "2026-07-28" and lines[-1]["date"] == "2026-09-20"
    with clock.on(date(2026, 9, 20)):
        detail = _get(client, f"/api/v1/accounts/{account.number}", token).json()
    assert (detail["balance"], detail["past_due"], detail["deposit_held"]) == ("241.95", "156.40", "0.00")
    assert detail["held_from_billing"] is None
    assert D(detail["balance"]) == ledger.account_balance(account)


def test_a_bill_counts_only_what_is_dated_by_its_bill_date(
    district, biller, lead, supervisor, metered_account
):
    """Seen: 2,501 bills credited payments made up to 32 days after their bill date under "payments and
    adjustments since"."""
    from cistern.ledger.models import GLRole
    from cistern.ledger.services import Posting, journal_post

    account = metered_account([(JUL, "112")], initial="100")
    _post_run(biller, lead, district, JUL)  # $156.40, billed 07/28
    read(supervisor, account.meter, AUG, "117")
    run = services.bill_run_create(actor=biller, cycle=district, period_end=AUG)  # billed 08/28
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    receivable, cash = ledger.gl_code(GLRole.RECEIVABLE), ledger.gl_code(GLRole.CASH)
    for on, amount in ((date(2026, 8, 10), D("100.00")), (date(2026, 9, 5), D("56.40"))):
        journal_post(actor=supervisor, entry_date=on, memo="Payment", source_kind="payment", postings=[
            Posting(cash, amount), Posting(receivable, -amount, account.pk, "Payment")])  # fmt: skip
    services.bill_run_post(actor=biller, run=run)  # posted after both payments were entered
    august = Bill.objects.get(run=run)
    assert (august.previous_amount_due, august.payments_and_adjustments) == (D("156.40"), D("-100.00"))
    assert august.amount_due == D("56.40") + D("85.55")  # the 09/05 payment is on the next bill
