"""Payments from the payment processor (online), the IVR (pay by phone) and bank bill pay (ach): the
Integration role's `POST /payments`, idempotent by its `Idempotency-Key` header.

Card data never reaches the district (PCI DSS SAQ A): the body is exactly `account`, `amount`, `method` and
`reference` (the processor's reference); any other field, a card number, expiry or security code among them,
is refused 400 naming it, and so is a reference that is itself a card number.
"""

import re
from decimal import Decimal
from typing import Annotated

from ninja import Field, Header, Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator, model_validator
from stdnum import luhn

from cistern.customers.account_number import InvalidAccountNumber, parse_account_number
from cistern.customers.models import Account
from cistern.payments import services
from cistern.payments.amounts import LARGEST_AMOUNT
from cistern.payments.models import API_CHANNELS, Payment, PaymentPart

from .auth import require_perm
from .errors import BadValue, Error, In
from .errors import amount_text as money

router = Router(tags=["payments"])

FIELDS = ("account", "amount", "method", "reference")
# Names a processor or a careless integration might send card data under: refused with the rule said.
CARD_WORDS = {
    "pan",
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "cid",
    "csc",
    "security",
    "exp",
    "expiry",
    "expiration",
    "track",
}
KEY_MAX = 100  # Payment.idempotency_key
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,7}(\.[0-9]{1,2})?", re.ASCII)
_KEY = re.compile(r"[\x21-\x7e]+", re.ASCII)  # visible ASCII: a UUID, a ULID, the processor's own id
_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|6(011|5)|35", re.ASCII)


def _amount(value) -> Decimal:
    """Dollars to the cent, more than zero and at most LARGEST_AMOUNT: a string ("45.56", please) or a JSON
    number; never true/false, an exponent ("1e9"), a third decimal, infinity or NaN."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError('must be an amount in dollars written as a string, e.g. "45.56"')
    # A float's shortest repr is the number the client wrote (45.56, not 45.5599999...).
    text = value.strip() if isinstance(value, str) else repr(value)
    if not _PLAIN_AMOUNT.fullmatch(text):
        raise ValueError(
            f"{text[:40]!r} is not an amount: dollars more than zero, at most 2 decimal places, "
            f"at most ${LARGEST_AMOUNT:,}"
        )
    amount = Decimal(text)
    if not 0 < amount <= LARGEST_AMOUNT:
        raise ValueError(f"must be more than zero and at most ${LARGEST_AMOUNT:,}")
    return amount.quantize(Decimal("0.01"))


def _method(value: str) -> str:
    if value not in API_CHANNELS:
        raise ValueError(f"must be one of {', '.join(c.value for c in API_CHANNELS)}")
    return value


def _looks_like_a_card_number(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "")
    return (
        13 <= len(digits) <= 19
        and digits.isdigit()
        and bool(_CARD_PREFIX.match(digits))
        and luhn.is_valid(digits)
    )


def _reference(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("give the processor's reference for the payment")
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    if _looks_like_a_card_number(value):
        raise ValueError("looks like a card number: send the processor's reference, never the card's number")
    return value


class PaymentIn(In):
    """A payment the processor or the IVR has taken: nothing about the card but the processor's reference."""

    account: Annotated[str, Field(max_length=40, description="The account number (check digit verified).")]
    amount: Annotated[
        Decimal, BeforeValidator(_amount), Field(description='Dollars, e.g. "45.56" (a string, or a number).')
    ]
    method: Annotated[str, Field(description="online, phone or ach"), AfterValidator(_method)]
    reference: Annotated[
        str,
        Field(min_length=1, max_length=60, description="The processor's reference."),
        AfterValidator(_reference),
    ]

    @model_validator(mode="before")
    @classmethod
    def _only_known_fields(cls, values):
        inner = getattr(values, "_obj", values)
        if isinstance(inner, dict):
            for name in inner:
                if name in FIELDS:
                    continue
                label = str(name)[:40]
                words = set(re.split(r"[^a-z0-9]+", label.lower()))
                if "card" in label.lower() or words & CARD_WORDS or label.lower().startswith("exp"):
                    raise BadValue(
                        label,
                        f"{label}: card data is never accepted (PCI DSS): the card is keyed on the processor's "
                        "page; send only its reference",
                    )
                raise BadValue(
                    label, f"{label}: not a field of a payment (account, amount, method, reference)"
                )
        return values


class PaymentOut(Schema):
    id: int
    account: str
    amount: str
    method: str
    reference: str
    balance: str = Field(description="The account's balance after this payment (a credit negative).")


def _out(payment: Payment, part: PaymentPart, number: str) -> PaymentOut:
    return PaymentOut(
        id=payment.pk, account=number, amount=money(payment.amount), method=payment.channel,
        reference=payment.reference, balance=money(part.balance_after),
    )  # fmt: skip


def _idempotency_key(key: str) -> str:
    if not key or len(key) > KEY_MAX or not _KEY.fullmatch(key):
        raise BadValue(
            "Idempotency-Key", f"Idempotency-Key: 1 to {KEY_MAX} visible characters (no spaces), e.g. a UUID"
        )
    return key


@router.post("/payments", response={200: PaymentOut, 201: PaymentOut, 400: Error, 403: Error, 409: Error})
def payment_post(
    request,
    payload: PaymentIn,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            max_length=KEY_MAX,
            description="Your unique id for this payment (a UUID): a retry with it posts nothing again.",
        ),
    ],  # fmt: skip
):
    """Post a payment taken online, by phone or by bank bill pay: 201 with the account's balance after it.

    The same `Idempotency-Key` with the same body again answers 200 with the same body, and posts nothing;
    the same key with a different body answers 409 (so does a key another integration used). Requests with
    the same key at the same moment post once. Card data is never accepted: a field other than the four
    (`card_number`, `cvv`, `pan`, an expiry...) answers 400 naming it.

    An unknown account, or a number whose check digit is wrong, answers 400 with `field` `account` (the
    account is in the body, not the URL). A final or closed account takes the payment: the money is already
    taken, a closing balance is settled by it (start service waits for that), and any excess is a credit
    that a refund returns."""
    require_perm(request, "payments.post_remote_payment")
    key = _idempotency_key(idempotency_key)
    try:
        number = parse_account_number(payload.account)
    except InvalidAccountNumber as exc:
        raise BadValue("account", f"account: {exc}") from None
    # The fields a payment needs (the service locks and reads the account itself), in a written-out query.
    account = next(
        iter(Account.objects.raw(f"SELECT id, number, customer_id FROM {Account._meta.db_table} WHERE number = %s",  # noqa: S608
                                 [number])),
        None,
    )  # fmt: skip
    if account is None:
        raise BadValue("account", f"account: there is no account {number}")
    # The fingerprint is of the request as understood ("45.5" and 45.50 are one amount) and of who sent it,
    # so a key another integration used is a conflict, never a view of its payment.
    body = {
        "account": number, "amount": str(payload.amount), "method": payload.method,
        "reference": payload.reference, "user": request.user.pk,
    }  # fmt: skip
    payment_request = services.PaymentRequest(
        channel=payload.method, parts=[(account, payload.amount)],
        tenders=[services.Tender("electronic", payload.amount, reference=payload.reference)],
        reference=payload.reference, idempotency_key=key, fingerprint=services.fingerprint(body),
    )  # fmt: skip
    try:
        payment, created = services.payment_post(actor=request.user, request=payment_request)
    except services.IdempotencyConflict as exc:
        return Status(409, {"detail": f"Idempotency-Key: {exc}", "field": "Idempotency-Key"})
    except services.PaymentError as exc:
        raise BadValue(exc.field or None, str(exc)) from None
    if created:
        (part,) = payment.posted_parts  # written just now: nothing to read back
        return Status(201, _out(payment, part, number))
    part = PaymentPart.objects.select_related("account").get(payment=payment)
    return Status(200, _out(payment, part, part.account.number))
