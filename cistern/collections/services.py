"""Writes of collections: the daily collection run (late fees, reminders, shutoff notices and their occupant
copies, door-hangers, the proposed lock-off list), a lead's confirmation of a lock-off list, phone contacts,
disputes and extensions. Each judges an account with `policy.decide` on `selectors.facts_for`, the same
decision the API and field work's lock-off guard give. One transaction each, audited.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.money import format_money
from cistern.core.permissions import require
from cistern.core.selectors import district_calendar, district_settings
from cistern.correspondence import merge
from cistern.correspondence import services as letters
from cistern.customers import services as customers
from cistern.customers.models import Account
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import OrderStatus, Priority, ServiceOrder
from cistern.ledger import services as ledger

from . import arrangements, policy, selectors, writeoffs
from .models import (
    PHONE_OPTIONS,
    CollectionRun,
    Hold,
    HoldKind,
    LockoffCandidate,
    LockoffList,
    LockoffListStatus,
    Notice,
    NoticeKind,
    PhoneContact,
)


class CollectionsError(Exception):
    """A collection step refused, with a message a clerk can act on."""


# What the Gov. Code 60372 gives the customer, stated on the notices.
DISPUTE_DAYS, EXTENSION_DAYS = 5, 13

COUNT_NAMES = [  # the run's one line of counts, in this order
    ("accounts", "past-due accounts"), ("late_fees", "late fees"), ("reminders", "reminders"),
    ("notices", "shutoff notices"), ("occupant_notices", "occupant notices"), ("door_hangers", "door-hangers"),
    ("final_notices", "final notices"), ("final_bill_notices", "final-bill notices"),
    ("arrangements_to_offer", "arrangements to offer"),
    ("lockoff_candidates", "lock-off candidates"), ("excluded", "excluded"),
]  # fmt: skip


@dataclass
class RunResult:
    on: date
    dry_run: bool
    counts: Counter = field(default_factory=Counter)
    lockoff_list: LockoffList | None = None
    note: str = ""

    def line(self) -> str:
        counts = ", ".join(f"{self.counts[key]:,} {name}" for key, name in COUNT_NAMES)
        return f"Collections {self.on:%m/%d/%Y}{' (dry run)' if self.dry_run else ''}: {counts}." + (
            f" {self.note}" if self.note else ""
        )


class _DryRun(Exception):
    def __init__(self, result: RunResult):
        self.result = result


def collections_run(*, actor, on: date, dry_run: bool = False) -> RunResult:
    """The day's collection steps for every past-due account, in one transaction. Running it again on a day
    sends nothing twice (one notice of a kind per delinquency, letters keyed); a missed day is caught up by the
    next run, which finds the same steps due. A dry run does everything and rolls it back: nothing is kept or
    sent, the counts are what a run would do."""
    require(actor, "collections.run_collections")
    try:
        with transaction.atomic():
            result = _run(actor=actor, on=on, dry_run=dry_run)
            if dry_run:
                raise _DryRun(result)
    except _DryRun as stop:
        result = stop.result
        result.lockoff_list = None
    return result


def _run(*, actor, on: date, dry_run: bool) -> RunResult:
    result = RunResult(on=on, dry_run=dry_run)
    result.counts["late_fees"] = len(ledger.assess_late_fees(actor=actor, on=on))
    settings, _ = selectors.policy_settings().lawful()
    calendar = district_calendar()
    if not calendar.is_business_day(on):
        # Letters are mailed and crews sent on the days the office is open: the next business day's run judges
        # every account and takes the steps due. Today only the late fees and the arrangements' review.
        result.counts.update(
            arrangements.arrangements_review(actor=actor, on=on, facts={}, settings=settings)
        )
        result.note = f"The office is closed on {on:%A %m/%d/%Y}: no letters, orders or lock-off list."
        return _record(actor, on, dry_run, result)
    ids = selectors.past_due_accounts(on)
    accounts = Account.objects.select_related("customer", "premise").in_bulk(ids)
    facts = selectors.facts_for(ids, on, accounts=accounts)
    decisions = {pk: policy.decide(f, settings, calendar, on, earliest=False) for pk, f in facts.items()}
    for pk, decision in decisions.items():
        # A reminder missed (a run not made, a bill paid in part) is moot once the shutoff notice is due: the
        # notice goes instead, and the reminder is taken as sent.
        oldest_due = decision.delinquent_since - timedelta(days=1) if decision.delinquent_since else None
        if decision.next_step == policy.REMINDER and on >= oldest_due + timedelta(days=settings.notice_days):
            moot = policy.NoticeSent("reminder", on, decision.delinquent_since)
            facts[pk] = replace(facts[pk], notices=facts[pk].notices + (moot,))
            decisions[pk] = policy.decide(facts[pk], settings, calendar, on, earliest=False)
    result.counts["accounts"] = len(decisions)
    result.counts.update(arrangements.arrangements_review(actor=actor, on=on, facts=facts, settings=settings))
    by_step: dict[str, list[int]] = {}
    for pk, decision in decisions.items():
        if decision.next_step:
            by_step.setdefault(decision.next_step, []).append(pk)
    result.counts["arrangements_to_offer"] = len(by_step.get(policy.OFFER_ARRANGEMENT, []))
    _letters(actor, on, settings, calendar, accounts, decisions, facts, by_step, result)
    _door_hangers(actor, on, accounts, decisions, facts, by_step, result)
    result.counts["final_bill_notices"] = writeoffs.final_bill_notices(actor=actor, on=on)
    result.lockoff_list = _propose_list(on, accounts, decisions, facts, result)
    return _record(actor, on, dry_run, result)


def _record(actor, on: date, dry_run: bool, result: RunResult) -> RunResult:
    run = CollectionRun.objects.create(day=on, dry_run=dry_run, counts=dict(result.counts), created_by=actor)
    audit_record(
        actor=actor, action="collections.run", obj=run, after=dict(result.counts), reason=result.line()
    )
    return result


def _notice_context(account, on, decision, settings, district, shutoff_on=None) -> dict:
    """`district`: the district's settings, read once by the run."""
    oldest = decision.delinquent_since
    context = merge.account_context(account, on, district=merge.district_context(district))
    context["notice"] = {
        "amount": format_money(decision.amount_delinquent), "shutoff_on": shutoff_on, "mailed_on": on,
        "delinquent_since": oldest, "oldest_due": oldest.fromordinal(oldest.toordinal() - 1) if oldest else None,
        "door_hanger_hours": settings.door_hanger_hours, "extension_days": EXTENSION_DAYS,
        "dispute_days": DISPUTE_DAYS,
    }  # fmt: skip
    context["policy_phone"] = district.collections_phone or district.phone
    return context


def _key(account_id: int, kind: str, delinquent_since: date, copy: str = "") -> str:
    return f"collections:{account_id}:{kind}:{delinquent_since.isoformat()}{copy}"


def _letters(actor, on, settings, calendar, accounts, decisions, facts, by_step, result) -> None:
    """Reminders and shutoff notices (with their occupant copies): the letters in one bulk issue, a notice row
    for each."""
    district = district_settings()
    requests, rows = [], []
    for pk in by_step.get(policy.REMINDER, []):
        account, decision = accounts[pk], decisions[pk]
        customer = account.customer
        channel = "email" if customer.paperless and customer.email else "letter"
        requests.append(
            letters.LetterRequest(
                template_code="past_due_reminder",
                context=_notice_context(account, on, decision, settings, district),
                recipient=merge.recipient_for_customer(account),
                account_id=pk,
                channel=channel,
                language=customer.preferred_language or "en",
                key=_key(pk, NoticeKind.REMINDER, decision.delinquent_since),
                source_kind="collection_notice",
            )  # fmt: skip
        )
        rows.append(Notice(account_id=pk, kind=NoticeKind.REMINDER, delinquent_since=decision.delinquent_since,
                           issued_on=on, delivered_on=on, amount=decision.amount_delinquent, created_by=actor))  # fmt: skip
        result.counts["reminders"] += 1
    for pk in by_step.get(policy.SHUTOFF_NOTICE, []):
        account, decision = accounts[pk], decisions[pk]
        shutoff_on = policy.shutoff_date_for_notice(on, decision.delinquent_since, settings, calendar)
        context = _notice_context(account, on, decision, settings, district, shutoff_on)
        language = account.customer.preferred_language or "en"
        copies = [(NoticeKind.SHUTOFF, "shutoff_notice", merge.recipient_for_customer(account), language)]
        if facts[pk].needs_occupant_notice:
            # Occupants are told in English and Spanish (Civil Code 1632's languages the district prints).
            occupant = merge.recipient_for_occupant(account)
            copies.append((NoticeKind.OCCUPANT, "shutoff_notice_occupant", occupant, "en"))
            copies.append((NoticeKind.OCCUPANT, "shutoff_notice_occupant", occupant, "es"))
        for kind, template, recipient, lang in copies:
            requests.append(
                letters.LetterRequest(
                    template_code=template,
                    context=context,
                    recipient=recipient,
                    account_id=pk,
                    channel="letter",
                    language=lang,
                    key=_key(
                        pk, kind, decision.delinquent_since, f":{lang}" if kind == NoticeKind.OCCUPANT else ""
                    ),
                    source_kind="collection_notice",
                )  # fmt: skip
            )
            if kind == NoticeKind.OCCUPANT and lang == "es":
                rows.append(None)  # the Spanish copy belongs to the occupant notice row of the English one
                continue
            rows.append(Notice(account_id=pk, kind=kind, delinquent_since=decision.delinquent_since, issued_on=on,
                               delivered_on=on, shutoff_on=shutoff_on, amount=decision.amount_delinquent,
                               created_by=actor))  # fmt: skip
            result.counts["notices" if kind == NoticeKind.SHUTOFF else "occupant_notices"] += 1
    if not requests:
        return
    issued = letters.letters_issue(actor=actor, requests=requests, on=on)
    notices = []
    for row, letter in zip(rows, issued, strict=True):
        if row is not None:
            row.correspondence_id = letter.pk
            notices.append(row)
    Notice.objects.bulk_create(notices, batch_size=1000)


def _door_hangers(actor, on, accounts, decisions, facts, by_step, result) -> None:
    """A door-hanger order where the notice came back and no one was reached by phone; a final notice posted at
    the property where an arrangement was broken. Each counts once the technician has posted it."""
    work = [(pk, NoticeKind.DOOR_HANGER) for pk in by_step.get(policy.DOOR_HANGER, [])]
    work += [(pk, NoticeKind.FINAL) for pk in by_step.get(policy.FINAL_NOTICE, [])]
    # One ordered and not yet posted does not count for the policy yet, but is not ordered again.
    ordered = set(
        Notice.objects.filter(
            account_id__in=[pk for pk, _ in work], kind__in=[NoticeKind.DOOR_HANGER, NoticeKind.FINAL]
        ).values_list("account_id", "kind", "delinquent_since")
    )
    work = [(pk, kind) for pk, kind in work if (pk, kind, decisions[pk].delinquent_since) not in ordered]
    if not work:
        return
    hanger = fieldwork.order_type_get("door_hanger")
    specs, rows = [], []
    for pk, kind in work:
        account, decision = accounts[pk], decisions[pk]
        shutoff = next(
            (n.shutoff_on for n in facts[pk].notices if n.kind == "shutoff" and n.delinquent_since == decision.delinquent_since),
            None,
        )  # fmt: skip
        what = (
            "48-hour notice of shutoff: the mailed notice came back and no one was reached by phone."
            if kind == NoticeKind.DOOR_HANGER
            else "Final notice of intent to disconnect (payment arrangement not kept): post at the property."
        )
        specs.append({
            "order_type": hanger, "premise": account.premise, "account": account, "requested_on": on,
            "priority": Priority.URGENT,
            "notes": f"{what} {format_money(decision.amount_delinquent)} delinquent. Leave the notice and the "
                     f"district's shutoff policy at the door; photograph it.",
        })  # fmt: skip
        rows.append(Notice(account_id=pk, kind=kind, delinquent_since=decision.delinquent_since, issued_on=on,
                           shutoff_on=shutoff, amount=decision.amount_delinquent, created_by=actor))  # fmt: skip
        result.counts["door_hangers" if kind == NoticeKind.DOOR_HANGER else "final_notices"] += 1
    orders = fieldwork.orders_for_collections(actor=actor, specs=specs)
    for row, order in zip(rows, orders, strict=True):
        row.order = order
    Notice.objects.bulk_create(rows)


def _trace(decision: policy.Decision) -> list[dict]:
    return [{"rule": c.rule, "passed": c.passed, "detail": c.detail} for c in decision.trace]


def _notice_summary(facts: policy.Facts, since: date) -> list[dict]:
    return [
        {"kind": n.kind, "sent_on": n.sent_on.isoformat(), "shutoff_on": n.shutoff_on.isoformat() if n.shutoff_on else None,
         "returned": n.returned}
        for n in sorted(facts.notices, key=lambda n: n.sent_on)
        if n.delinquent_since == since
    ]  # fmt: skip


def _open_lockoffs(account_ids) -> set[int]:
    return set(
        ServiceOrder.objects.filter(
            account_id__in=list(account_ids), order_type__code=selectors.LOCK_OFF,
            status__in=[OrderStatus.OPEN, OrderStatus.SCHEDULED, OrderStatus.DISPATCHED],
        ).values_list("account_id", flat=True)
    )  # fmt: skip


def _propose_list(on, accounts, decisions, facts, result) -> LockoffList | None:
    """The day's lock-off list: every account whose shutoff date has come, included when the policy allows it
    today, else listed as excluded with the policy's reasons. A list a lead has confirmed is left alone."""
    lockoff_list, _ = LockoffList.objects.get_or_create(day=on)
    if lockoff_list.status == LockoffListStatus.CONFIRMED:
        result.note = f"The lock-off list for {on:%m/%d/%Y} is already confirmed; left as it is."
        return lockoff_list
    lockoff_list.candidates.all().delete()
    due = []
    for pk, decision in decisions.items():
        notices = [
            n
            for n in facts[pk].notices
            if n.kind == "shutoff" and n.delinquent_since == decision.delinquent_since
        ]
        if (
            decision.next_step == policy.LOCK_OFF
            or decision.next_step == policy.OFFER_ARRANGEMENT
            or (notices and notices[0].shutoff_on and notices[0].shutoff_on <= on)
        ):
            due.append(pk)
    already = _open_lockoffs(due)
    rows = []
    for pk in due:
        decision = decisions[pk]
        included = decision.shutoff_allowed and decision.next_step == policy.LOCK_OFF and pk not in already
        if pk in already:
            reason = "A lock-off order is already open."
        elif decision.next_step == policy.OFFER_ARRANGEMENT:
            reason = "Medical certificate, hardship and willing to arrange: offer a payment arrangement."
        else:
            reason = "; ".join(c.detail for c in decision.refusals)
        rows.append(LockoffCandidate(
            lockoff_list=lockoff_list, account_id=pk, included=included, reason="" if included else reason[:300],
            amount=decision.amount_delinquent, delinquent_since=decision.delinquent_since,
            notices=_notice_summary(facts[pk], decision.delinquent_since), trace=_trace(decision),
        ))  # fmt: skip
        result.counts["lockoff_candidates" if included else "excluded"] += 1
    LockoffCandidate.objects.bulk_create(rows, batch_size=1000)
    return lockoff_list


@dataclass
class Confirmed:
    lockoff_list: LockoffList
    orders: list = field(default_factory=list)
    set_aside: list = field(default_factory=list)  # (account number, why) judged again at confirmation


def lockoff_list_confirm(
    *, actor, lockoff_list: LockoffList, account_ids: set[int] | None = None
) -> Confirmed:
    """A lead confirms the day's list: each included account (those picked, when `account_ids` is given) is
    judged again now (a payment this morning takes it off) and gets a lock-off order for the day."""
    require(actor, "collections.confirm_lockofflist")
    require(actor, "fieldwork.add_serviceorder")
    with transaction.atomic():
        current = LockoffList.objects.select_for_update().get(pk=lockoff_list.pk)
        if current.status != LockoffListStatus.PROPOSED:
            raise CollectionsError(f"The lock-off list for {current.day:%m/%d/%Y} is already confirmed.")
        if current.day < clock.today():
            raise CollectionsError(
                f"The lock-off list for {current.day:%m/%d/%Y} is for a day gone by; run collections for today."
            )
        candidates = list(
            current.candidates.filter(included=True).select_related("account__premise", "account")
        )
        if account_ids is not None:
            candidates = [c for c in candidates if c.account_id in account_ids]
        done = Confirmed(lockoff_list=current)
        settings, _ = selectors.policy_settings().lawful()
        calendar = district_calendar()
        facts = selectors.facts_for([c.account_id for c in candidates], current.day)
        specs, kept = [], []
        for candidate in candidates:
            decision = policy.decide(facts[candidate.account_id], settings, calendar, current.day)
            if not decision.shutoff_allowed:
                why = "; ".join(c.detail for c in decision.refusals)
                candidate.included, candidate.reason, candidate.trace = (
                    False,
                    f"At confirmation: {why}"[:300],
                    _trace(decision),
                )
                candidate.save(update_fields=["included", "reason", "trace"])
                done.set_aside.append((candidate.account.number, why))
                continue
            specs.append({
                "order_type": fieldwork.order_type_get(selectors.LOCK_OFF), "premise": candidate.account.premise,
                "account": candidate.account, "requested_on": current.day, "priority": Priority.URGENT,
                "notes": f"Lock-off for nonpayment: {format_money(decision.amount_delinquent)} delinquent since "
                         f"{decision.delinquent_since:%m/%d/%Y}. Lock-off list of {current.day:%m/%d/%Y}.",
            })  # fmt: skip
            kept.append(candidate)
        try:
            orders = fieldwork.orders_for_collections(actor=actor, specs=specs)
        except fieldwork.FieldworkError as exc:
            raise CollectionsError(str(exc)) from None
        for candidate, order in zip(kept, orders, strict=True):
            candidate.order = order
            candidate.save(update_fields=["order"])
        done.orders = orders
        current.status, current.confirmed_by, current.confirmed_at = (
            LockoffListStatus.CONFIRMED,
            actor,
            timezone.now(),
        )
        current.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit_record(
            actor=actor, action="lockoff_list.confirm", obj=current,
            after={"orders": [o.number for o in orders], "set_aside": [n for n, _ in done.set_aside]},
            reason=f"{len(orders)} lock-off orders for {current.day:%m/%d/%Y}",
        )  # fmt: skip
    return done


def shutoff_refusal(account_id: int, day: date, at: time | None = None) -> str | None:
    """Field work's lock-off guard: None when the policy allows a lock-off at the account that day (and at
    that time of day, the office open, when the lock-off is being done now)."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return f"No account {account_id}."
    decision = selectors.decision_for(account, day, at)
    if decision.shutoff_allowed:
        return None
    return "; ".join(c.detail for c in decision.refusals) or "The shutoff policy does not allow it."


# --- phone contacts, disputes and extensions ------------------------------------------------------------------


def phone_contact_record(
    *, actor, account: Account, on: date, reached: bool, options_offered: list[str], willing_to_arrange: bool = False,
    note: str = "",
) -> PhoneContact:  # fmt: skip
    """A call about a past-due balance, with what was offered (the law's script, HSC 116908)."""
    require(actor, "collections.add_phonecontact")
    known = {key for key, _ in PHONE_OPTIONS}
    unknown = set(options_offered) - known
    if unknown:
        raise CollectionsError(f"Unknown option offered: {', '.join(sorted(unknown))}.")
    if not reached and (options_offered or willing_to_arrange):
        raise CollectionsError("Options are offered to someone reached; a message left offers nothing.")
    with transaction.atomic():
        call = PhoneContact.objects.create(
            account=account, on=on, reached=reached, options_offered=sorted(options_offered),
            willing_to_arrange=willing_to_arrange, note=note.strip()[:300], created_by=actor,
        )  # fmt: skip
        customers.contact_log_add(
            actor=actor, account=account, channel="phone", subject="Collections call",
            note=("Reached; offered: " + ", ".join(sorted(options_offered)) if reached else "Not reached")
            + (". Willing to arrange." if willing_to_arrange else "") + (f" {note.strip()}" if note.strip() else ""),
        )  # fmt: skip
        audit_record(
            actor=actor, action="collections.phone_contact", obj=call, account_id=account.pk,
            after={"reached": reached, "options": sorted(options_offered), "willing": willing_to_arrange},
        )  # fmt: skip
    return call


def hold_open(
    *, actor, account: Account, kind: str, starts_on: date, reason: str, ends_on: date | None = None
) -> Hold:
    """A bill dispute or appeal (until closed) or an extension (to a day): collection steps pause meanwhile."""
    require(actor, "collections.add_hold")
    if kind not in HoldKind.values:
        raise CollectionsError(f"Unknown hold {kind!r}: a dispute or an extension.")
    if not reason.strip():
        raise CollectionsError("Say what the customer disputes or why the extension is given.")
    if kind == HoldKind.EXTENSION and ends_on is None:
        raise CollectionsError("An extension runs to a day: give its last day.")
    if ends_on is not None and ends_on < starts_on:
        raise CollectionsError("The hold's last day is on or after its first.")
    with transaction.atomic():
        hold = Hold.objects.create(
            account=account, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()[:300],
            opened_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action=f"collections.{kind}_open", obj=hold, account_id=account.pk, reason=reason,
            after={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat() if ends_on else None},
        )  # fmt: skip
    return hold


def hold_close(*, actor, hold: Hold, on: date, outcome: str) -> Hold:
    require(actor, "collections.change_hold")
    if not outcome.strip():
        raise CollectionsError("Say how the dispute or extension ended.")
    with transaction.atomic():
        current = Hold.objects.select_for_update().get(pk=hold.pk)
        if current.closed_on is not None:
            raise CollectionsError(f"That {current.get_kind_display().lower()} is already closed.")
        if on < current.starts_on:
            raise CollectionsError("A hold closes on or after the day it opened.")
        current.closed_on, current.outcome, current.closed_by = on, outcome.strip()[:300], actor
        current.save(update_fields=["closed_on", "outcome", "closed_by"])
        audit_record(
            actor=actor, action=f"collections.{current.kind}_close", obj=current, account_id=current.account_id,
            after={"closed_on": on.isoformat()}, reason=outcome,
        )  # fmt: skip
    return current
