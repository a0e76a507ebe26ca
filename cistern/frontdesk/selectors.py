"""Reads of the front desk: the SLA table, cases and their queues, calls and the accounts a number matches, who is
in the building, the radio log."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from cistern.core import clock
from cistern.customers.models import Account, AccountStatus
from cistern.customers.search_text import phone_digits

from . import lifecycle
from .models import (
    Call,
    CallOutcome,
    Case,
    CaseCategory,
    CaseStatus,
    RadioEntry,
    RoutingTarget,
    SlaRule,
    Visit,
)

MIN_PHONE_DIGITS = 7
PHONE_MATCH_LIMIT = 10


def sla_days(category: CaseCategory, priority: str) -> int | None:
    return (
        SlaRule.objects.filter(category=category, priority=priority)
        .values_list("business_days", flat=True)
        .first()
    )


def categories() -> QuerySet[CaseCategory]:
    return CaseCategory.objects.filter(active=True)


def routing_targets() -> QuerySet[RoutingTarget]:
    return RoutingTarget.objects.filter(active=True)


# --- cases ------------------------------------------------------------------------------------------------------

CASE_RELATED = ("category", "account__customer", "owner")


def case_get(pk: int) -> Case:
    return Case.objects.select_related(*CASE_RELATED, "account__premise", "hold", "created_by").get(pk=pk)


def case_events(case: Case):
    return list(case.events.select_related("actor", "owner"))


def cases(status: str = "", owner=None) -> QuerySet[Case]:
    found = Case.objects.select_related(*CASE_RELATED)
    if status == "active":
        found = found.filter(status__in=lifecycle.ACTIVE)
    elif status:
        found = found.filter(status=status)
    if owner is not None:
        found = found.filter(owner=owner)
    return found


def _queue_q(user, on: date) -> Q | None:
    """The cases waiting for `user`: theirs that are due or overdue, and those escalated to their level that
    nobody has taken yet: CSS II for a lead, the Supervisor level for a supervisor."""
    q = Q(owner=user, status__in=lifecycle.ACTIVE, due_on__lte=on)
    if user.has_perm("frontdesk.supervise_case"):
        q |= Q(status=CaseStatus.SUPERVISOR, owner__isnull=True)
    elif user.has_perm("frontdesk.reassign_case"):
        q |= Q(status=CaseStatus.CSS_II, owner__isnull=True)
    return q


def case_queue(user, on: date | None = None) -> list[Case]:
    on = on or clock.today()
    return list(
        Case.objects.select_related(*CASE_RELATED).filter(_queue_q(user, on)).order_by("due_on", "id")
    )


def case_queue_count(user) -> int:
    return Case.objects.filter(_queue_q(user, clock.today())).count()


def open_cases(limit: int = 25) -> list[Case]:
    return list(Case.objects.select_related(*CASE_RELATED).filter(status__in=lifecycle.ACTIVE)[:limit])


def owned_open_cases(user) -> list[Case]:
    return list(
        Case.objects.select_related(*CASE_RELATED)
        .filter(owner=user, status__in=lifecycle.ACTIVE)
        .order_by("due_on")
    )


def account_cases(account: Account) -> list[Case]:
    return list(account.cases.select_related("category", "owner").order_by("-opened_on", "-id")[:50])


def case_workers():
    """The people a case can be handed to: active users who work cases."""
    users = get_user_model().objects.filter(is_active=True)
    return (
        users.filter(
            Q(
                groups__permissions__codename="change_case",
                groups__permissions__content_type__app_label="frontdesk",
            )
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )


# --- calls ------------------------------------------------------------------------------------------------------


def accounts_for_phone(text: str, limit: int = PHONE_MATCH_LIMIT) -> list[Account]:
    """The accounts whose customer has this phone number (the main or the alternate), open accounts first.
    The number is matched as the search box matches it: its digits (a leading 1 dropped) in the account's search
    text, then checked against the customer's own phones (seven digits match a number without its area code)."""
    digits = phone_digits(text or "")
    if len(digits) < MIN_PHONE_DIGITS or len(digits) > 15:
        return []
    found = []
    candidates = (
        Account.objects.filter(search_text__contains=digits)
        .select_related("customer", "premise")
        .order_by("status", "number")[: limit * 5]
    )
    for account in candidates:
        phones = {phone_digits(account.customer.phone), phone_digits(account.customer.phone_alt)} - {""}
        if any(p == digits or (len(digits) == MIN_PHONE_DIGITS and p.endswith(digits)) for p in phones):
            found.append(account)
    found.sort(key=lambda a: (a.status not in (AccountStatus.ACTIVE, AccountStatus.PENDING), a.number))
    return found[:limit]


def single_match(text: str) -> Account | None:
    """The one account a number belongs to: the only match, or the only open one among them."""
    matches = accounts_for_phone(text)
    if len(matches) == 1:
        return matches[0]
    open_ones = [a for a in matches if a.status in (AccountStatus.ACTIVE, AccountStatus.PENDING)]
    return open_ones[0] if len(open_ones) == 1 else None


CALL_RELATED = ("account__customer", "routed_to", "taken_by", "case", "order")


def call_get(pk: int) -> Call:
    return Call.objects.select_related(
        *CALL_RELATED, "account__premise", "contact_entry", "callback_done_by"
    ).get(pk=pk)


def calls_on(day: date, limit: int = 500) -> list[Call]:
    return list(Call.objects.select_related(*CALL_RELATED).filter(taken_on=day)[:limit])


def account_calls(account: Account) -> list[Call]:
    return list(account.calls.select_related("routed_to", "taken_by", "case")[:50])


def _callbacks_q(user) -> Q:
    mine = (
        Q(routed_to__user=user)
        | Q(routed_to__user__isnull=True, taken_by=user)
        | Q(routed_to__isnull=True, taken_by=user)
    )
    return Q(outcome=CallOutcome.CALLBACK, callback_done_at__isnull=True) & mine


def callbacks_for(user) -> list[Call]:
    return list(
        Call.objects.select_related(*CALL_RELATED).filter(_callbacks_q(user)).order_by("taken_at", "id")
    )


def callbacks_count(user) -> int:
    return Call.objects.filter(_callbacks_q(user)).count()


# --- visitors and the radio log ------------------------------------------------------------------------------


def in_building() -> list[Visit]:
    return list(
        Visit.objects.select_related("signed_in_by")
        .filter(signed_out_at__isnull=True)
        .order_by("signed_in_at")
    )


def visits_on(day: date, limit: int = 500) -> list[Visit]:
    return list(
        Visit.objects.select_related("signed_in_by", "signed_out_by")
        .filter(signed_in_on=day)
        .order_by("signed_in_at")[:limit]
    )


def radio_on(day: date, limit: int = 1000) -> list[RadioEntry]:
    return list(
        RadioEntry.objects.select_related("order__order_type", "order__premise", "logged_by").filter(
            heard_on=day
        )[:limit]
    )
