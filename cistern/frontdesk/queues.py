"""The home page's "Cases" and "Call-backs" queues (core/queues.py), and cases as owned work a lead can hand on
(core/assignments.py)."""

from django.urls import reverse

from cistern.core import assignments, queues

from . import selectors, services
from .models import Case


def _case_items(user) -> list[assignments.AssignedItem]:
    return [
        assignments.AssignedItem(
            id=case.pk,
            url=reverse("frontdesk:case", args=[case.pk]),
            due_on=case.due_on,
            label=f"Case {case.number}: {case.category.name}"
            + (f", account {case.account.number}" if case.account_id else ""),
        )  # fmt: skip
        for case in selectors.owned_open_cases(user)
    ]


def _case_reassign(*, actor, item_id, to_user, reason) -> None:
    case = Case.objects.filter(pk=item_id).first()
    if case is None:
        raise services.FrontDeskError("That case is not there any more: reload the team page.")
    services.case_reassign(actor=actor, case=case, to_user=to_user, reason=reason)


cases_queue = queues.WorkQueue(
    key="cases", title="Cases", permission="frontdesk.change_case", count=selectors.case_queue_count,
    url_name="frontdesk:case_queue",
    hint="Your cases due or overdue, and those escalated to your level that nobody has taken yet.",
)  # fmt: skip
callbacks_queue = queues.WorkQueue(
    key="callbacks", title="Call-backs", permission="frontdesk.change_call", count=selectors.callbacks_count,
    url_name="frontdesk:callbacks", hint="Calls routed to you (or taken by you) that wait for a call back.",
)  # fmt: skip
cases_work = assignments.AssignableWork(
    key="cases", title="Cases", permission="frontdesk.reassign_case", items_for=_case_items,
    reassign=_case_reassign, errors=(services.FrontDeskError,),
)  # fmt: skip
