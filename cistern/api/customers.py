from datetime import date

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from cistern.billing import selectors as billing_selectors
from cistern.billing import unbilled
from cistern.core import clock, search
from cistern.customers import selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors

from .auth import require_perm
from .errors import BadValue, Error
from .errors import amount_text as money

router = Router(tags=["accounts"])


class AccountSummary(Schema):
    number: str
    name: str
    service_address: str
    status: str


class CustomerOut(Schema):
    name: str
    kind: str
    phone: str
    phone_alt: str
    email: str
    mailing_address: str
    preferred_language: str
    paperless: bool


class PremiseOut(Schema):
    service_address: str
    street: str
    unit: str
    city: str
    state: str
    zip_code: str
    parcel_number: str
    zone: str
    occupancy_type: str


class FlagOut(Schema):
    kind: str
    starts_on: date
    expires_on: date | None
    reason: str
    in_force: bool


class HeldOut(Schema):
    since: date
    reason: str


class AccountOut(Schema):
    number: str
    status: str
    relationship: str
    occupancy_type: str
    start_date: date
    end_date: date | None
    customer: CustomerOut
    premise: PremiseOut
    flags: list[FlagOut]
    balance: str = Field(
        description="What the account owes: the sum of its receivable journal lines (credit negative)."
    )
    past_due: str = Field(
        description="What is open past its due date (aging: 1-30, 31-60, 61-90, over 90 days)."
    )
    deposit_held: str = Field(description="The guarantee deposit the district holds for the account.")
    held_from_billing: HeldOut | None = Field(
        description="null, or since when and why the account is on the Accounts not billed queue."
    )


class MeterSpanOut(Schema):
    serial: str
    from_date: date
    to_date: date
    from_value: str
    to_value: str
    units: str
    estimated: bool = Field(description="The closing read, or the start (no turn-on read), is an estimate.")


class AccountBillOut(Schema):
    id: int
    kind: str = Field(description="regular, final or rebill")
    cancelled: bool
    period_start: date
    period_end: date
    bill_date: date
    due_date: date
    current_charges: str
    amount_due: str
    meters: list[MeterSpanOut]


class LedgerLineOut(Schema):
    date: date
    entry: int = Field(description="The journal entry's id.")
    memo: str
    amount: str = Field(description="Debit (a charge) positive, credit negative.")
    balance: str = Field(description="The running balance after this line.")


class SearchRefused(Schema):
    detail: str
    field: str


@router.get("/accounts", response={200: list[AccountSummary], 400: SearchRefused})
def account_list(
    request,
    q: str,
    limit: int = 20,
    offset: int = Query(0, ge=0, le=search.MAX_RESULTS, description="Skip this many results (show more)."),
):
    """Search accounts by number, name, address, phone or parcel, best match first: street suffixes in any
    form ("Road", "Rd", "Av."), close matches of a misspelled word after those found as typed, and for an
    account number whose check digit fails, the accounts one digit or one swap away. `offset` pages through
    the results (up to 200 in all). A query of more than 200 characters or 12 words answers 400."""
    require_perm(request, "customers.view_account")
    try:
        query = search.clean_query(q)
    except search.QueryRefused as exc:
        return Status(400, {"detail": f"q: {exc}", "field": "q"})
    found = selectors.account_search(query, limit=max(1, min(limit, 100)), offset=offset)
    today = clock.today()
    return [
        AccountSummary(
            number=a.number,
            name=a.customer.name,
            service_address=a.premise.service_address,
            status=a.status_on(today),
        )  # fmt: skip
        for _, a in found
    ]


@router.get("/accounts/{number}", response={200: AccountOut, 400: Error, 404: Error})
def account_detail(request, number: str):
    account = _account(request, number, "customers.view_account")
    if isinstance(account, Status):
        return account
    today = clock.today()
    customer, premise = account.customer, account.premise
    lines = ledger_selectors.receivable_lines(account.pk)
    buckets = aging.aging(ledger_selectors.movements(lines), today)
    held = unbilled.held_from_billing(account.pk)
    return AccountOut(
        balance=money(sum((line.amount for line in lines), aging.ZERO)),
        past_due=money(sum((v for k, v in buckets.items() if k != aging.NOT_DUE and v > 0), aging.ZERO)),
        deposit_held=money(ledger_selectors.deposits_held([account.pk]).get(account.pk, aging.ZERO)),
        held_from_billing=HeldOut(since=held.since, reason=held.reason) if held else None,
        number=account.number,
        status=account.status_on(today),
        relationship=account.relationship,
        occupancy_type=account.occupancy_type,
        start_date=account.start_date,
        end_date=account.end_date,
        customer=CustomerOut(
            name=customer.name,
            kind=customer.kind,
            phone=customer.phone,
            phone_alt=customer.phone_alt,
            email=customer.email,
            mailing_address=customer.mailing_address,
            preferred_language=customer.preferred_language,
            paperless=customer.paperless,
        ),  # fmt: skip
        premise=PremiseOut(
            service_address=premise.service_address,
            street=premise.street,
            unit=premise.unit,
            city=premise.city,
            state=premise.state,
            zip_code=premise.zip_code,
            parcel_number=premise.parcel_number,
            zone=premise.zone,
            occupancy_type=premise.occupancy_type,
        ),  # fmt: skip
        flags=[
            FlagOut(
                kind=f.kind,
                starts_on=f.starts_on,
                expires_on=f.expires_on,
                reason=f.reason,
                in_force=f.is_in_force(today),
            )  # fmt: skip
            for f in account.flags.all()
        ],
    )


def _account(request, number: str, permission: str) -> Account | Status:
    require_perm(request, permission)
    try:
        return selectors.account_page(number)
    except InvalidAccountNumber as exc:
        raise BadValue("number", f"number: {exc}") from None
    except Account.DoesNotExist:
        raise Http404 from None


@router.get("/accounts/{number}/bills", response={200: list[AccountBillOut], 400: Error, 404: Error})
def account_bills(request, number: str):
    """Every bill of the account, newest first; cancelled ones are marked."""
    account = _account(request, number, "billing.view_bill")
    if isinstance(account, Status):
        return account
    bills = billing_selectors.bills_with_lines().filter(account=account).order_by("-period_end", "-id")
    return [
        AccountBillOut(
            id=b.pk,
            kind=b.kind,
            cancelled=hasattr(b, "cancellation"),
            period_start=b.period_start,
            period_end=b.period_end,
            bill_date=b.bill_date,
            due_date=b.due_date,
            current_charges=money(b.current_charges),
            amount_due=money(b.amount_due),
            meters=[
                MeterSpanOut(
                    serial=m.serial,
                    from_date=m.from_date,
                    to_date=m.to_date,
                    from_value=str(m.from_value),
                    to_value=str(m.to_value),
                    units=str(m.units),
                    estimated=m.estimated or m.start_estimated,
                )
                for m in b.meters.all()
            ],
        )  # fmt: skip
        for b in bills
    ]


@router.get("/accounts/{number}/ledger", response={200: list[LedgerLineOut], 400: Error, 404: Error})
def account_ledger(request, number: str):
    """The account's receivable lines, ordered by (date, entry id), with the running balance."""
    account = _account(request, number, "ledger.view_journalentry")
    if isinstance(account, Status):
        return account
    lines = sorted(
        ledger_selectors.receivable_lines(account.pk),
        key=lambda line: (line.entry.entry_date, line.entry_id, line.pk),
    )
    running, out = aging.ZERO, []
    for line in lines:
        running += line.amount
        out.append(
            LedgerLineOut(
                date=line.entry.entry_date,
                entry=line.entry_id,
                memo=line.description or line.entry.memo,
                amount=money(line.amount),
                balance=money(running),
            )
        )
    return out
