"""The merge fields every letter has (the district, the customer, the account, the addresses, today) and
whom a letter is addressed to. Callers add their own keys (`notice`, `usage`, `payment`, `memo_body`)."""

from datetime import date
from decimal import Decimal

from cistern.core.money import format_money
from cistern.core.selectors import district_settings

from .values import Recipient


def district_context(district=None) -> dict:
    district = district or district_settings()
    return {
        "name": district.name, "street": district.street, "city": district.city, "state": district.state,
        "zip": district.zip_code, "phone": district.phone, "email": district.email,
    }  # fmt: skip


def _city_line(city: str, state: str, zip_code: str) -> str:
    return ", ".join(p for p in (city, f"{state} {zip_code}".strip()) if p)


def mailing_lines(customer) -> list[str]:
    unit = f" {customer.mailing_unit}" if customer.mailing_unit else ""
    return [
        f"{customer.mailing_street}{unit}",
        _city_line(customer.mailing_city, customer.mailing_state, customer.mailing_zip),
    ]


def account_context(account, on: date, district: dict | None = None) -> dict:
    """`district`: `district_context()` read once by a caller writing many letters."""
    customer, premise = account.customer, account.premise
    return {
        "district": district if district is not None else district_context(),
        "customer": {"name": customer.name, "email": customer.email, "language": customer.preferred_language},
        "account": {"number": account.number},
        "service_address": premise.service_address,
        "mailing_lines": mailing_lines(customer),
        "today": on,
    }


def recipient_for_customer(account) -> Recipient:
    customer = account.customer
    return Recipient(
        name=customer.name, lines=tuple(mailing_lines(customer)), zip_code=customer.mailing_zip,
        email=customer.email,
    )  # fmt: skip


def recipient_for_occupant(account) -> Recipient:
    premise = account.premise
    unit = f" {premise.unit}" if premise.unit else ""
    return Recipient(
        name="Occupant",
        lines=(f"{premise.street}{unit}", _city_line(premise.city, premise.state, premise.zip_code)),
        zip_code=premise.zip_code,
    )


def sample_context(on: date, district=None) -> dict:
    """Made-up values for every seeded merge field: a template's preview when no account is chosen."""
    return {
        "district": district_context(district),
        "customer": {"name": "Maria Lopez", "email": "maria@example.org", "language": "en"},
        "account": {"number": "10000015"},
        "service_address": "100 Sunburst Ave, Joshua Tree",
        "mailing_lines": ["100 Sunburst Ave", "Joshua Tree, CA 92252"],
        "today": on,
        **caller_sample(on),
    }


def caller_sample(on: date) -> dict:
    """The keys callers (collections, payments, the account page) add, with sample values."""
    from datetime import timedelta

    return {
        "notice": {
            "amount": format_money(Decimal("187.42")), "shutoff_on": on + timedelta(days=15),
            "mailed_on": on, "delinquent_since": on - timedelta(days=20), "oldest_due": on - timedelta(days=45),
            "door_hanger_hours": 48, "extension_days": 13, "dispute_days": 5,
        },
        "policy_phone": "(760) 555-0100",
        "usage": {"units": 42, "last_year_units": 18, "period_end": on},
        "payment": {
            "check_number": "2001", "amount": "$45.56", "received_on": on - timedelta(days=19),
            "accounts": "10000015", "receipt": "R00000042", "returned_on": on, "reason": "Insufficient funds",
            "fee": "$35.00", "total": "$80.56", "cash_only_until": None,
        },
        "memo_subject": "About your account",
        "memo_body": "This is where the note written on the account page goes.",
    }  # fmt: skip
