"""The bank: deposits of audited drawers, returned checks (NSF) and refunds of credit balances."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core import clock, roles
from cistern.core.models import AuditEvent
from cistern.customers.models import AccountFlag, FlagKind
from cistern.demo.rates import load_rates
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLAccount, GLRole, JournalLine
from cistern.payments import bank, drawer, slips
from cistern.payments import services as payments
from cistern.payments.models import (
    DrawerSession,
    PaymentReturn,
    PaymentStatus,
    Refund,
    RefundStatus,
)

from .conftest import cash

D = Decimal
DAY = date(2026, 11, 24)


def gl_balance(role):
    gl = GLAccount.objects.get(role=role)
    return sum((line.amount for line in JournalLine.objects.filter(gl_account=gl)), D("0.00"))


def check(account, amount: str, number: str) -> payments.PaymentRequest:
    return payments.PaymentRequest(
        channel="counter", parts=[(account, D(amount))], tenders=[payments.Tender("check", D(amount), check_number=number)]
    )  # fmt: skip


def close_and_audit(cashier, lead, session, count: drawer.BlindCount, note: str = "") -> DrawerSession:
    session = payments.drawer_close(actor=cashier, session=session, count=count, note=note)
    return payments.drawer_audit(actor=lead, session=session, note=note)


@pytest.fixture
def today():
    with clock.on(DAY) as day:
        yield day


# --- the cash of a deposit, by denomination ----------------------------------------------------------------


def test_the_float_stays_in_the_smallest_pieces_and_the_split_is_exact():
    count = {"bills": {"100": 1, "20": 4, "10": 1, "1": 4}, "coins": {"0.25": 6, "0.05": 1, "0.01": 1}}
    split = bank.split_cash(count, D("150.00"))  # 195.56 in the drawer: 45.56 to the bank
    assert split.deposit == {
        "bills": {"20": 2, "1": 4},
        "coins": {"0.25": 6, "0.05": 1, "0.01": 1},
        "rolls": {},
    }
    assert split.kept == {"bills": {"100": 1, "20": 2, "10": 1}, "coins": {}, "rolls": {}}


def test_the_split_skips_a_note_that_would_leave_it_inexact():
    # 110.00 in the drawer, float 50.00: the $50 note cannot go (10.00 more would be needed in small pieces).
    split = bank.split_cash({"bills": {"50": 1, "20": 3}}, D("50.00"))
    assert split.deposit["bills"] == {"20": 3} and split.kept["bills"] == {"50": 1}
    rolls = bank.split_cash({"bills": {"20": 1}, "rolls": {"0.25": 1}}, D("20.00"))  # a roll of quarters: $10
    assert rolls.deposit["rolls"] == {"0.25": 1} and rolls.kept["bills"] == {"20": 1}


def test_no_exact_split_gives_none():
    assert bank.split_cash({"bills": {"100": 2}}, D("150.00")) is None
    assert bank.split_cash({"bills": {"100": 1}}, D("150.00")) is None  # less than the float


def test_denomination_lines_for_the_slip():
    lines = bank.denomination_lines({"bills": {"1": 4, "20": 2}, "coins": {"0.25": 6}, "rolls": {"0.10": 2}})
    assert lines == [
        ("$20 bills", 2, D("40.00")), ("$1 bills", 4, D("4.00")), ("Quarters", 6, D("1.50")),
        ("Dimes, rolls of 50", 2, D("10.00")),
    ]  # fmt: skip


# --- bank deposits -----------------------------------------------------------------------------------------


@pytest.fixture
def second_account(start_account, charge):
    account = start_account()
    charge(account, "120.00", date(2026, 11, 20))
    return account


@pytest.fixture
def day_of_drawers(today, cashier, lead, open_drawer, owing_account, second_account):
    """Two audited drawers: one exact (cash, a check, a money order), one $1.00 short."""
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "45.56", "50.00"))
    payments.payment_post(actor=cashier, session=open_drawer, request=check(second_account, "100.00", "1001"))
    money_order = payments.PaymentRequest(
        channel="counter", parts=[(second_account, D("20.00"))], tenders=[payments.Tender("money_order", D("20.00"))]
    )  # fmt: skip
    payments.payment_post(actor=cashier, session=open_drawer, request=money_order)
    first = close_and_audit(
        cashier, lead, open_drawer,
        drawer.BlindCount(
            bills={100: 1, 20: 4, 10: 1, 1: 4}, coins={D("0.25"): 6, D("0.05"): 1, D("0.01"): 1},
            checks=(D("100.00"), D("20.00")),
        ),
    )  # fmt: skip
    second = payments.drawer_open(actor=cashier, drawer_name="Counter 2", opening_float=D("100.00"))
    payments.payment_post(actor=cashier, session=second, request=cash(owing_account, "10.00"))
    second = close_and_audit(
        cashier, lead, second, drawer.BlindCount(bills={100: 1, 5: 1, 1: 4}), note="Miscount"
    )
    return first, second


def test_a_deposit_moves_undeposited_funds_to_the_bank(day_of_drawers, lead, today):
    first, second = day_of_drawers
    assert second.variance == D("-1.00")
    # The short was posted at the close: undeposited funds are what was counted.
    assert gl_balance(GLRole.UNDEPOSITED_FUNDS) == D("45.56") + D("120.00") + D("9.00")
    assert [s.pk for s in bank.sessions_to_deposit()] == [first.pk, second.pk]

    deposit = bank.deposit_prepare(actor=lead, sessions=[first, second], bank_reference="Bag 4471")
    assert (deposit.cash_total, deposit.check_total, deposit.total) == (D("54.56"), D("120.00"), D("174.56"))
    assert gl_balance(GLRole.UNDEPOSITED_FUNDS) == D("0.00")
    assert gl_balance(GLRole.CASH) == D("174.56")
    assert deposit.entry.source_kind == "bank_deposit" and deposit.entry.source_id == deposit.pk
    # 45.56 of the first drawer by denomination; the second's 109.00 less its 100.00 float: $5 and 4 x $1.
    assert deposit.denominations["bills"] == {"20": 2, "1": 8, "5": 1}
    assert deposit.denominations["coins"] == {"0.25": 6, "0.05": 1, "0.01": 1}
    assert [(c["kind"], c["number"], c["amount"]) for c in deposit.checks] == [
        ("check", "1001", "100.00"), ("money_order", "", "20.00")
    ]  # fmt: skip
    assert set(DrawerSession.objects.filter(deposit=deposit).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert list(bank.sessions_to_deposit()) == []
    assert AuditEvent.objects.filter(action="deposit.prepare", object_id=str(deposit.pk)).exists()

    pdf = slips.render_pdf(bank.deposit_slip(deposit), compress=False)
    assert pdf.startswith(b"%PDF")
    for text in [b"Deposit " + str(deposit.pk).encode(), b"Bag 4471", b"$20 bills", b"Quarters", b"$54.56",
                 b"1001", b"Money order", b"$120.00", b"TOTAL DEPOSIT", b"$174.56", b"Counter 2"]:  # fmt: skip
        assert text in pdf, text

    with pytest.raises(payments.PaymentError, match="already in deposit"):
        bank.deposit_prepare(actor=lead, sessions=[first])


def test_only_audited_drawers_are_deposited_by_a_lead(today, cashier, lead, open_drawer, owing_account):
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "45.56"))
    with pytest.raises(PermissionDenied):
        bank.deposit_prepare(actor=cashier, sessions=[open_drawer])
    with pytest.raises(payments.PaymentError, match="not audited"):
        bank.deposit_prepare(actor=lead, sessions=[open_drawer])
    closed = payments.drawer_close(
        actor=cashier, session=open_drawer, count=drawer.BlindCount(bills={100: 1, 50: 1, 20: 2, 5: 1}, coins={D("0.50"): 1, D("0.05"): 1, D("0.01"): 1})
    )  # fmt: skip
    with pytest.raises(payments.PaymentError, match="not audited"):
        bank.deposit_prepare(actor=lead, sessions=[closed])
    with pytest.raises(payments.PaymentError, match="Pick"):
        bank.deposit_prepare(actor=lead, sessions=[])


def test_a_drawer_whose_float_cannot_be_made_exactly_is_deposited_as_a_total(
    today, cashier, lead, open_drawer, owing_account
):
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "50.00"))
    # 200.00 in two $100 notes: no set of them makes the $150.00 float.
    session = close_and_audit(cashier, lead, open_drawer, drawer.BlindCount(bills={100: 2}))
    deposit = bank.deposit_prepare(actor=lead, sessions=[session])
    assert deposit.cash_total == D("50.00")
    assert deposit.denominations["bills"] == {}
    assert deposit.denominations["not_itemised"] == [
        {"session": session.pk, "drawer": "Counter 1", "amount": "50.00"}
    ]
    pdf = slips.render_pdf(bank.deposit_slip(deposit), compress=False)
    assert b"Cash of Counter 1 (total only)" not in pdf  # parentheses are escaped in the PDF's strings
    assert b"Cash of Counter 1 \\(total only\\)" in pdf


# --- returned checks ---------------------------------------------------------------------------------------


@pytest.fixture
def paid_by_check(today, cashier, lead, open_drawer, owing_account):
    """$45.56 paid by check no. 2001 in a drawer closed and audited."""
    load_rates()
    payment, _ = payments.payment_post(
        actor=cashier, session=open_drawer, request=check(owing_account, "45.56", "2001")
    )
    close_and_audit(
        cashier, lead, open_drawer, drawer.BlindCount(bills={100: 1, 50: 1}, checks=(D("45.56"),))
    )
    return payment


def test_a_returned_check_reverses_the_payment_and_charges_the_fee(paid_by_check, owing_account, lead, today):
    assert ledger_selectors.account_balance(owing_account) == D("0.00")
    returned = bank.payment_return(
        actor=lead, payment=paid_by_check, returned_on=DAY, reason="Insufficient funds"
    )
    paid_by_check.refresh_from_db()
    assert paid_by_check.status == PaymentStatus.RETURNED
    assert paid_by_check.ended_by == lead and paid_by_check.reversal_entry.entry_date == DAY
    assert ledger_selectors.account_balance(owing_account) == D("45.56") + D("35.00")
    # Not deposited yet: the check leaves undeposited funds; the bank never had it.
    assert gl_balance(GLRole.UNDEPOSITED_FUNDS) == D("0.00")
    assert gl_balance(GLRole.CASH) == D("0.00")
    fee_line = returned.fee_entry.lines.get(account=owing_account)
    assert (fee_line.amount, fee_line.due_date, returned.fee_entry.source_kind) == (
        D("35.00"), DAY, "returned_payment_fee"
    )  # fmt: skip
    assert returned.fee_entry.lines.get(account=None).gl_account.code == "4250"
    # The bill the check paid is open again with its own due date, the fee beside it.
    items, _ = aging.open_items(
        ledger_selectors.movements(ledger_selectors.receivable_lines(owing_account.pk))
    )
    assert [(i.due, i.open) for i in items] == [(date(2026, 11, 20), D("45.56")), (DAY, D("35.00"))]
    assert bytes(returned.letter_pdf).startswith(b"%PDF") and returned.letter_language == "en"
    # One return is not yet cash-only.
    assert not AccountFlag.objects.filter(account=owing_account, kind=FlagKind.CASH_ONLY).exists()
    assert AuditEvent.objects.filter(action="payment.return", account_id=owing_account.pk).count() == 1
    with pytest.raises(payments.PaymentError, match="returned"):
        bank.payment_return(actor=lead, payment=paid_by_check, returned_on=DAY, reason="Again")


def test_a_deposited_check_returned_comes_out_of_the_bank(paid_by_check, owing_account, lead, today):
    session = paid_by_check.session
    session.refresh_from_db()
    deposit = bank.deposit_prepare(actor=lead, sessions=[session])
    assert deposit.check_total == D("45.56") and gl_balance(GLRole.CASH) == D("45.56")
    bank.payment_return(actor=lead, payment=paid_by_check, returned_on=DAY, reason="Account closed")
    assert gl_balance(GLRole.CASH) == D("0.00")  # the bank took it back
    assert gl_balance(GLRole.UNDEPOSITED_FUNDS) == D("0.00")
    assert ledger_selectors.account_balance(owing_account) == D("80.56")


def test_a_check_returned_before_its_drawer_is_deposited_is_left_out_of_the_deposit(
    paid_by_check, lead, today
):
    bank.payment_return(actor=lead, payment=paid_by_check, returned_on=DAY, reason="Payment stopped")
    session = DrawerSession.objects.get(pk=paid_by_check.session_id)
    with pytest.raises(payments.PaymentError, match="nothing to deposit"):
        bank.deposit_prepare(actor=lead, sessions=[session])


def test_only_checks_of_closed_drawers_are_returned(today, cashier, lead, open_drawer, owing_account):
    load_rates()
    by_cash, _ = payments.payment_post(
        actor=cashier, session=open_drawer, request=cash(owing_account, "10.00")
    )
    by_check, _ = payments.payment_post(
        actor=cashier, session=open_drawer, request=check(owing_account, "5.00", "77")
    )
    with pytest.raises(payments.PaymentError, match="not paid by check"):
        bank.payment_return(actor=lead, payment=by_cash, returned_on=DAY, reason="Insufficient funds")
    with pytest.raises(payments.PaymentError, match="still open"):
        bank.payment_return(actor=lead, payment=by_check, returned_on=DAY, reason="Insufficient funds")
    with pytest.raises(PermissionDenied):
        bank.payment_return(actor=cashier, payment=by_check, returned_on=DAY, reason="Insufficient funds")
    with pytest.raises(payments.PaymentError, match="reason"):
        bank.payment_return(actor=lead, payment=by_check, returned_on=DAY, reason=" ")


def test_the_second_return_in_a_year_makes_the_account_cash_only(
    paid_by_check, owing_account, cashier, lead, today
):
    bank.payment_return(
        actor=lead, payment=paid_by_check, returned_on=date(2026, 11, 24), reason="Insufficient funds"
    )
    later = date(2026, 12, 8)
    with clock.on(later):
        session = payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=D("150.00"))
        again, _ = payments.payment_post(
            actor=cashier, session=session, request=check(owing_account, "80.56", "2002")
        )
        close_and_audit(
            cashier, lead, session, drawer.BlindCount(bills={100: 1, 50: 1}, checks=(D("80.56"),))
        )
        returned = bank.payment_return(
            actor=lead, payment=again, returned_on=later, reason="Insufficient funds"
        )
        flag = AccountFlag.objects.get(account=owing_account, kind=FlagKind.CASH_ONLY)
        assert (flag.starts_on, flag.expires_on) == (later, date(2027, 12, 7))
        assert flag.created_by == lead
        assert bank.returns_in_year([owing_account.pk], later) == 2
        # The counter now refuses a check for the account, saying why; cash is taken.
        session = payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=D("150.00"))
        with pytest.raises(payments.PaymentError, match="cash only after returned payments"):
            payments.payment_post(
                actor=cashier, session=session, request=check(owing_account, "10.00", "2003")
            )
        payments.payment_post(actor=cashier, session=session, request=cash(owing_account, "10.00"))
    assert returned.letter_pdf is not None
    assert ledger_selectors.account_balance(owing_account) == D("45.56") + D("35.00") * 2 - D("10.00")


def test_returns_more_than_a_year_apart_do_not_make_cash_only(paid_by_check, owing_account, cashier, lead):
    with clock.on(DAY):
        bank.payment_return(actor=lead, payment=paid_by_check, returned_on=DAY, reason="Insufficient funds")
    later = date(2027, 12, 1)
    with clock.on(later):
        session = payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=D("150.00"))
        again, _ = payments.payment_post(
            actor=cashier, session=session, request=check(owing_account, "5.00", "3001")
        )
        close_and_audit(cashier, lead, session, drawer.BlindCount(bills={100: 1, 50: 1}, checks=(D("5.00"),)))
        bank.payment_return(actor=lead, payment=again, returned_on=later, reason="Insufficient funds")
    assert not AccountFlag.objects.filter(account=owing_account, kind=FlagKind.CASH_ONLY).exists()
    assert PaymentReturn.objects.count() == 2


def test_a_billing_admin_recording_the_second_return_makes_it_cash_only(
    paid_by_check, owing_account, cashier, lead, make_user, today
):
    """The Billing Admin records returns from the bank's files (BANK_FILES) and so adds the cash-only flag."""
    admin = make_user(roles.BILLING_ADMIN, username="bank_admin")
    bank.payment_return(actor=admin, payment=paid_by_check, returned_on=DAY, reason="Insufficient funds")
    session = payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=D("150.00"))
    again, _ = payments.payment_post(
        actor=cashier, session=session, request=check(owing_account, "5.00", "2009")
    )
    close_and_audit(cashier, lead, session, drawer.BlindCount(bills={100: 1, 50: 1}, checks=(D("5.00"),)))
    bank.payment_return(actor=admin, payment=again, returned_on=DAY, reason="Insufficient funds")
    assert AccountFlag.objects.filter(account=owing_account, kind=FlagKind.CASH_ONLY).count() == 1


# --- refunds -----------------------------------------------------------------------------------------------


@pytest.fixture
def in_credit(today, cashier, open_drawer, owing_account):
    """The account paid $60.00 on $45.56 owed: a credit of $14.44."""
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "60.00"))
    return owing_account


def test_a_refund_is_asked_approved_and_exported(in_credit, css1, lead, make_user, today):
    with pytest.raises(payments.PaymentError, match="more than the account's credit"):
        bank.refund_request(actor=css1, account=in_credit, amount=D("20.00"), reason="Overpaid")
    refund = bank.refund_request(actor=css1, account=in_credit, reason="Overpaid")
    assert refund.amount == D("14.44") and refund.status == RefundStatus.PENDING
    assert refund.payee == "Maria Lopez"
    assert refund.mailing_address == "100 Sunburst Ave, Joshua Tree, CA 92252"
    assert ledger_selectors.account_balance(in_credit) == D("-14.44")  # nothing posted until approved
    with pytest.raises(payments.PaymentError, match="already has a refund waiting"):
        bank.refund_request(actor=css1, account=in_credit, amount=D("1.00"), reason="Again")
    with pytest.raises(PermissionDenied):
        bank.refund_decide(actor=css1, refund=refund, approve=True)

    assert list(bank.refunds_waiting_for(lead)) == [refund]
    approved = bank.refund_decide(actor=lead, refund=refund, approve=True, note="Checked")
    assert approved.status == RefundStatus.APPROVED and approved.entry.source_kind == "refund"
    assert ledger_selectors.account_balance(in_credit) == D("0.00")
    assert gl_balance(GLRole.REFUNDS_PAYABLE) == D("-14.44")

    supervisor = make_user(roles.SUPERVISOR, username="refund_supervisor")
    batch, text, total = bank.refunds_export(actor=supervisor)
    assert total == D("14.44")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == bank.EXPORT_COLUMNS
    assert rows[1][:5] == [
        "Maria Lopez",
        "100 Sunburst Ave, Joshua Tree, CA 92252",
        "14.44",
        in_credit.number,
        "Overpaid",
    ]
    refund.refresh_from_db()
    assert (refund.status, refund.export_batch) == (RefundStatus.EXPORTED, batch) and refund.exported_at
    assert bank.refunds_csv(bank.refunds_of_batch(batch)) == text  # the batch's file again, the same
    with pytest.raises(payments.PaymentError, match="No approved refund"):
        bank.refunds_export(actor=supervisor)
    with pytest.raises(PermissionDenied):
        bank.refunds_export(actor=lead)  # a CSS II approves; the office that pays exports


def test_a_lead_does_not_approve_their_own_refund_or_one_over_their_limit(
    today, cashier, open_drawer, owing_account, lead, make_user
):
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "645.56"))
    own = bank.refund_request(actor=lead, account=owing_account, amount=D("600.00"), reason="Overpaid")
    with pytest.raises(payments.PaymentError, match="Someone other"):
        bank.refund_decide(actor=lead, refund=own, approve=True)
    other_lead = make_user(roles.CSS_II, username="other_lead")
    assert list(bank.refunds_waiting_for(other_lead)) == []  # $600.00 is over a CSS II's $500.00
    with pytest.raises(payments.PaymentError, match="over your adjustment limit of \\$500.00"):
        bank.refund_decide(actor=other_lead, refund=own, approve=True)
    with pytest.raises(payments.PaymentError, match="Say why"):
        bank.refund_decide(actor=other_lead, refund=own, approve=False)
    supervisor = make_user(roles.SUPERVISOR, username="refund_boss")
    assert bank.refund_decide(actor=supervisor, refund=own, approve=True).status == RefundStatus.APPROVED
    assert ledger_selectors.account_balance(owing_account) == D("0.00")


def test_a_refund_whose_credit_was_used_since_is_not_approved(in_credit, css1, lead, charge, today):
    refund = bank.refund_request(actor=css1, account=in_credit, reason="Overpaid")
    charge(in_credit, "10.00", date(2026, 12, 20))  # a bill since: the credit is now $4.44
    with pytest.raises(payments.PaymentError, match="now has a credit of \\$4.44"):
        bank.refund_decide(actor=lead, refund=refund, approve=True)
    rejected = bank.refund_decide(actor=lead, refund=refund, approve=False, note="Credit used by a bill")
    assert rejected.status == RefundStatus.REJECTED and rejected.entry is None


def test_no_refund_without_a_credit(today, owing_account, css1):
    with pytest.raises(payments.PaymentError, match="no credit balance"):
        bank.refund_request(actor=css1, account=owing_account, reason="Asked")


def test_the_export_neutralises_formulas(in_credit, css1, lead, make_user, today):
    refund = bank.refund_request(
        actor=css1, account=in_credit, reason="@SUM(A1:A9)", payee='=HYPERLINK("http://x.example","Pay")',
        mailing_address="-2+3+cmd|' /C calc'!A0",
    )  # fmt: skip
    bank.refund_decide(actor=lead, refund=refund, approve=True)
    _, text, _ = bank.refunds_export(actor=make_user(roles.SUPERVISOR, username="exporter"))
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[0] == '\'=HYPERLINK("http://x.example","Pay")'
    assert row[1] == "'-2+3+cmd|' /C calc'!A0"
    assert row[4] == "'@SUM(A1:A9)"
    assert row[2] == "14.44"
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.EXPORTED


# --- the pages ---------------------------------------------------------------------------------------------


def test_a_lead_records_a_return_on_its_page_and_opens_the_letter(paid_by_check, lead, client, today):
    client.force_login(lead)
    found = client.get("/payments/returns/new/", {"check_number": "2001"})
    assert f"?payment={paid_by_check.pk}" in found.content.decode()
    url = f"/payments/returns/new/?payment={paid_by_check.pk}"
    response = client.post(
        url, {"payment": paid_by_check.pk, "returned_on": DAY.isoformat(), "reason": "other"}
    )
    assert response.status_code == 200 and "Write the reason" in response.content.decode()
    response = client.post(
        url, {"payment": paid_by_check.pk, "returned_on": DAY.isoformat(), "reason": "Insufficient funds"}
    )
    returned = PaymentReturn.objects.get(payment=paid_by_check)
    assert response.status_code == 302 and response["Location"] == f"/payments/returns/{returned.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert (
        "Returned check: payment R" in page
        and "$35.00" in page
        and "No: taken out of undeposited funds" in page
    )
    letter = client.get(f"/payments/returns/{returned.pk}/letter.pdf")
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF")


def test_refunds_are_exported_from_their_page(in_credit, css1, lead, make_user, client, today):
    client.force_login(css1)
    response = client.post(
        f"/payments/refunds/new/{in_credit.number}/",
        {"amount": "14.44", "payee": "Maria Lopez", "mailing_address": "PO Box 9, Joshua Tree, CA 92252", "reason": "Overpaid"},
    )  # fmt: skip
    assert response.status_code == 302
    refund = Refund.objects.get(account=in_credit)
    client.force_login(lead)
    assert "Refunds to approve" in client.get("/").content.decode()
    client.post(f"/payments/refunds/{refund.pk}/decide/", {"decision": "approve", "note": ""})
    client.force_login(make_user(roles.SUPERVISOR, username="ap_sender"))
    response = client.post("/payments/refunds/export/run/")
    refund.refresh_from_db()
    assert response["Location"] == f"/payments/refunds/export/{refund.export_batch}.csv"
    csv_file = client.get(response["Location"])
    assert csv_file["Content-Type"].startswith("text/csv")
    assert 'Maria Lopez,"PO Box 9, Joshua Tree, CA 92252",14.44' in csv_file.content.decode()
