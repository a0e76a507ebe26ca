"""A leak at an owner's home: bills a year apart on the demo's 3/4" tiers, posted to the ledger as a bill run
posts them (a bill row with its lines and its entry of charges), payments as credits to the receivable."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cistern.billing.models import Bill, BillLine
from cistern.core import roles
from cistern.customers import services as customers
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole

BASIC = Decimal("45.55")
TIERS = ((5, Decimal("8.00")), (5, Decimal("9.65")), (10, Decimal("11.30")), (None, Decimal("12.95")))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def usage_lines(units: int) -> list[tuple[int, int, Decimal]]:
    """(tier, units, price) of the demo's 3/4" usage charge for `units`."""
    lines, left = [], units
    for tier, (size, price) in enumerate(TIERS, start=1):
        used = left if size is None else min(size, left)
        if used > 0:
            lines.append((tier, used, price))
        left -= used
    return lines


def charges(units: int) -> Decimal:
    return BASIC + sum((used * price for _, used, price in usage_lines(units)), Decimal(0))


def proof(name="receipt.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISOR, username="assist_supervisor")


@pytest.fixture
def billing_admin(make_user):
    return make_user(roles.BILLING_ADMIN, username="assist_biller")


@pytest.fixture
def post_bill(supervisor):
    """Post a bill for `units` for the month ending `period_end` (billed 3 days later, due 20 days after)."""

    def post(account, period_end: date, units: int) -> Bill:
        amount = charges(units)
        bill_date = period_end + timedelta(days=3)
        due = bill_date + timedelta(days=20)
        bill = Bill.objects.create(
            account=account, period_start=period_end - timedelta(days=30), period_end=period_end,
            bill_date=bill_date, due_date=due, units=Decimal(units), current_charges=amount, amount_due=amount,
            created_by=supervisor,
        )  # fmt: skip
        BillLine.objects.create(
            bill=bill, sequence=1, description="Basic fee", quantity=1, unit_price=BASIC, amount=BASIC,
            gl_account="4110",
        )  # fmt: skip
        for n, (tier, used, price) in enumerate(usage_lines(units), start=2):
            BillLine.objects.create(
                bill=bill, sequence=n, description=f"Tier {tier}", quantity=used, unit_price=price,
                amount=used * price, gl_account="4110", tier=tier,
            )  # fmt: skip
        ledger.journal_post(
            actor=supervisor, entry_date=bill_date, memo="Water bill", source_kind="bill", source_id=bill.pk,
            postings=[
                ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), amount, account.pk, "Water bill", due),
                ledger.Posting("4110", -amount, description="Water bill"),
            ],
        )  # fmt: skip
        return bill

    return post


@pytest.fixture
def pay(supervisor):
    def post(account, on: date, amount: str):
        amount = Decimal(amount)
        return ledger.journal_post(
            actor=supervisor, entry_date=on, memo="Payment", source_kind="payment", source_id=None,
            postings=[
                ledger.Posting(ledger_selectors.gl_code(GLRole.CASH), amount),
                ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), -amount, account.pk, "Payment"),
            ],
        )  # fmt: skip

    return post


@pytest.fixture
def leak(start_account, supervisor, post_bill, pay):
    """An owner's account in service since 06/01/2025: 12 units billed for the month to 07/25/2025 ($156.40),
    140 for the month to 07/25/2026 ($1,800.80, billed 07/28, due 08/17), $156.40 paid on 08/10/2026."""

    def make(*, units=140, paid="156.40", **kwargs):
        account = start_account(start_date=date(2025, 6, 1), **kwargs)
        customers.account_activate(actor=supervisor, account=account, on=date(2025, 6, 1), reason="Water on")
        account.refresh_from_db()
        last_year = post_bill(account, date(2025, 7, 25), 12)
        bill = post_bill(account, date(2026, 7, 25), units)
        if paid:
            pay(account, date(2026, 8, 10), paid)
        return account, bill, last_year

    return make
