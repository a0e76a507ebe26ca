from datetime import date

from django.http import Http404
from ninja import Router, Schema, Status

from cistern.core import clock
from cistern.customers import selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account

from .auth import require_perm

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


class Error(Schema):
    detail: str


@router.get("/accounts", response=list[AccountSummary])
def account_list(request, q: str, limit: int = 20):
    """Search accounts by number, name, address, phone or parcel, best match first."""
    require_perm(request, "customers.view_account")
    return [
        AccountSummary(
            number=a.number, name=a.customer.name, service_address=a.premise.service_address, status=a.status
        )
        for _, a in selectors.account_search(q, limit=max(1, min(limit, 100)))
    ]


@router.get("/accounts/{number}", response={200: AccountOut, 400: Error, 404: Error})
def account_detail(request, number: str):
    require_perm(request, "customers.view_account")
    try:
        account = selectors.account_page(number)
    except InvalidAccountNumber as exc:
        return Status(400, Error(detail=str(exc)))
    except Account.DoesNotExist:
        raise Http404 from None
    today = clock.today()
    customer, premise = account.customer, account.premise
    return AccountOut(
        number=account.number,
        status=account.status,
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
