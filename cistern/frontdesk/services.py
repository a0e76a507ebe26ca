"""Writes of the front desk: cases (opened with their SLA due date, taken, reassigned, escalated, resolved, the
customer notified, reopened; a bill dispute holds collection steps on the account while open), calls (logged,
turned into a contact entry, a case or a service order, call-backs done), visitors signed in and out, the radio
log. One transaction each, audited; a case's change also writes its history row."""

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from cistern.collections import services as collections
from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.permissions import require
from cistern.core.selectors import district_calendar
from cistern.core.services import record_save
from cistern.customers import services as customers
from cistern.customers.models import Account, Channel
from cistern.customers.search_text import phone_digits
from cistern.fieldwork import services as fieldwork

from . import lifecycle, selectors, sla
from .models import (
    Call,
    CallOutcome,
    Case,
    CaseCategory,
    CaseCounter,
    CaseEvent,
    CaseEventKind,
    CasePriority,
    CaseStatus,
    NotifiedBy,
    RadioEntry,
    RoutingTarget,
    SlaRule,
    Visit,
)


class FrontDeskError(ValueError):
    """A front-desk action refused, with what the clerk can do about it."""


def _now_on(day: date) -> datetime:
    """A moment on the district's `day`: now when it is today, else noon of that day (the demo's history)."""
    now = timezone.localtime()
    if now.date() == day:
        return now
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


# --- cases ------------------------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"C-{year}-{counter.last:05d}"


def _due(category: CaseCategory, priority: str, opened_on: date) -> date:
    days = selectors.sla_days(category, priority)
    if days is None:
        raise FrontDeskError(
            f"The SLA table has no row for {category.name} at {CasePriority(priority).label} priority: "
            "a supervisor adds it in the admin."
        )
    return sla.due_on(opened_on, days, district_calendar())


def _event(case: Case, *, actor, kind: str, from_status: str, reason: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, from_status=from_status, to_status=case.status, owner=case.owner,
        reason=reason.strip()[:2000], on=clock.today(), actor=actor,
    )  # fmt: skip


def _open_hold(*, actor, case: Case):
    if not (case.category.bill_dispute and case.account_id):
        return None
    return collections.hold_open(
        actor=actor, account=case.account, kind="dispute", starts_on=clock.today(),
        reason=f"Case {case.number}: {case.description.strip()[:250]}",
    )  # fmt: skip


def case_open(
    *, actor, category: CaseCategory, description: str, priority: str = CasePriority.NORMAL,
    account: Account | None = None, owner=None, contact_name: str = "", contact_phone: str = "",
    call: Call | None = None,
) -> Case:  # fmt: skip
    """Open a case, owned by `owner` (the clerk by default), due by the SLA table in business days. A bill
    dispute on an account opens a dispute hold: no collection step is taken on the account until it is resolved."""
    require(actor, "frontdesk.add_case")
    if not description.strip():
        raise FrontDeskError("Describe the complaint or dispute.")
    if priority not in CasePriority.values:
        raise FrontDeskError(f"Unknown priority {priority!r}.")
    if not category.active:
        raise FrontDeskError(f"{category.name} is no longer a case category: pick another.")
    if category.bill_dispute and account is None:
        raise FrontDeskError("A bill dispute is about an account: give the account number.")
    owner = owner or actor
    if not owner.has_perm("frontdesk.change_case"):
        raise FrontDeskError(f"{owner.get_username()} does not work cases: pick someone who does.")
    today = clock.today()
    with transaction.atomic():
        if call is not None:
            call = Call.objects.select_for_update().get(pk=call.pk)
            if call.case_id is not None:
                raise FrontDeskError(f"This call already became case {call.case.number}.")
        case = Case(
            number=_next_number(today.year), category=category, priority=priority,
            description=description.strip()[:2000], account=account, contact_name=contact_name.strip()[:120],
            contact_phone=contact_phone.strip()[:20], owner=owner, opened_on=today,
            due_on=_due(category, priority, today), created_by=actor,
        )  # fmt: skip
        case.save()
        case.hold = _open_hold(actor=actor, case=case)
        if case.hold is not None:
            case.save(update_fields=["hold"])
        _event(case, actor=actor, kind=CaseEventKind.CREATED, from_status="")
        if call is not None:
            call.case = case
            call.save(update_fields=["case"])
        audit_record(
            actor=actor, action="frontdesk.case_open", obj=case, account_id=case.account_id,
            after={"number": case.number, "category": category.code, "priority": priority,
                   "due_on": case.due_on.isoformat(), "owner": owner.pk, "hold": case.hold_id,
                   "call": call.pk if call else None},
        )  # fmt: skip
    return case


def _locked(case: Case, action: str) -> Case:
    current = Case.objects.select_for_update().get(pk=case.pk)
    if not lifecycle.can(current.status, action):
        raise FrontDeskError(str(lifecycle.TransitionRefused(current.status, action)))
    return selectors.case_get(current.pk)


def _audit(case: Case, *, actor, action: str, before: dict, reason: str = "", **after) -> None:
    audit_record(
        actor=actor, action=f"frontdesk.case_{action}", obj=case, account_id=case.account_id, before=before,
        after=after, reason=reason,
    )  # fmt: skip


def case_escalate(*, actor, case: Case, reason: str) -> Case:
    """Move a case up one level: CSS I -> CSS II (any clerk who works cases), CSS II -> Supervisor (a lead). It
    waits untaken at its new level, in that level's queue."""
    require(actor, "frontdesk.escalate_case")
    if not reason.strip():
        raise FrontDeskError("Say why the case is escalated.")
    with transaction.atomic():
        case = _locked(case, lifecycle.ESCALATE)
        if case.status == CaseStatus.CSS_II:
            require(actor, "frontdesk.reassign_case")
        before = {"status": case.status, "owner": case.owner_id}
        case.status = lifecycle.next_status(case.status, lifecycle.ESCALATE)
        case.owner = None
        case.save(update_fields=["status", "owner"])
        _event(case, actor=actor, kind=CaseEventKind.ESCALATED, from_status=before["status"], reason=reason)
        _audit(
            case, actor=actor, action="escalate", before=before, reason=reason, status=case.status, owner=None
        )
    return case


def _level_permission(status: str) -> str:
    if status == CaseStatus.SUPERVISOR:
        return "frontdesk.supervise_case"
    if status == CaseStatus.CSS_II:
        return "frontdesk.reassign_case"
    return "frontdesk.change_case"


def case_take(*, actor, case: Case) -> Case:
    """Take a case escalated to your level (a lead at CSS II, a supervisor at the Supervisor level)."""
    require(actor, "frontdesk.change_case")
    with transaction.atomic():
        case = _locked(case, lifecycle.ASSIGN)
        if not actor.has_perm(_level_permission(case.status)):
            raise FrontDeskError(f"This case is at the {case.level} level: someone there takes it.")
        if case.owner_id == actor.pk:
            raise FrontDeskError("This case is already yours.")
        before = {"owner": case.owner_id}
        case.owner = actor
        case.save(update_fields=["owner"])
        _event(case, actor=actor, kind=CaseEventKind.ASSIGNED, from_status=case.status, reason="Taken")
        _audit(case, actor=actor, action="take", before=before, owner=actor.pk)
    return case


def case_reassign(*, actor, case: Case, to_user, reason: str) -> Case:
    """A lead hands a case to someone who works cases, saying why."""
    require(actor, "frontdesk.reassign_case")
    if not reason.strip():
        raise FrontDeskError("Say why the case changes hands.")
    if to_user is None or not to_user.is_active or not to_user.has_perm("frontdesk.change_case"):
        raise FrontDeskError("Pick someone who works cases.")
    with transaction.atomic():
        case = _locked(case, lifecycle.ASSIGN)
        if case.owner_id == to_user.pk:
            raise FrontDeskError(f"The case is already {to_user.get_username()}'s.")
        before = {"owner": case.owner_id}
        case.owner = to_user
        case.save(update_fields=["owner"])
        _event(case, actor=actor, kind=CaseEventKind.ASSIGNED, from_status=case.status, reason=reason)
        _audit(case, actor=actor, action="reassign", before=before, reason=reason, owner=to_user.pk)
    return case


def case_resolve(*, actor, case: Case, resolution: str) -> Case:
    """Resolve a case with what was done. A bill dispute's hold closes: collection steps resume (closing a
    dispute is a lead's, as on the collections page)."""
    require(actor, "frontdesk.change_case")
    if not resolution.strip():
        raise FrontDeskError("Say how the case was resolved.")
    with transaction.atomic():
        case = _locked(case, lifecycle.RESOLVE)
        if case.status in (CaseStatus.CSS_II, CaseStatus.SUPERVISOR) and not actor.has_perm(
            _level_permission(case.status)
        ):
            raise FrontDeskError(f"This case is escalated to the {case.level} level: it is resolved there.")
        hold = case.hold if case.hold_id and case.hold.closed_on is None else None
        if hold is not None and not actor.has_perm("collections.change_hold"):
            raise FrontDeskError(
                "A bill dispute is resolved by a lead (collection steps resume when it closes): escalate it."
            )
        before = {"status": case.status}
        case.status = lifecycle.next_status(case.status, lifecycle.RESOLVE)
        case.resolution, case.resolved_on = resolution.strip()[:2000], clock.today()
        case.notified_by, case.notified_on = "", None
        case.save(update_fields=["status", "resolution", "resolved_on", "notified_by", "notified_on"])
        if hold is not None:
            collections.hold_close(
                actor=actor,
                hold=hold,
                on=clock.today(),
                outcome=f"Case {case.number} resolved: {case.resolution}",
            )
        _event(
            case, actor=actor, kind=CaseEventKind.RESOLVED, from_status=before["status"], reason=resolution
        )
        _audit(case, actor=actor, action="resolve", before=before, reason=resolution, status=case.status,
               hold_closed=hold.pk if hold else None)  # fmt: skip
    return case


def case_notify(*, actor, case: Case, how: str, note: str = "") -> Case:
    """Record how the customer was told of the resolution (phone, letter or e-mail): on the case, and as a
    contact-log entry on the account."""
    require(actor, "frontdesk.change_case")
    if how not in NotifiedBy.values:
        raise FrontDeskError("Say how the customer was told: phone, letter or e-mail.")
    with transaction.atomic():
        case = _locked(case, lifecycle.NOTIFY)
        case.notified_by, case.notified_on = how, clock.today()
        case.save(update_fields=["notified_by", "notified_on"])
        label = NotifiedBy(how).label.lower()
        if case.account_id:
            customers.contact_log_add(
                actor=actor, account=case.account, channel=Channel(how),
                subject=f"Case {case.number} resolved: customer told by {label}"[:120],
                note=(note.strip() + "\n\n" if note.strip() else "") + case.resolution,
            )  # fmt: skip
        _event(
            case,
            actor=actor,
            kind=CaseEventKind.NOTIFIED,
            from_status=case.status,
            reason=f"By {label}. {note}",
        )
        _audit(case, actor=actor, action="notify", before={}, reason=note, notified_by=how)
    return case


def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Reopen a resolved case with a reason: back to its owner (the actor when it has none) at CSS I, due again
    by the SLA table from today; a bill dispute opens a new hold on the account."""
    require(actor, "frontdesk.change_case")
    if not reason.strip():
        raise FrontDeskError("Say why the case is reopened.")
    with transaction.atomic():
        case = _locked(case, lifecycle.REOPEN)
        before = {"status": case.status, "due_on": case.due_on.isoformat()}
        case.status = lifecycle.next_status(case.status, lifecycle.REOPEN)
        case.owner = case.owner if case.owner and case.owner.is_active else actor
        case.resolved_on = None
        case.due_on = _due(case.category, case.priority, clock.today())
        case.hold = _open_hold(actor=actor, case=case) or case.hold
        case.save(update_fields=["status", "owner", "resolved_on", "due_on", "hold"])
        _event(case, actor=actor, kind=CaseEventKind.REOPENED, from_status=before["status"], reason=reason)
        _audit(case, actor=actor, action="reopen", before=before, reason=reason, status=case.status,
               due_on=case.due_on.isoformat(), hold=case.hold_id)  # fmt: skip
    return case


# --- the data lists (admin saves come here) ---------------------------------------------------------------------

CATEGORY_FIELDS = ["code", "name", "bill_dispute", "active"]
SLA_FIELDS = ["category", "priority", "business_days"]
ROUTING_FIELDS = ["name", "user", "phone_extension", "active", "sort_order"]


def _save(actor, obj, model: str, fields: list[str], reason: str):
    require(actor, f"frontdesk.{'add' if obj._state.adding else 'change'}_{model}")
    return record_save(actor=actor, obj=obj, fields=fields, action=f"frontdesk.{model}", reason=reason)


def category_save(*, actor, category: CaseCategory, reason: str = "") -> CaseCategory:
    return _save(actor, category, "casecategory", CATEGORY_FIELDS, reason)


def sla_rule_save(*, actor, rule: SlaRule, reason: str = "") -> SlaRule:
    return _save(actor, rule, "slarule", SLA_FIELDS, reason)


def routing_target_save(*, actor, target: RoutingTarget, reason: str = "") -> RoutingTarget:
    return _save(actor, target, "routingtarget", ROUTING_FIELDS, reason)


# --- calls ------------------------------------------------------------------------------------------------------


def call_log(
    *, actor, reason: str, outcome: str, caller_name: str = "", caller_phone: str = "",
    account: Account | None = None, routed_to: RoutingTarget | None = None,
) -> Call:  # fmt: skip
    """Log an incoming call. With no account given, the caller's number links the one account it belongs to."""
    require(actor, "frontdesk.add_call")
    if not reason.strip():
        raise FrontDeskError("Say what the call was about.")
    if outcome not in CallOutcome.values:
        raise FrontDeskError("Pick the call's outcome.")
    if outcome == CallOutcome.TRANSFERRED and routed_to is None:
        raise FrontDeskError("Say where the call was transferred.")
    if routed_to is not None and not routed_to.active:
        raise FrontDeskError(f"{routed_to.name} no longer takes calls: pick another.")
    if account is None and caller_phone.strip():
        account = selectors.single_match(caller_phone)
    today = clock.today()
    with transaction.atomic():
        call = Call.objects.create(
            taken_on=today, taken_at=_now_on(today), caller_name=caller_name.strip()[:120],
            caller_phone=caller_phone.strip()[:20], phone_digits=phone_digits(caller_phone)[:20], account=account,
            reason=reason.strip()[:300], routed_to=routed_to, outcome=outcome, taken_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="frontdesk.call_log", obj=call, account_id=call.account_id,
            after={"outcome": outcome, "routed_to": routed_to.pk if routed_to else None,
                   "account": account.pk if account else None},
        )  # fmt: skip
    return call


def _call_locked(call: Call) -> Call:
    Call.objects.select_for_update().get(pk=call.pk)
    return selectors.call_get(call.pk)


def call_to_contact(*, actor, call: Call, note: str = "") -> Call:
    """The call as a phone entry in the account's contact log, without retyping."""
    require(actor, "frontdesk.change_call")
    with transaction.atomic():
        call = _call_locked(call)
        if call.account_id is None:
            raise FrontDeskError(
                "This call is on no account: link the account first (log it with its number)."
            )
        if call.contact_entry_id is not None:
            raise FrontDeskError("This call is already in the account's contact log.")
        routed = f" Routed to {call.routed_to.name}." if call.routed_to else ""
        who = call.caller_name or call.caller_phone or "Caller"
        call.contact_entry = customers.contact_log_add(
            actor=actor, account=call.account, channel=Channel.PHONE, subject=call.reason[:120],
            note=f"{who} called on {call.taken_on:%m/%d/%Y}: {call.reason}. {call.get_outcome_display()}."
                 f"{routed} {note.strip()}".strip(),
        )  # fmt: skip
        call.save(update_fields=["contact_entry"])
        audit_record(actor=actor, action="frontdesk.call_contact", obj=call, account_id=call.account_id,
                     after={"contact_entry": call.contact_entry_id})  # fmt: skip
    return call


def call_to_order(*, actor, call: Call, order_type, priority: str, notes: str = "") -> Call:
    """A service order at the account's premise from the call (e.g. a leak check), without retyping."""
    require(actor, "frontdesk.change_call")
    with transaction.atomic():
        call = _call_locked(call)
        if call.account_id is None:
            raise FrontDeskError("A service order needs the account (its premise): link the account first.")
        if call.order_id is not None:
            raise FrontDeskError(f"This call already became service order {call.order.number}.")
        try:
            call.order = fieldwork.order_create(
                actor=actor, order_type=order_type, premise=call.account.premise, account=call.account,
                requested_on=clock.today(), priority=priority,
                notes=f"From call {call.pk} ({call.caller_name or call.caller_phone}): {call.reason}. {notes}".strip(),
            )  # fmt: skip
        except fieldwork.FieldworkError as error:
            raise FrontDeskError(str(error)) from None
        call.save(update_fields=["order"])
        audit_record(actor=actor, action="frontdesk.call_order", obj=call, account_id=call.account_id,
                     after={"order": call.order.number})  # fmt: skip
    return call


def callback_done(*, actor, call: Call, note: str = "") -> Call:
    """The customer was called back: the call leaves the call-backs queue."""
    require(actor, "frontdesk.change_call")
    with transaction.atomic():
        call = _call_locked(call)
        if not call.callback_open:
            raise FrontDeskError("This call waits for no call-back.")
        call.callback_done_at, call.callback_done_by, call.callback_note = (
            timezone.now(),
            actor,
            note.strip()[:300],
        )
        call.save(update_fields=["callback_done_at", "callback_done_by", "callback_note"])
        audit_record(actor=actor, action="frontdesk.callback_done", obj=call, account_id=call.account_id,
                     reason=note)  # fmt: skip
    return call


# --- visitors ---------------------------------------------------------------------------------------------------


def visitor_sign_in(
    *, actor, name: str, purpose: str, host: str, badge: str, organisation: str = ""
) -> Visit:
    require(actor, "frontdesk.add_visit")
    badge = badge.strip().upper()
    for value, what in ((name, "the visitor's name"), (purpose, "the purpose"), (host, "whom they visit"),
                        (badge, "the badge number")):  # fmt: skip
        if not value.strip():
            raise FrontDeskError(f"Give {what}.")
    today = clock.today()
    try:
        with transaction.atomic():
            if Visit.objects.filter(badge=badge, signed_out_at__isnull=True).exists():
                raise FrontDeskError(f"Badge {badge} is already with someone in the building: give another.")
            visit = Visit.objects.create(
                name=name.strip()[:120], organisation=organisation.strip()[:120], purpose=purpose.strip()[:200],
                host=host.strip()[:120], badge=badge[:10], signed_in_on=today, signed_in_at=_now_on(today),
                signed_in_by=actor,
            )  # fmt: skip
            audit_record(actor=actor, action="frontdesk.visitor_in", obj=visit, after={"badge": visit.badge})
    except IntegrityError:
        raise FrontDeskError(
            f"Badge {badge} is already with someone in the building: give another."
        ) from None
    return visit


def visitor_sign_out(*, actor, visit: Visit) -> Visit:
    require(actor, "frontdesk.change_visit")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if visit.signed_out_at is not None:
            raise FrontDeskError(f"{visit.name} has already signed out.")
        visit.signed_out_at, visit.signed_out_by = _now_on(clock.today()), actor
        visit.save(update_fields=["signed_out_at", "signed_out_by"])
        audit_record(actor=actor, action="frontdesk.visitor_out", obj=visit, after={"badge": visit.badge})
    return visit


# --- the radio log ----------------------------------------------------------------------------------------------


def radio_log(*, actor, unit: str, message: str, heard_at: time | None = None, order=None) -> RadioEntry:
    require(actor, "frontdesk.add_radioentry")
    if not unit.strip():
        raise FrontDeskError("Give the unit that called.")
    if not message.strip():
        raise FrontDeskError("Write what was said.")
    today = clock.today()
    heard_at = heard_at or _now_on(today).time().replace(second=0, microsecond=0)
    with transaction.atomic():
        entry = RadioEntry.objects.create(
            heard_on=today, heard_at=heard_at, unit=unit.strip().upper()[:20], message=message.strip()[:300],
            order=order, logged_by=actor,
        )  # fmt: skip
        audit_record(actor=actor, action="frontdesk.radio_log", obj=entry,
                     after={"unit": entry.unit, "order": order.number if order else None})  # fmt: skip
    return entry
