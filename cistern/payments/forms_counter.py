"""The counter's forms: open a drawer, take a payment (made for 10-key typing), void, the blind count, notes.

Card data is the processor's reference and the last four digits only (PCI DSS SAQ A): no field takes a card
number, and a reference that is a card number is refused.
"""

import uuid
from decimal import Decimal

from django import forms
from stdnum import luhn

from cistern.customers.account_number import InvalidAccountNumber, parse_account_number
from cistern.customers.models import Account

from . import drawer
from .amounts import LARGEST_AMOUNT, AmountError, parse_amount
from .models import Channel, TenderKind
from .services import PaymentRequest, Tender, fingerprint

COUNTER_TENDERS = [
    (TenderKind.CASH.value, "Cash"),
    (TenderKind.CHECK.value, "Check"),
    (TenderKind.MONEY_ORDER.value, "Money order"),
    (TenderKind.CARD.value, "Card (terminal: reference and last four)"),
]
SPLITS = 3  # more accounts of the same customer in one payment
MAX_COUNT = 100_000  # pieces of one denomination: far above any drawer, below anything that overflows
MAX_CHECK_LINES = 500


def _amount_input(**attrs):
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 12, **attrs})


def looks_like_card_number(text: str) -> bool:
    """13 to 19 digits passing the Luhn check: a card number typed where it must never go."""
    digits = "".join(ch for ch in text if ch not in " -")
    return digits.isdigit() and 13 <= len(digits) <= 19 and luhn.is_valid(digits)


class OpenDrawerForm(forms.Form):
    drawer = forms.CharField(label="Drawer", max_length=30, help_text="Which drawer, e.g. Counter 1.")
    opening_float = forms.DecimalField(
        label="Opening float ($)", min_value=Decimal("0.00"), max_value=LARGEST_AMOUNT, max_digits=12,
        decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
    )  # fmt: skip


def _account(text: str) -> Account:
    try:
        number = parse_account_number(text)
    except InvalidAccountNumber as e:
        raise forms.ValidationError(str(e)) from None
    account = Account.objects.select_related("customer", "premise").filter(number=number).first()
    if account is None:
        raise forms.ValidationError(f"There is no account {number}.")
    return account


def _amount(text: str) -> Decimal:
    try:
        return parse_amount(text)
    except AmountError as e:
        raise forms.ValidationError(str(e)) from None


class PaymentForm(forms.Form):
    """One payment: an account and amount, a tender; optionally up to three more accounts of the customer and
    a second tender. The tab order is account, amount, tender, so account Tab amount Enter posts cash."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    account = forms.CharField(
        label="Account number", max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "off", "size": 12}),
    )  # fmt: skip
    amount = forms.CharField(
        label="Amount",
        max_length=20,
        widget=_amount_input(),
        help_text="Digits alone are cents: 4556 is $45.56.",
    )
    tender = forms.ChoiceField(label="Tender", choices=COUNTER_TENDERS, initial=TenderKind.CASH.value)
    check_number = forms.CharField(label="Check or money order number", max_length=20, required=False)
    reference = forms.CharField(label="Card: processor reference", max_length=60, required=False)
    card_last_four = forms.CharField(
        label="Card: last four digits", max_length=4, min_length=4, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "size": 4, "autocomplete": "off"}),
    )  # fmt: skip
    cash_received = forms.CharField(
        label="Cash received", max_length=20, required=False, widget=_amount_input(),
        help_text="For the change due; blank: the exact amount.",
    )  # fmt: skip
    tender2 = forms.ChoiceField(
        label="Second tender", choices=[("", "None"), *COUNTER_TENDERS], required=False
    )
    tender2_amount = forms.CharField(
        label="Second tender: amount", max_length=20, required=False, widget=_amount_input()
    )
    tender2_number = forms.CharField(
        label="Second tender: check or money order number", max_length=20, required=False
    )
    tender2_reference = forms.CharField(
        label="Second tender: card processor reference", max_length=60, required=False
    )
    tender2_last_four = forms.CharField(
        label="Second tender: card last four digits", max_length=4, min_length=4, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "size": 4, "autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)
        for i in range(1, SPLITS + 1):
            self.fields[f"split_account_{i}"] = forms.CharField(
                label=f"Also pay account {i}", max_length=20, required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 12}),
            )  # fmt: skip
            self.fields[f"split_amount_{i}"] = forms.CharField(
                label=f"Amount to account {i}", max_length=20, required=False, widget=_amount_input()
            )

    # The form's parts for the template: the main line, then what sits inside <details>.
    MAIN = ("account", "amount", "tender", "check_number", "reference", "card_last_four", "cash_received")
    SECOND = ("tender2", "tender2_amount", "tender2_number", "tender2_reference", "tender2_last_four")

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def split_rows(self):
        return [(self[f"split_account_{i}"], self[f"split_amount_{i}"]) for i in range(1, SPLITS + 1)]

    def second_fields(self):
        return [self[name] for name in self.SECOND]

    def extra_used(self) -> bool:
        """The split or second tender was filled in (the <details> opens to show it, and its errors)."""
        names = [f"split_{k}_{i}" for i in range(1, SPLITS + 1) for k in ("account", "amount")] + list(
            self.SECOND
        )
        return self.is_bound and any((self.data.get(n) or "").strip() or n in self.errors for n in names)

    def clean_account(self):
        return _account(self.cleaned_data["account"])

    def clean_amount(self):
        return _amount(self.cleaned_data["amount"])

    def clean_cash_received(self):
        text = self.cleaned_data["cash_received"].strip()
        return _amount(text) if text else None

    def clean_card_last_four(self):
        return _last_four(self.cleaned_data["card_last_four"])

    def clean_tender2_last_four(self):
        return _last_four(self.cleaned_data["tender2_last_four"])

    def clean_reference(self):
        return _reference(self.cleaned_data["reference"])

    def clean_tender2_reference(self):
        return _reference(self.cleaned_data["tender2_reference"])

    def clean(self):
        data = super().clean()
        account, amount = data.get("account"), data.get("amount")
        parts = [(account, amount)] if account is not None and amount is not None else []
        seen = {account.pk} if account is not None else set()
        for i in range(1, SPLITS + 1):
            extra_text = (data.get(f"split_account_{i}") or "").strip()
            amount_text = (data.get(f"split_amount_{i}") or "").strip()
            if not extra_text and not amount_text:
                continue
            if not extra_text:
                self.add_error(f"split_account_{i}", "Give the account this amount pays.")
                continue
            if not amount_text:
                self.add_error(f"split_amount_{i}", "Give the amount for this account.")
                continue
            try:
                extra = _account(extra_text)
            except forms.ValidationError as e:
                self.add_error(f"split_account_{i}", e)
                continue
            try:
                extra_amount = _amount(amount_text)
            except forms.ValidationError as e:
                self.add_error(f"split_amount_{i}", e)
                continue
            if extra.pk in seen:
                self.add_error(
                    f"split_account_{i}", f"Account {extra.number} is named twice: give it one amount."
                )
                continue
            if account is not None and extra.customer_id != account.customer_id:
                self.add_error(
                    f"split_account_{i}",
                    f"Account {extra.number} is {extra.customer.name}'s: one payment pays one customer's accounts.",
                )
                continue
            seen.add(extra.pk)
            parts.append((extra, extra_amount))
        total = sum((a for _, a in parts), Decimal("0.00"))
        tenders = self._tenders(data, total)
        if self.errors:
            return data
        if total > LARGEST_AMOUNT:
            self.add_error("amount", f"The payment's total ${total:,.2f} is more than the counter takes.")
            return data
        data["parts"], data["tenders"], data["total"] = parts, tenders, total
        return data

    def _tender(self, data, kind: str, amount: Decimal, prefix: str) -> Tender | None:
        number_field = "check_number" if prefix == "" else "tender2_number"
        reference_field = "reference" if prefix == "" else "tender2_reference"
        four_field = "card_last_four" if prefix == "" else "tender2_last_four"
        number = (data.get(number_field) or "").strip()
        reference = (data.get(reference_field) or "").strip()
        four = data.get(four_field) or ""
        if kind == TenderKind.CHECK and not number:
            self.add_error(number_field, "A check needs its check number.")
            return None
        if kind == TenderKind.CARD:
            if not reference and reference_field not in self.errors:
                self.add_error(reference_field, "A card needs the processor's reference from the terminal.")
            if not four and four_field not in self.errors:
                self.add_error(four_field, "A card needs its last four digits (and nothing more).")
            if not reference or not four:
                return None
        return Tender(
            kind=kind, amount=amount,
            check_number=number if kind in (TenderKind.CHECK, TenderKind.MONEY_ORDER) else "",
            reference=reference if kind == TenderKind.CARD else "",
            card_last_four=four if kind == TenderKind.CARD else "",
        )  # fmt: skip

    def _tenders(self, data, total: Decimal) -> list[Tender]:
        kind, second = data.get("tender"), data.get("tender2") or ""
        if not kind:
            return []
        second_amount = None
        if second:
            text = (data.get("tender2_amount") or "").strip()
            if not text:
                self.add_error("tender2_amount", "Give the second tender's amount.")
                return []
            try:
                second_amount = _amount(text)
            except forms.ValidationError as e:
                self.add_error("tender2_amount", e)
                return []
            if total and second_amount >= total:
                self.add_error(
                    "tender2_amount", f"The second tender must be less than the payment's ${total:,.2f}."
                )
                return []
        elif (data.get("tender2_amount") or "").strip():
            self.add_error("tender2", "Pick the second tender's kind.")
            return []
        first = self._tender(data, kind, total - (second_amount or 0), "")
        tenders = [first]
        if second:
            tenders.append(self._tender(data, second, second_amount, "2"))
        cash = data.get("cash_received")
        if cash is not None and TenderKind.CASH not in (kind, second):
            self.add_error("cash_received", "Cash received is for a cash tender: leave it blank.")
        return [t for t in tenders if t is not None]

    def payment_request(self, channel: str = Channel.COUNTER) -> PaymentRequest:
        data = self.cleaned_data
        body = {
            "parts": [(a.number, str(amount)) for a, amount in data["parts"]],
            "tenders": [(t.kind, str(t.amount), t.check_number, t.reference, t.card_last_four) for t in data["tenders"]],
            "cash": str(data.get("cash_received")),
        }  # fmt: skip
        key = (data.get("key") or "").strip()
        return PaymentRequest(
            channel=channel, parts=data["parts"], tenders=data["tenders"], cash_tendered=data.get("cash_received"),
            # The key the page was drawn with: Enter pressed twice (or a resubmitted page) posts once.
            idempotency_key=f"counter:{key}" if key else None, fingerprint=fingerprint(body),
        )  # fmt: skip


def _last_four(text: str) -> str:
    text = (text or "").strip()
    if text and not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise forms.ValidationError("The card's last four digits: four digits, nothing more.")
    return text


def _reference(text: str) -> str:
    text = (text or "").strip()
    if looks_like_card_number(text):
        raise forms.ValidationError(
            "That is a card number: never type it here. Enter the reference the card terminal printed."
        )
    return text


# Form field names of what a PaymentError names (services' names -> this form's).
ERROR_FIELDS = {
    "account": "account", "amount": "amount", "tender": "tender", "check_number": "check_number",
    "card_last_four": "card_last_four", "reference": "reference", "cash_tendered": "cash_received",
}  # fmt: skip


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=200)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why.")
        return reason


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def denomination_label(value) -> str:
    return f"${int(value)}" if value >= 1 else f"{int(value * 100)}¢"


class BlindCountForm(forms.Form):
    """Pieces per note and coin, rolls per coin, and the checks (money orders with them), one per line."""

    checks = forms.CharField(
        label="Checks and money orders, one per line", required=False, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 28, "spellcheck": "false"}),
        help_text='The amount, or the number and the amount ("1042 120.00"). Digits alone are cents.',
    )  # fmt: skip
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count = {"min_value": 0, "max_value": MAX_COUNT, "required": False}
        attrs = {"inputmode": "numeric", "size": 5, "autocomplete": "off"}
        for value in drawer.BILLS:
            self.fields[f"bill_{value}"] = forms.IntegerField(
                label=f"${value} notes", widget=forms.TextInput(attrs=attrs), **count
            )
        for value in drawer.COINS:
            cents = int(value * 100)
            self.fields[f"coin_{cents}"] = forms.IntegerField(
                label=f"{denomination_label(value)} coins", widget=forms.TextInput(attrs=attrs), **count
            )
            self.fields[f"roll_{cents}"] = forms.IntegerField(
                label=f"{denomination_label(value)} rolls ({drawer.COINS_PER_ROLL[value]} each)",
                widget=forms.TextInput(attrs=attrs), **count,
            )  # fmt: skip

    def bill_fields(self):
        return [self[f"bill_{v}"] for v in drawer.BILLS]

    def coin_rows(self):
        return [(self[f"coin_{int(v * 100)}"], self[f"roll_{int(v * 100)}"]) for v in drawer.COINS]

    def clean_checks(self):
        lines = [line.strip() for line in self.cleaned_data["checks"].splitlines()]
        lines = [(n, line) for n, line in enumerate(lines, start=1) if line]
        if len(lines) > MAX_CHECK_LINES:
            raise forms.ValidationError(f"At most {MAX_CHECK_LINES} checks in one drawer.")
        checks, problems = [], []
        for n, line in lines:
            words = line.replace(",", "").replace("$", "").split()
            if len(words) > 2:
                problems.append(f'Line {n}: the amount, or the number and the amount ("1042 120.00").')
                continue
            try:
                checks.append(parse_amount(words[-1]))
            except AmountError as e:
                problems.append(f"Line {n}: {e}")
        if problems:
            raise forms.ValidationError(problems)
        return checks

    def blind_count(self) -> drawer.BlindCount:
        data = self.cleaned_data
        return drawer.BlindCount(
            bills={v: data[f"bill_{v}"] for v in drawer.BILLS if data.get(f"bill_{v}")},
            coins={v: data[f"coin_{int(v * 100)}"] for v in drawer.COINS if data.get(f"coin_{int(v * 100)}")},
            rolls={v: data[f"roll_{int(v * 100)}"] for v in drawer.COINS if data.get(f"roll_{int(v * 100)}")},
            checks=tuple(data["checks"]),
        )
