"""Autopay: enrolments, the debits scheduled for each bill, the NACHA file that sends them, and ACH returns.

The life of an enrolment: enrolled with a zero-dollar prenote (status prenote) that settles on the next
banking day; live debits start 3 banking days after the prenote settled (live_from) if no return came, when
the daily job (`schedule_autopay`) makes it active and schedules each posted bill's amount due for its due
date (or the next banking day). `export_autopay` writes the day's NACHA file and posts each live debit as an
autopay payment (ACH clearing). A return reverses the payment; some return codes end the enrolment, others
present the debit again (at most twice). Billing sits below payments, so bills are found by the daily job, not
announced by billing.

Bank account numbers are stored encrypted (payments/secrets.py), shown and audited masked, and decrypted only
to write the file.
"""

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django_tasks import default_task_backend, task

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.models import DistrictSettings
from cistern.core.money import ZERO
from cistern.core.permissions import require
from cistern.core.selectors import district_settings
from cistern.customers.models import Account
from cistern.customers.services import accounts_lock

from . import aba, bank, nacha
from . import banking_days as banking
from . import secrets as field_crypto
from .batch import BatchItem, payments_post_batch
from .models import (
    AchFile,
    AutopayDebit,
    AutopayEnrolment,
    BankAccountType,
    Channel,
    DebitStatus,
    EnrolmentStatus,
    Payment,
    ReturnKind,
)
from .services import PaymentError

# Return codes that end the enrolment, and those after which the debit may be presented again (payments.md).
# Data: a district overrides them with the settings CISTERN_ACH_END_CODES / CISTERN_ACH_REPRESENT_CODES.
END_CODES = frozenset({"R02", "R03", "R04", "R05", "R07", "R10", "R16", "R20", "R29"})
REPRESENT_CODES = frozenset({"R01", "R09"})
LAST_PRESENTMENT = 3  # the first presentment and at most two more (the rules' limit)
PRENOTE_BANKING_DAYS = 3  # live debits start this many banking days after the prenote settles
SCHEDULE_LOOKBACK_DAYS = 60  # the daily job looks at bills dated this far back (a missed day is caught up)
# What the bank's return notice says, for the hand-entry page (the codes payments.md lists).
RETURN_REASONS = {
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account / unable to locate account",
    "R04": "Invalid account number",
    "R05": "Unauthorized debit to consumer account",
    "R07": "Authorization revoked by customer",
    "R08": "Payment stopped",
    "R09": "Uncollected funds",
    "R10": "Customer advises not authorized",
    "R16": "Account frozen",
    "R20": "Non-transaction account",
    "R29": "Corporate customer advises not authorized",
}
FILE_ID_MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ACCOUNT_NUMBER = re.compile(r"[0-9A-Za-z-]{4,17}", re.ASCII)
_RETURN_CODE = re.compile(r"R[0-9]{2}", re.ASCII)
ENROL, END, SCHEDULE, CANCEL, EXPORT, RETURN = (
    "autopay.enrol", "autopay.end", "autopay.schedule", "autopay.cancel", "autopay.export", "autopay.return",
)  # fmt: skip


def _codes(setting: str, default: frozenset[str]) -> frozenset[str]:
    value = getattr(settings, setting, None)
    if value is None:
        return default
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(code.strip().upper() for code in value if code.strip())


def end_codes() -> frozenset[str]:
    return _codes("CISTERN_ACH_END_CODES", END_CODES)


def represent_codes() -> frozenset[str]:
    return _codes("CISTERN_ACH_REPRESENT_CODES", REPRESENT_CODES)


def masked(enrolment: AutopayEnrolment) -> str:
    """The bank account as screens, letters and the audit trail show it: ****1234."""
    return aba.MASK + enrolment.bank_account_last_four


# --- enrolment --------------------------------------------------------------------------------------------


def enrolment_create(
    *, actor, account: Account, holder_name: str, routing_number: str, bank_account_number: str,
    account_type: str, on: date | None = None,
) -> AutopayEnrolment:  # fmt: skip
    """Enrol an account: the bank account stored encrypted, and its zero-dollar prenote scheduled for the next
    banking day on or after `on` (today). PaymentError names the field a clerk must correct."""
    require(actor, "payments.add_autopayenrolment")
    on = on or clock.today()
    holder_name = " ".join((holder_name or "").split())
    if not holder_name:
        raise PaymentError("Give the bank account holder's name.", "holder_name")
    if len(holder_name) > 22:
        raise PaymentError(
            "The holder's name is at most 22 characters (as the bank file carries it).", "holder_name"
        )
    routing_number = (routing_number or "").strip()
    problem = aba.routing_number_problem(routing_number)
    if problem:
        raise PaymentError(problem, "routing_number")
    number = re.sub(r"\s", "", bank_account_number or "")
    if not _ACCOUNT_NUMBER.fullmatch(number):
        raise PaymentError(
            "A bank account number is 4 to 17 letters, digits or hyphens, as printed on the check.",
            "bank_account_number",
        )
    if account_type not in BankAccountType.values:
        raise PaymentError("Choose checking or savings.", "bank_account_type")
    with transaction.atomic():
        account = accounts_lock([account.pk])[0]
        if not account.is_open:
            raise PaymentError(f"Account {account.number} is not in service: it cannot be enrolled.")
        if AutopayEnrolment.objects.filter(account=account).exclude(status=EnrolmentStatus.ENDED).exists():
            raise PaymentError(f"Account {account.number} is already enrolled in autopay: end that first.")
        settle_on = banking.banking_day_on_or_after(on)
        enrolment = AutopayEnrolment.objects.create(
            account=account, holder_name=holder_name, routing_number=routing_number,
            bank_account_encrypted=field_crypto.encrypt(number), bank_account_last_four=number[-4:],
            bank_account_type=account_type, status=EnrolmentStatus.PRENOTE,
            live_from=banking.add_banking_days(settle_on, PRENOTE_BANKING_DAYS), enrolled_by=actor,
        )  # fmt: skip
        AutopayDebit.objects.create(enrolment=enrolment, prenote=True, amount=ZERO, settle_on=settle_on)
        audit_record(
            actor=actor, action=ENROL, obj=enrolment, account_id=account.pk,
            after={
                "holder_name": holder_name, "routing_number": routing_number, "bank_account": masked(enrolment),
                "type": account_type, "prenote_settles": settle_on.isoformat(),
                "live_from": enrolment.live_from.isoformat(),
            },
        )  # fmt: skip
    return enrolment


def _cancel_scheduled(actor, enrolment: AutopayEnrolment, reason: str) -> int:
    debits = list(enrolment.debits.select_for_update().filter(status=DebitStatus.SCHEDULED))
    for debit in debits:
        debit.status = DebitStatus.CANCELLED
        debit.save(update_fields=["status"])
        audit_record(
            actor=actor, action=CANCEL, obj=debit, account_id=enrolment.account_id, reason=reason,
            before={"status": DebitStatus.SCHEDULED}, after={"status": DebitStatus.CANCELLED},
        )  # fmt: skip
    return len(debits)


def _end(actor, enrolment: AutopayEnrolment, reason: str, on: date) -> AutopayEnrolment:
    before = {"status": enrolment.status}
    enrolment.status, enrolment.ended_on, enrolment.ended_reason = (
        EnrolmentStatus.ENDED,
        on,
        reason.strip()[:200],
    )
    enrolment.save(update_fields=["status", "ended_on", "ended_reason"])
    cancelled = _cancel_scheduled(actor, enrolment, reason)
    audit_record(
        actor=actor, action=END, obj=enrolment, account_id=enrolment.account_id, reason=reason, before=before,
        after={"status": EnrolmentStatus.ENDED, "ended_on": on.isoformat(), "debits_cancelled": cancelled},
    )  # fmt: skip
    return enrolment


def enrolment_end(
    *, actor, enrolment: AutopayEnrolment, reason: str, on: date | None = None
) -> AutopayEnrolment:
    """End an enrolment (the customer's request, a closed account): its debits not yet sent are cancelled."""
    require(actor, "payments.change_autopayenrolment")
    if not (reason or "").strip():
        raise PaymentError("Say why autopay ends.", "reason")
    with transaction.atomic():
        enrolment = AutopayEnrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.ENDED:
            raise PaymentError("This enrolment has already ended.")
        return _end(actor, enrolment, reason, on or clock.today())


# --- the daily job: activation and scheduling -------------------------------------------------------------


@dataclass
class ScheduleResult:
    activated: list[AutopayEnrolment] = field(default_factory=list)
    scheduled: list[AutopayDebit] = field(default_factory=list)
    cancelled: list[AutopayDebit] = field(default_factory=list)

    def __str__(self):
        total = sum((d.amount for d in self.scheduled), ZERO)
        return (
            f"{len(self.activated)} enrolments made active, {len(self.scheduled)} debits scheduled "
            f"(${total:,.2f}), {len(self.cancelled)} debits of cancelled bills cancelled."
        )


def autopay_schedule(*, actor, on: date | None = None) -> ScheduleResult:
    """The daily job, safe to run again: (1) enrolments whose prenote was sent and not returned become active
    on live_from; (2) a debit not yet sent for a bill since cancelled is cancelled; (3) each posted bill of an
    active enrolment (dated in the last SCHEDULE_LOOKBACK_DAYS up to `on`, due on or after live_from, with an
    amount due) gets its debit for the due date or the next banking day, once (one_debit_per_bill_presentment).
    """
    from cistern.billing.models import Bill, BillCancellation

    require(actor, "payments.export_autopay")
    on = on or clock.today()
    result = ScheduleResult()
    with transaction.atomic():
        sent_prenote = AutopayDebit.objects.filter(
            enrolment=OuterRef("pk"), prenote=True, status=DebitStatus.SENT
        )
        for enrolment in AutopayEnrolment.objects.select_for_update().filter(
            Exists(sent_prenote), status=EnrolmentStatus.PRENOTE, live_from__lte=on
        ):
            enrolment.status = EnrolmentStatus.ACTIVE
            enrolment.save(update_fields=["status"])
            audit_record(
                actor=actor, action="autopay.activate", obj=enrolment, account_id=enrolment.account_id,
                before={"status": EnrolmentStatus.PRENOTE}, after={"status": EnrolmentStatus.ACTIVE},
                reason="No return of the prenote",
            )  # fmt: skip
            result.activated.append(enrolment)

        cancelled_bill = BillCancellation.objects.filter(bill_id=OuterRef("bill_id"))
        for debit in (
            AutopayDebit.objects.select_for_update(of=("self",))
            .filter(Exists(cancelled_bill), status=DebitStatus.SCHEDULED)
            .select_related("enrolment")
        ):
            debit.status = DebitStatus.CANCELLED
            debit.save(update_fields=["status"])
            audit_record(
                actor=actor, action=CANCEL, obj=debit, account_id=debit.enrolment.account_id,
                reason="The bill was cancelled", before={"status": DebitStatus.SCHEDULED},
                after={"status": DebitStatus.CANCELLED},
            )  # fmt: skip
            result.cancelled.append(debit)

        active = {
            e.account_id: e
            for e in AutopayEnrolment.objects.filter(status=EnrolmentStatus.ACTIVE).only(
                "id", "account_id", "live_from"
            )
        }
        if active:
            bills = (
                Bill.objects.filter(
                    account_id__in=AutopayEnrolment.objects.filter(status=EnrolmentStatus.ACTIVE).values(
                        "account_id"
                    ),
                    bill_date__gt=on - timedelta(days=SCHEDULE_LOOKBACK_DAYS), bill_date__lte=on,
                    amount_due__gt=0,
                )
                .exclude(Exists(BillCancellation.objects.filter(bill_id=OuterRef("pk"))))
                .exclude(Exists(AutopayDebit.objects.filter(bill_id=OuterRef("pk"))))
                .order_by("account_id", "due_date", "id")
            )  # fmt: skip
            for bill in bills:
                enrolment = active.get(bill.account_id)
                if enrolment is None or enrolment.live_from is None or bill.due_date < enrolment.live_from:
                    continue
                try:
                    with transaction.atomic():
                        debit = AutopayDebit.objects.create(
                            enrolment=enrolment, bill=bill, amount=bill.amount_due,
                            settle_on=banking.banking_day_on_or_after(bill.due_date),
                        )  # fmt: skip
                except IntegrityError:  # scheduled by a run at the same moment
                    continue
                audit_record(
                    actor=actor, action=SCHEDULE, obj=debit, account_id=bill.account_id,
                    after={"bill": bill.pk, "amount": str(debit.amount), "settle_on": debit.settle_on.isoformat()},
                )  # fmt: skip
                result.scheduled.append(debit)
    return result


SCHEDULE_AT = (5, 30)  # each morning, before the day's file is written


@task()
def autopay_schedule_daily(user_id: int, on: str | None = None) -> int:
    """The daily job as a task; where the backend can defer work it queues the next morning's."""
    from django.contrib.auth import get_user_model

    today = clock.today() if on is None else date.fromisoformat(on)
    done = autopay_schedule(actor=get_user_model().objects.get(pk=user_id), on=today)
    if default_task_backend.supports_defer:
        tomorrow = today + timedelta(days=1)
        at = timezone.make_aware(datetime(tomorrow.year, tomorrow.month, tomorrow.day, *SCHEDULE_AT))
        autopay_schedule_daily.using(run_after=at).enqueue(user_id, tomorrow.isoformat())
    return len(done.scheduled)


# --- the NACHA file ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    ach_file: AchFile
    path: Path
    prenotes: int
    debits: int
    total: Decimal
    payments: list[Payment]

    def __str__(self):
        f = self.ach_file
        return (
            f"{self.path}: ACH file {f.file_id_modifier} settling {f.settle_on:%m/%d/%Y}: {self.debits} debits "
            f"(${self.total:,.2f}) and {self.prenotes} prenotes; entry hash {f.entry_hash}."
        )


def originator() -> nacha.Originator:
    s = district_settings()
    return nacha.Originator(
        company_name=s.ach_company_name, company_id=s.ach_company_id, immediate_origin=s.ach_company_id,
        immediate_origin_name=s.ach_origin_name, immediate_destination=s.ach_odfi_routing,
        immediate_destination_name=s.ach_destination_name, odfi_routing=s.ach_odfi_routing[:8],
    )  # fmt: skip


def _next_modifier(created_on: date) -> str:
    made = AchFile.objects.filter(created_at__date=created_on).count()
    if made >= len(FILE_ID_MODIFIERS):
        raise PaymentError(f"{made} ACH files were written today: the bank takes no more file ids today.")
    return FILE_ID_MODIFIERS[made]


def _first_trace_sequence(odfi: str) -> int:
    """Trace numbers are unique for good (autopay_trace_unique): continue after the last one given."""
    last = AutopayDebit.objects.filter(trace_number__startswith=odfi).aggregate(m=Max("trace_number"))["m"]
    return int(last[8:]) + 1 if last else 1


def _write_private(path: Path, text: str) -> None:
    """Create the file owner-only (0600) from the first byte; refuse to overwrite anything."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii", newline="") as f:
        f.write(text)


def autopay_export(*, actor, settle_on: date, out: Path, now: datetime | None = None) -> ExportResult:
    """Write the NACHA file settling on `settle_on` (a banking day) to `out`: every scheduled debit and prenote
    due on or before it and not yet sent. Each debit is marked sent with its trace number and each live one
    posted as an autopay payment dated `settle_on`. One transaction: the file is written inside it, last, and
    removed if anything fails (the commit included), so a failure leaves neither file nor rows."""
    require(actor, "payments.export_autopay")
    why = banking.why_not_banking_day(settle_on)
    if why:
        raise PaymentError(
            f"{settle_on:%m/%d/%Y} is not a banking day ({why}): nothing settles then. The next banking day is "
            f"{banking.next_banking_day(settle_on):%m/%d/%Y}.",
            "settle_on",
        )
    out = Path(out)
    if out.exists():
        raise PaymentError(f"{out} already exists: give the new file a new name.", "out")
    if not out.parent.is_dir():
        raise PaymentError(f"There is no folder {out.parent}.", "out")
    created = timezone.localtime(now or timezone.now())
    written_file = False
    try:
        with transaction.atomic():
            DistrictSettings.objects.select_for_update().filter(
                pk=district_settings().pk
            ).first()  # one at a time
            due = list(
                AutopayDebit.objects.select_for_update(of=("self",))
                .filter(status=DebitStatus.SCHEDULED, settle_on__lte=settle_on)
                .exclude(enrolment__status=EnrolmentStatus.ENDED)
                .select_related("enrolment__account__customer")
                .order_by("enrolment__account__number", "settle_on", "id")
            )
            # A prenote goes with its enrolment still in prenote; a live debit with its enrolment active.
            due = [d for d in due if d.prenote == (d.enrolment.status == EnrolmentStatus.PRENOTE)]
            if not due:
                raise PaymentError(
                    f"No autopay debit or prenote is due by {settle_on:%m/%d/%Y}: nothing to send."
                )
            o = originator()
            entries = [
                nacha.Debit(
                    routing=d.enrolment.routing_number,
                    account_number=field_crypto.decrypt(d.enrolment.bank_account_encrypted),
                    amount=d.amount,
                    individual_id=d.enrolment.account.number,
                    individual_name=d.enrolment.holder_name,
                    account_type=d.enrolment.bank_account_type,
                    prenote=d.prenote,
                )  # fmt: skip
                for d in due
            ]
            modifier = _next_modifier(created.date())
            try:
                written = nacha.write_autopay_file(
                    nacha.AutopayFile(
                        originator=o,
                        created=created,
                        file_id_modifier=modifier,
                        batches=[nacha.Batch(effective_entry_date=settle_on, debits=entries)],
                        first_trace_sequence=_first_trace_sequence(o.odfi_routing),
                    )  # fmt: skip
                )
            except nacha.NachaError as e:
                raise PaymentError(f"The ACH file cannot be written: {e}") from None
            file_control = next(
                r for r in reversed(written.records) if r[0] == "9" and r != nacha.PADDING_RECORD
            )
            ach_file = AchFile.objects.create(
                settle_on=settle_on, file_id_modifier=modifier, entries=len(due), total_debits=written.total_debits,
                entry_hash=file_control[21:31], sha256=hashlib.sha256(written.text.encode("ascii")).hexdigest(),
                created_by=actor,
            )  # fmt: skip
            for debit, trace in zip(due, written.trace_numbers, strict=True):
                debit.status, debit.file, debit.trace_number = DebitStatus.SENT, ach_file, trace
                if debit.prenote:
                    # Live debits start 3 banking days after the day the prenote actually settles.
                    debit.enrolment.live_from = banking.add_banking_days(settle_on, PRENOTE_BANKING_DAYS)
                    debit.enrolment.save(update_fields=["live_from"])
            live = [d for d in due if not d.prenote]
            # The live debits posted as autopay payments dated the settlement day (ACH clearing), a table at a
            # time: a district's file holds thousands.
            ids = payments_post_batch(
                actor=actor, channel=Channel.AUTOPAY, received_on=settle_on,
                items=[BatchItem(d.enrolment.account_id, d.amount, reference=d.trace_number) for d in live],
                note=f"Autopay file {settle_on:%m/%d/%Y} {modifier}",
            )  # fmt: skip
            for debit, payment_id in zip(live, ids, strict=True):
                debit.payment_id = payment_id
            AutopayDebit.objects.bulk_update(due, ["status", "file", "trace_number", "payment"])
            audit_record(
                actor=actor, action=EXPORT, obj=ach_file,
                after={
                    "settle_on": settle_on.isoformat(), "file_id_modifier": modifier, "entries": len(due),
                    "total_debits": str(written.total_debits), "entry_hash": ach_file.entry_hash,
                    "sha256": ach_file.sha256, "file": out.name,
                },
            )  # fmt: skip
            _write_private(
                out, written.text
            )  # last: nothing after it in the transaction can fail but the commit
            written_file = True
    except BaseException:
        if written_file:
            out.unlink(missing_ok=True)
        raise
    return ExportResult(
        ach_file, out, prenotes=len(due) - len(live), debits=len(live), total=written.total_debits,
        payments=list(Payment.objects.filter(pk__in=ids).order_by("pk")),
    )  # fmt: skip


# --- returns ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnResult:
    debit: AutopayDebit
    payment: Payment | None
    ended: bool  # the enrolment ended on this code
    represented: AutopayDebit | None  # the debit presented again
    already: bool = False  # recorded before (the same return file again)

    def __str__(self):
        what = f"Debit {self.debit.trace_number} returned {self.debit.return_code}"
        if self.already:
            return f"{what}: recorded before, nothing done."
        if self.ended:
            return f"{what}: payment reversed, autopay ended."
        if self.represented:
            return f"{what}: payment reversed, presented again on {self.represented.settle_on:%m/%d/%Y}."
        return f"{what}: {'payment reversed' if self.payment else 'prenote returned'}."


def debit_for_reference(reference: str) -> AutopayDebit | None:
    """The sent debit a clerk names by its trace number (15 digits) or its payment's receipt number."""
    text = (reference or "").strip().upper()
    if re.fullmatch(r"[0-9]{15}", text, re.ASCII):
        return AutopayDebit.objects.filter(trace_number=text).select_related("enrolment", "payment").first()
    match = re.fullmatch(r"R?0*([0-9]{1,12})", text, re.ASCII)
    if match:
        return (
            AutopayDebit.objects.filter(payment_id=int(match.group(1)))
            .select_related("enrolment", "payment")
            .first()
        )
    return None


def ach_return(
    *, actor, debit: AutopayDebit, return_code: str, returned_on: date | None = None, note: str = ""
) -> ReturnResult:
    """Record the bank's return of a sent debit: the payment reversed like a returned check; an end code ends
    the enrolment (its debits not yet sent cancelled); a re-present code (R01, R09) presents the debit again on
    the next banking day, at most twice. A debit already returned with the same code is left as it is."""
    require(actor, "payments.record_return")
    code = (return_code or "").strip().upper()
    if not _RETURN_CODE.fullmatch(code):
        raise PaymentError(f"A return code is R and two digits (R01), not {return_code!r}.", "return_code")
    returned_on = returned_on or clock.today()
    if returned_on > clock.today():
        raise PaymentError(
            "A return is recorded on or after the day it came back, not before.", "returned_on"
        )
    with transaction.atomic():
        debit = (
            AutopayDebit.objects.select_for_update(of=("self",))
            .select_related("enrolment__account", "file", "payment")
            .get(pk=debit.pk)
        )
        if debit.status == DebitStatus.RETURNED and debit.return_code == code:
            return ReturnResult(debit, debit.payment, False, None, already=True)
        if debit.status != DebitStatus.SENT:
            raise PaymentError(
                f"Only a debit sent to the bank is returned; this one is {debit.get_status_display().lower()}.",
                "debit",
            )
        settled = debit.file.settle_on if debit.file else debit.settle_on
        if returned_on < settled:
            raise PaymentError(
                f"The debit settled on {settled:%m/%d/%Y}: its return comes on or after that day.",
                "returned_on",
            )
        meaning = RETURN_REASONS.get(code, "returned by the bank")
        reason = f"ACH return {code}: {meaning}" + (f" ({note.strip()})" if note.strip() else "")
        if debit.payment_id:
            # Reversed like a returned check: the entry reversed on the return day, the returned-payment fee,
            # the letter, and cash-only after repeated returns (bank.py).
            debit.payment = bank.payment_return(
                actor=actor, payment=debit.payment, returned_on=returned_on, reason=reason,
                kind=ReturnKind.ACH, reason_code=code,
            ).payment  # fmt: skip
        debit.status, debit.return_code = DebitStatus.RETURNED, code
        debit.save(update_fields=["status", "return_code"])
        enrolment = AutopayEnrolment.objects.select_for_update().get(pk=debit.enrolment_id)
        ended, again = False, None
        # A returned prenote means the bank details are wrong, whatever the code: live debits never start.
        if enrolment.status != EnrolmentStatus.ENDED and (debit.prenote or code in end_codes()):
            _end(actor, enrolment, reason, returned_on)
            ended = True
        elif (
            enrolment.status == EnrolmentStatus.ACTIVE
            and code in represent_codes()
            and debit.presentment < LAST_PRESENTMENT
        ):
            again = AutopayDebit.objects.create(
                enrolment=enrolment, bill_id=debit.bill_id, amount=debit.amount,
                settle_on=banking.next_banking_day(returned_on), presentment=debit.presentment + 1,
            )  # fmt: skip
        audit_record(
            actor=actor, action=RETURN, obj=debit, account_id=enrolment.account_id, reason=reason,
            before={"status": DebitStatus.SENT},
            after={
                "status": DebitStatus.RETURNED, "return_code": code, "returned_on": returned_on.isoformat(),
                "payment": debit.payment_id, "enrolment_ended": ended,
                "presented_again": again.settle_on.isoformat() if again else None,
            },
        )  # fmt: skip
    return ReturnResult(debit, debit.payment, ended, again)


class ReturnFileRefused(PaymentError):
    """A return file with any return that cannot be matched: nothing recorded; `errors` lists each."""

    def __init__(self, errors: list[str]):
        super().__init__(f"The return file was refused whole: {len(errors)} problem(s).", "file")
        self.errors = errors


def ach_returns_import(
    *, actor, text: str, file_name: str, returned_on: date | None = None
) -> list[ReturnResult]:
    """Record every return of a NACHA return file (entries with addenda 99), all or nothing; a return
    recorded before is left as it is, so the same file twice records nothing new."""
    require(actor, "payments.record_return")
    try:
        returns = nacha.parse_returns(text)
    except nacha.NachaError as e:
        raise ReturnFileRefused([f"{file_name}:{e}"]) from None
    debits = {
        d.trace_number: d
        for d in AutopayDebit.objects.filter(trace_number__in=[r.original_trace for r in returns])
    }
    errors = []
    for r in returns:
        debit = debits.get(r.original_trace)
        if debit is None:
            errors.append(
                f"{file_name}: trace {r.original_trace} ({r.individual_id}): no debit sent with this trace."
            )
        elif debit.amount != r.amount:
            errors.append(
                f"{file_name}: trace {r.original_trace}: returned ${r.amount:,.2f}, sent ${debit.amount:,.2f}."
            )
    if errors:
        raise ReturnFileRefused(errors)
    with transaction.atomic():
        return [
            ach_return(
                actor=actor,
                debit=debits[r.original_trace],
                return_code=r.return_code,
                returned_on=returned_on,
            )
            for r in returns
        ]


# --- reads for the pages ----------------------------------------------------------------------------------


def current_enrolment(account: Account) -> AutopayEnrolment | None:
    return AutopayEnrolment.objects.filter(account=account).exclude(status=EnrolmentStatus.ENDED).first()


def next_debit(enrolment: AutopayEnrolment | None) -> AutopayDebit | None:
    if enrolment is None:
        return None
    return enrolment.debits.filter(status=DebitStatus.SCHEDULED).order_by("settle_on", "id").first()
