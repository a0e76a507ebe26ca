"""GL accounts have roles that code refers to; the codes are the district's to change."""

import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from cistern.billing import services as billing
from cistern.ledger import selectors
from cistern.ledger.models import GLAccount, GLRole, JournalEntry
from cistern.ledger.verify import breaches
from tests.conftest import ACCEPTABLE

pytestmark = pytest.mark.django_db

JUL = date(2026, 7, 25)


def test_the_chart_has_its_roles():
    assert {role: selectors.gl_code(role) for role in GLRole.values} == {
        "receivable": "1200", "cash": "1000", "undeposited_funds": "1010", "deposits_held": "2200",
        "refunds_payable": "2300", "opening_balances": "3000", "setup_fees": "4210", "bad_debt": "6100",
        "ach_clearing": "1020", "processor_clearing": "1030", "cash_over_short": "6200", "agency_commission": "6300",
    }  # fmt: skip
    assert selectors.receivable_gl().role == GLRole.RECEIVABLE


def test_a_role_belongs_to_one_gl_account_and_the_receivable_flag_is_its_role():
    with pytest.raises(IntegrityError), transaction.atomic():
        GLAccount.objects.create(
            code="1250", name="Second receivable", kind="asset", role=GLRole.DEPOSITS_HELD
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        GLAccount.objects.create(code="1260", name="Flag without role", kind="asset", receivable=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        GLAccount.objects.filter(code="1200").update(role="")


def test_a_missing_role_says_what_to_do():
    GLAccount.objects.filter(role=GLRole.BAD_DEBT).update(role="")
    with pytest.raises(
        selectors.NoGLRole, match="no GL account with the role 'Bad debt': give one that role"
    ):
        selectors.gl_code(GLRole.BAD_DEBT)


def test_renumbering_the_chart_changes_no_code_path(
    district, biller, lead, supervisor, metered_account, css1
):
    """The district renumbers its receivable, deposits and set-up fees; a start, a bill run and a final bill
    post to the new codes."""
    for role, code in (
        (GLRole.RECEIVABLE, "1299"),
        (GLRole.DEPOSITS_HELD, "2299"),
        (GLRole.SETUP_FEES, "4299"),
    ):
        GLAccount.objects.filter(role=role).update(code=code)
    application = ACCEPTABLE.__class__(
        **{
            **ACCEPTABLE.__dict__,
            "credit_decision": "deposit",
            "deposit_required": True,
            "charge_setup_fee": True,
        }
    )
    account = metered_account([(JUL, "112")], application=application)
    start = JournalEntry.objects.get(source_kind="start_charges", source_id=account.pk)
    assert sorted(line.gl_account.code for line in start.lines.all()) == ["1299", "1299", "2299", "4299"]

    run = billing.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    billing.bill_run_approve(actor=lead, run=run)
    billing.bill_run_post(actor=biller, run=run)
    (bill,) = run.bills.all()
    entry = JournalEntry.objects.get(source_kind="bill", source_id=bill.pk)
    receivable_lines = [line for line in entry.lines.all() if line.account_id]
    assert [(line.gl_account.code, line.amount) for line in receivable_lines] == [("1299", D("156.40"))]
    assert selectors.account_balance(account) == D("391.40")  # $200 deposit + $35 set-up fee + $156.40
    assert selectors.deposits_held([account.pk]) == {account.pk: D("200.00")}
    assert breaches() == []


def test_code_names_no_gl_account_by_its_code():
    """Code posts to GL accounts by role (selectors.gl_code): no Posting("1200", ...) in the code."""
    root = Path(__file__).resolve().parents[2] / "cistern"
    literal = re.compile(
        r'Posting\(\s*"\d+"|gl_code\s*=\s*"\d+"|code\s*=\s*"(1000|1010|1200|2200|2300|3000)"'
    )
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if literal.search(line)
    ]
    assert found == []
