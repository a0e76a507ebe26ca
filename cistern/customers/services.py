"""Every write to customers, premises and accounts. Each function: keyword-only, takes the acting user,
one transaction, audited. Views, the API and commands call these and nothing else."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cistern.core import clock
from cistern.core.audit import audit_record, snapshot
from cistern.core.money import format_money, money
from cistern.core.permissions import require
from cistern.core.selectors import district_settings
from cistern.core.services import sequence_next

from . import signals
from .account_number import make_account_number
from .balances import balances_owed
from .models import (
    Account,
    AccountFlag,
    AccountRelationship,
    AccountStatus,
    ContactEntry,
    CreditDecision,
    Customer,
    FlagKind,
    IdentityMethod,
    OccupancyType,
    Premise,
    ServiceEvent,
    ServiceEventKind,
)
from .search_text import build_search_text, service_address_text


class CustomerError(Exception):
    """A start, transfer, stop or change that cannot be made; the message tells the clerk why."""


class BadDebtRefused(CustomerError):
    def __init__(self, debts: list[tuple[Account, Decimal]]):
        self.debts = debts
        total = money(sum((amount for _, amount in debts), Decimal(0)))
        listed = ", ".join(
            f"{a.number} ({a.premise.service_address}) {format_money(amt)}" for a, amt in debts
        )
        super().__init__(
            f"{debts[0][0].customer.name} owes {format_money(total)} on closed accounts: {listed}. "
            "It must be paid in full, with the set-up fee and deposit, before service starts."
        )


ACCOUNT_SEQUENCE = "account_number"
CUSTOMER_FIELDS = [
    "kind", "name", "phone", "phone_alt", "email", "mailing_street", "mailing_unit", "mailing_city",
    "mailing_state", "mailing_zip", "preferred_language", "paperless",
]  # fmt: skip
PREMISE_FIELDS = ["street", "unit", "city", "state", "zip_code", "parcel_number", "zone", "occupancy_type"]
ACCOUNT_FIELDS = [
    "number", "customer", "premise", "relationship", "occupancy_type", "status", "start_date", "end_date",
    "identity_method", "credit_decision", "credit_decided_on", "deposit_amount", "deposit_waived_reason",
    "setup_fee_amount", "forwarding_street", "forwarding_unit", "forwarding_city", "forwarding_state",
    "forwarding_zip",
]  # fmt: skip


def account_search_text(account: Account) -> str:
    customer, premise = account.customer, account.premise
    return build_search_text(
        number=account.number,
        name=customer.name,
        phones=[customer.phone, customer.phone_alt],
        email=customer.email,
        mailing_address=customer.mailing_address,
        service_address=service_address_text(premise.street, premise.unit, premise.city),
        parcel_number=premise.parcel_number,
        legacy_number=account.legacy_number,
    )


def _refresh_search_text(accounts) -> None:
    for account in accounts:
        text = account_search_text(account)
        if text != account.search_text:
            Account.objects.filter(pk=account.pk).update(search_text=text)


def _clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        messages = [f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items()]
        raise CustomerError("; ".join(messages)) from None


# --- customers and premises ---------------------------------------------------------------------


def customer_create(*, actor, reason: str = "", **fields) -> Customer:
    require(actor, "customers.start_service")
    with transaction.atomic():
        customer = Customer(**fields)
        _clean(customer)
        customer.save()
        audit_record(
            actor=actor, action="customer.create", obj=customer, after=snapshot(customer, CUSTOMER_FIELDS),
            reason=reason,
        )  # fmt: skip
    return customer


def customer_update(*, actor, customer: Customer, reason: str = "", **fields) -> Customer:
    require(actor, "customers.change_customer")
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise CustomerError(f"Unknown customer field: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        before = snapshot(customer, CUSTOMER_FIELDS)
        for key, value in fields.items():
            setattr(customer, key, value)
        _clean(customer)
        customer.save()
        after = snapshot(customer, CUSTOMER_FIELDS)
        accounts = list(customer.accounts.select_related("customer", "premise"))
        for account in accounts:
            audit_record(
                actor=actor, action="customer.update", obj=customer, before=before, after=after, reason=reason,
                account_id=account.pk,
            )  # fmt: skip
        if not accounts:
            audit_record(actor=actor, action="customer.update", obj=customer, before=before, after=after)
        _refresh_search_text(accounts)
    return customer


def premise_create(*, actor, reason: str = "", **fields) -> Premise:
    require(actor, "customers.start_service")
    with transaction.atomic():
        premise = Premise(**fields)
        _clean(premise)
        premise.save()
        audit_record(
            actor=actor, action="premise.create", obj=premise, after=snapshot(premise, PREMISE_FIELDS),
            reason=reason,
        )  # fmt: skip
    return premise


# --- start, transfer, stop ----------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """What the clerk established at the counter for a new account. Never an SSN."""

    relationship: str
    occupancy_type: str
    identity_method: str
    credit_decision: str
    deposit_required: bool
    deposit_waived_reason: str = ""
    charge_setup_fee: bool = True


def unpaid_closed_debts(customer: Customer) -> list[tuple[Account, Decimal]]:
    """The customer's stopped accounts that still owe. An account whose stop date is still ahead is in
    service (status.status_on): what it owes is a current balance, not a debt from a closed account."""
    closed = list(
        customer.accounts.filter(
            status__in=[AccountStatus.FINAL, AccountStatus.CLOSED], end_date__lte=clock.today()
        ).select_related("customer", "premise")
    )
    owed = balances_owed(a.pk for a in closed)
    return [(a, owed[a.pk]) for a in closed if owed[a.pk] > 0]


def _check_application(app: Application) -> None:
    if app.relationship not in AccountRelationship.values:
        raise CustomerError(f"Unknown relationship {app.relationship!r}.")
    if app.identity_method not in IdentityMethod.values:
        raise CustomerError("Record how identity was verified.")
    if app.credit_decision not in CreditDecision.values:
        raise CustomerError("Record the credit decision.")
    if app.credit_decision == CreditDecision.NO_SSN and app.identity_method != IdentityMethod.GOVERNMENT_ID:
        raise CustomerError("Without an SSN the customer must show government ID in person.")
    needs_deposit = app.credit_decision != CreditDecision.ACCEPTABLE
    if needs_deposit and not app.deposit_required and not app.deposit_waived_reason.strip():
        raise CustomerError("This credit decision calls for a deposit: take it, or waive it with a reason.")


def _open_account(
    *, actor, customer, premise, start_date, app: Application, deposit: Decimal, setup_fee: Decimal
):
    number = make_account_number(sequence_next(name=ACCOUNT_SEQUENCE, start=1000001))
    account = Account(
        number=number,
        customer=customer,
        premise=premise,
        relationship=app.relationship,
        occupancy_type=app.occupancy_type,
        status=AccountStatus.PENDING,
        start_date=start_date,
        identity_method=app.identity_method,
        identity_verified_by=actor,
        credit_decision=app.credit_decision,
        credit_decided_on=clock.today() if app.credit_decision != CreditDecision.NOT_CHECKED else None,
        credit_decided_by=actor if app.credit_decision != CreditDecision.NOT_CHECKED else None,
        deposit_amount=deposit,
        deposit_waived_reason="" if app.deposit_required else app.deposit_waived_reason.strip(),
        setup_fee_amount=setup_fee,
    )
    _clean(account, exclude=["search_text"])
    account.search_text = account_search_text(account)
    account.save()
    return account


def _stop(
    *, actor, account: Account, stop_date: date, forwarding: dict, reason: str, kind: str, related=None
):
    before = snapshot(account, ACCOUNT_FIELDS)
    account.status = AccountStatus.FINAL
    account.end_date = stop_date
    for key, value in forwarding.items():
        setattr(account, f"forwarding_{key}", value.strip())
    account.save()
    ServiceEvent.objects.create(
        account=account, kind=kind, effective_on=stop_date, note=reason[:200], related_account=related,
        created_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, action=f"account.{kind}", obj=account, before=before,
        after=snapshot(account, ACCOUNT_FIELDS), reason=reason, account_id=account.pk,
    )  # fmt: skip


def accounts_lock(account_ids) -> list[Account]:
    """Lock customer accounts, in ascending id order, inside the caller's transaction: the one lock order for
    anything that writes to an account's receivable or deposit (the ledger's posting, a final bill reading the
    balance it settles), so two writers never wait on each other in a circle. Returns them in that order."""
    ids = sorted({int(pk) for pk in account_ids})
    if not ids:
        return []
    return list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _lock_premise_accounts(premise: Premise) -> list[Account]:
    # Lock the premise row first, so two clerks cannot start service at one address at once.
    Premise.objects.select_for_update().get(pk=premise.pk)
    return list(premise.accounts.select_for_update().select_related("customer", "premise"))


def service_start(
    *,
    actor,
    customer: Customer,
    premise: Premise,
    start_date: date,
    application: Application,
    stop_current_account: bool = False,
    reason: str = "",
) -> Account:
    """Open a pending account for `customer` at `premise` (the turn-on order activates it)."""
    require(actor, "customers.start_service")
    _check_application(application)
    with transaction.atomic():
        debts = unpaid_closed_debts(customer)
        if debts:
            raise BadDebtRefused(debts)
        for other in _lock_premise_accounts(premise):
            if other.is_open:
                if not stop_current_account:
                    raise CustomerError(
                        f"{premise.service_address} is in service to {other.customer.name} "
                        f"(account {other.number}). Stop that account on the start date first."
                    )
                if start_date < other.start_date:
                    raise CustomerError(
                        f"Account {other.number} started {other.start_date:%m/%d/%Y}; "
                        "the new start cannot be earlier."
                    )
                _stop(
                    actor=actor, account=other, stop_date=start_date, forwarding={}, kind=ServiceEventKind.STOP,
                    reason=f"Move-out: {customer.name} starts service {start_date:%m/%d/%Y}",
                )  # fmt: skip
                signals.service_stopped.send(sender=Account, actor=actor, account=other)
            elif other.end_date and other.end_date > start_date:
                raise CustomerError(
                    f"Account {other.number} has service here until {other.end_date:%m/%d/%Y}; "
                    "start on or after that date."
                )
        district = district_settings()
        deposit = money(district.guarantee_deposit) if application.deposit_required else money(0)
        setup_fee = money(district.account_setup_fee) if application.charge_setup_fee else money(0)
        account = _open_account(
            actor=actor, customer=customer, premise=premise, start_date=start_date, app=application,
            deposit=deposit, setup_fee=setup_fee,
        )  # fmt: skip
        ServiceEvent.objects.create(
            account=account, kind=ServiceEventKind.START, effective_on=start_date, note=reason[:200],
            created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="account.start", obj=account, after=snapshot(account, ACCOUNT_FIELDS),
            reason=reason or "Start service", account_id=account.pk,
        )  # fmt: skip
        signals.service_started.send(sender=Account, actor=actor, account=account)
    return account


def service_start_new_customer(
    *,
    actor,
    customer_fields: dict,
    premise: Premise,
    start_date: date,
    application: Application,
    stop_current_account: bool = False,
    reason: str = "",
) -> Account:
    """A new customer and their first account, as one piece of work: a refused start leaves no orphan customer.
    With no mailing street given, the service address is the mailing address."""
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in customer_fields.items()}
    if not fields.get("mailing_street"):
        fields.update(
            mailing_street=premise.street, mailing_unit=premise.unit, mailing_city=premise.city,
            mailing_state=premise.state, mailing_zip=premise.zip_code,
        )  # fmt: skip
    fields["mailing_state"] = (fields.get("mailing_state") or "CA").upper()
    fields["kind"] = fields.get("kind") or "person"
    fields["preferred_language"] = fields.get("preferred_language") or "en"
    with transaction.atomic():
        customer = customer_create(actor=actor, reason="New customer at start of service", **fields)
        return service_start(
            actor=actor, customer=customer, premise=premise, start_date=start_date, application=application,
            stop_current_account=stop_current_account, reason=reason,
        )  # fmt: skip


def service_transfer(
    *,
    actor,
    account: Account,
    new_premise: Premise,
    transfer_date: date,
    occupancy_type: str,
    relationship: str,
    reason: str = "",
) -> Account:
    """The customer moves within the district: stop here, start there on one date; the deposit goes along."""
    require(actor, "customers.transfer_service")
    with transaction.atomic():
        account = Account.objects.select_for_update().select_related("customer", "premise").get(pk=account.pk)
        if not account.is_open:
            raise CustomerError(
                f"Account {account.number} is {account.get_status_display().lower()}; only an account in service can transfer."
            )  # noqa: E501
        if new_premise.pk == account.premise_id:
            raise CustomerError("The new service address is the one the customer already has.")
        if transfer_date < account.start_date:
            raise CustomerError(
                f"Service began {account.start_date:%m/%d/%Y}; transfer on or after that date."
            )
        for other in _lock_premise_accounts(new_premise):
            if other.is_open or (other.end_date and other.end_date > transfer_date):
                raise CustomerError(
                    f"{new_premise.service_address} is in service to {other.customer.name} "
                    f"(account {other.number}) on {transfer_date:%m/%d/%Y}."
                )
        app = Application(
            relationship=relationship, occupancy_type=occupancy_type,
            identity_method=IdentityMethod.EXISTING_CUSTOMER, credit_decision=account.credit_decision,
            deposit_required=account.deposit_amount > 0,
            deposit_waived_reason=account.deposit_waived_reason or "Transferred account",
            charge_setup_fee=False,
        )  # fmt: skip
        new = _open_account(
            actor=actor, customer=account.customer, premise=new_premise, start_date=transfer_date, app=app,
            deposit=money(account.deposit_amount), setup_fee=money(0),
        )  # fmt: skip
        forwarding = {
            "street": new_premise.street, "unit": new_premise.unit, "city": new_premise.city,
            "state": new_premise.state, "zip": new_premise.zip_code,
        }  # fmt: skip
        if account.customer.mailing_street:
            forwarding = {
                "street": account.customer.mailing_street, "unit": account.customer.mailing_unit,
                "city": account.customer.mailing_city, "state": account.customer.mailing_state,
                "zip": account.customer.mailing_zip,
            }  # fmt: skip
        _stop(
            actor=actor, account=account, stop_date=transfer_date, forwarding=forwarding,
            kind=ServiceEventKind.TRANSFER_OUT, reason=reason or f"Transferred to {new_premise.service_address}",
            related=new,
        )  # fmt: skip
        ServiceEvent.objects.create(
            account=new, kind=ServiceEventKind.TRANSFER_IN, effective_on=transfer_date, related_account=account,
            note=f"From {account.premise.service_address}"[:200], created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="account.transfer_in", obj=new, after=snapshot(new, ACCOUNT_FIELDS),
            reason=reason or f"Transferred from account {account.number}", account_id=new.pk,
        )  # fmt: skip
        signals.service_transferred.send(sender=Account, actor=actor, old_account=account, new_account=new)
    return new


def service_stop(
    *, actor, account: Account, stop_date: date, forwarding: dict[str, str], reason: str = ""
) -> Account:
    """Stop service on a date and keep the forwarding address for the final bill and any deposit refund."""
    require(actor, "customers.stop_service")
    missing = [k for k in ("street", "city", "state", "zip") if not forwarding.get(k, "").strip()]
    if missing:
        raise CustomerError(
            f"A forwarding address is needed for the final bill; missing: {', '.join(missing)}."
        )
    with transaction.atomic():
        account = Account.objects.select_for_update().select_related("customer", "premise").get(pk=account.pk)
        if not account.is_open:
            if account.end_date is not None and account.end_date > clock.today():
                raise CustomerError(f"Account {account.number} already stops on {account.end_date:%m/%d/%Y}.")
            raise CustomerError(
                f"Account {account.number} is already {account.get_status_display().lower()}."
            )
        if stop_date < account.start_date:
            raise CustomerError(f"Service began {account.start_date:%m/%d/%Y}; stop on or after that date.")
        _stop(
            actor=actor, account=account, stop_date=stop_date, forwarding=forwarding, kind=ServiceEventKind.STOP,
            reason=reason or "Stop service",
        )  # fmt: skip
        signals.service_stopped.send(sender=Account, actor=actor, account=account)
    return account


def account_activate(*, actor, account: Account, on: date, reason: str) -> Account:
    """A pending account becomes active when its turn-on is completed (field work calls this inside the
    completion's transaction and under its permission). An account already active is left as it is."""
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.status != AccountStatus.PENDING:
            return account
        before = snapshot(account, ACCOUNT_FIELDS)
        account.status = AccountStatus.ACTIVE
        account.save(update_fields=["status"])
        ServiceEvent.objects.create(
            account=account,
            kind=ServiceEventKind.ACTIVATED,
            effective_on=on,
            note=reason[:200],
            created_by=actor,
        )
        audit_record(
            actor=actor, action="account.activate", obj=account, before=before,
            after=snapshot(account, ACCOUNT_FIELDS), reason=reason, account_id=account.pk,
        )  # fmt: skip
    return account


RELATIONSHIP_FIELDS = ["relationship", "occupancy_type"]


def account_correct_relationship(
    *, actor, account: Account, relationship: str, occupancy_type: str, reason: str, premise_too: bool = False
) -> Account:
    """Correct an account's relationship (owner or tenant) and occupancy after it opened: a start recorded a
    rental's tenant as its owner. Bills from now on rate by the corrected occupancy; bills already posted
    stay as they are (cancel and rebill corrects those). With `premise_too` the premise's occupancy is
    corrected as well, so the next start there defaults right."""
    require(actor, "customers.start_service")
    if relationship not in AccountRelationship.values:
        raise CustomerError(f"Unknown relationship {relationship!r}.")
    if occupancy_type not in OccupancyType.values:
        raise CustomerError(f"Unknown occupancy {occupancy_type!r}.")
    if not reason.strip():
        raise CustomerError("Say why the relationship or occupancy is corrected.")
    with transaction.atomic():
        account = Account.objects.select_for_update().select_related("premise").get(pk=account.pk)
        before = snapshot(account, RELATIONSHIP_FIELDS)
        changed = (account.relationship, account.occupancy_type) != (relationship, occupancy_type)
        premise = account.premise
        premise_changed = premise_too and premise.occupancy_type != occupancy_type
        if not changed and not premise_changed:
            raise CustomerError("Nothing to correct: the account already says that.")
        if changed:
            account.relationship, account.occupancy_type = relationship, occupancy_type
            account.save(update_fields=RELATIONSHIP_FIELDS)
            audit_record(
                actor=actor, action="account.correct_relationship", obj=account, before=before,
                after=snapshot(account, RELATIONSHIP_FIELDS), reason=reason.strip(), account_id=account.pk,
            )  # fmt: skip
        if premise_changed:
            premise = Premise.objects.select_for_update().get(pk=premise.pk)
            premise_before = snapshot(premise, ["occupancy_type"])
            premise.occupancy_type = occupancy_type
            premise.save(update_fields=["occupancy_type"])
            audit_record(
                actor=actor, action="premise.correct_occupancy", obj=premise, before=premise_before,
                after=snapshot(premise, ["occupancy_type"]), reason=reason.strip(), account_id=account.pk,
            )  # fmt: skip
    return account


# --- flags and the contact log ------------------------------------------------------------------

FLAG_FIELDS = ["kind", "starts_on", "expires_on", "reason"]


def flag_add(
    *, actor, account: Account, kind: str, starts_on: date, expires_on: date | None, reason: str
) -> AccountFlag:
    require(actor, "customers.add_accountflag")
    if kind == FlagKind.SHUTOFF_HOLD:
        require(actor, "customers.place_shutoff_hold")
    if kind not in FlagKind.values:
        raise CustomerError(f"Unknown flag {kind!r}.")
    if not reason.strip():
        raise CustomerError("Give the reason for the flag (certifying provider, program, decision).")
    if expires_on is not None and expires_on < starts_on:
        raise CustomerError("A flag cannot expire before it starts.")
    with transaction.atomic():
        flag = AccountFlag.objects.create(
            account=account, kind=kind, starts_on=starts_on, expires_on=expires_on, reason=reason.strip(),
            created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="flag.add", obj=flag, after=snapshot(flag, FLAG_FIELDS), reason=reason,
            account_id=account.pk,
        )  # fmt: skip
    return flag


def flag_end(*, actor, flag: AccountFlag, on: date, reason: str) -> AccountFlag:
    """End a flag on a date (the day before it no longer applies); the row stays as history."""
    require(actor, "customers.change_accountflag")
    if flag.kind == FlagKind.SHUTOFF_HOLD:
        require(actor, "customers.place_shutoff_hold")
    if not reason.strip():
        raise CustomerError("Give the reason the flag ends.")
    with transaction.atomic():
        flag = AccountFlag.objects.select_for_update().get(pk=flag.pk)
        if on < flag.starts_on:
            raise CustomerError(f"The flag starts {flag.starts_on:%m/%d/%Y}; it cannot end before that.")
        before = snapshot(flag, FLAG_FIELDS)
        flag.expires_on = on
        flag.save(update_fields=["expires_on"])
        audit_record(
            actor=actor, action="flag.end", obj=flag, before=before, after=snapshot(flag, FLAG_FIELDS),
            reason=reason, account_id=flag.account_id,
        )  # fmt: skip
    return flag


def contact_log_add(*, actor, account: Account, channel: str, subject: str, note: str = "") -> ContactEntry:
    require(actor, "customers.add_contactentry")
    if not subject.strip():
        raise CustomerError("A contact entry needs a subject.")
    with transaction.atomic():
        entry = ContactEntry(account=account, channel=channel, subject=subject.strip(), note=note.strip(),
                             created_by=actor)  # fmt: skip
        _clean(entry)
        entry.save()
    # The contact log is itself the record of who did what; no second audit row.
    return entry
