"""The demo district's bill cycles and its billing history: a cycle per route, and every month of reads
billed through the same runs a district makes (calculate, approve by a second person, post), with most
customers paying by the due date so balances look like a district's."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cistern.billing import services as billing
from cistern.billing.models import Bill, BillCycle, CycleRoute
from cistern.core import roles
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.services import EntryDraft, Posting, journal_post_batch
from cistern.metering.models import Read, ReadStatus, Route

from .meters import read_day_of

BILLER, APPROVER = "demo-billing", "demo-billing-lead"


def load_cycles() -> list[BillCycle]:
    """One cycle per route: read on the route's day, billed three days later."""
    cycles = []
    for number, route in enumerate(Route.objects.order_by("code"), start=1):
        read_day = read_day_of(route.code) if route.code[1:].isdigit() else min(28, number)
        cycle, _ = BillCycle.objects.get_or_create(
            code=f"C{number:02d}",
            defaults={"name": f"Cycle {number} ({route.name})", "read_day": read_day,
                      "bill_day": min(28, read_day + 3)},
        )  # fmt: skip
        CycleRoute.objects.get_or_create(route=route, defaults={"cycle": cycle})
        cycles.append(cycle)
    return cycles


def _user(username: str, role: str):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Demo", "last_name": "Billing", "is_active": True}
    )
    if created:
        user.set_unusable_password()  # a system actor: nobody signs in as it
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def post_history(*, today, seed: int = 1, leave_trial: bool = True) -> int:
    """Bill every past read date of every cycle, oldest first (the first read is the opening one), and pay
    most bills. The newest period of the first cycle is left calculated, for a lead to approve. Returns the
    number of bills posted."""
    biller, approver = _user(BILLER, roles.BILLING_ADMIN), _user(APPROVER, roles.CSS_II)
    cycles = list(BillCycle.objects.order_by("code"))
    rng = random.Random(seed)
    periods = []
    for cycle in cycles:
        dates = sorted(
            set(
                Read.objects.filter(
                    installation__service_point__route__cycle_route__cycle=cycle, status=ReadStatus.ACCEPTED,
                    read_on__lt=today,
                ).values_list("read_on", flat=True)
            )
        )  # fmt: skip
        periods += [(day, cycle) for day in dates[1:]]
    trial = max((day for day, cycle in periods if cycle == cycles[0]), default=None) if leave_trial else None
    posted = 0
    for day, cycle in sorted(periods, key=lambda p: (p[0], p[1].code)):
        run = billing.bill_run_create(actor=biller, cycle=cycle, period_end=day)
        billing.bill_run_calculate(actor=biller, run=run)
        if cycle == cycles[0] and day == trial:
            continue
        billing.bill_run_approve(actor=approver, run=run, note="Demo history")
        billing.bill_run_post(actor=biller, run=run)
        bills = list(
            Bill.objects.filter(run=run).values_list("id", "account_id", "current_charges", "due_date")
        )
        _pay(bills, today, rng, biller)
        posted += len(bills)
    return posted


def _pay(bills, today, rng: random.Random, actor) -> None:
    """Payments from the prior system: most customers pay in full by the due date, a few late or never."""
    receivable = ledger_selectors.receivable_gl().code
    drafts = []
    for bill_id, account_id, charges, due in bills:
        roll = rng.random()
        late = roll >= 0.9
        paid_on = (
            due + timedelta(days=rng.randint(5, 40)) if late else due - timedelta(days=rng.randint(1, 15))
        )
        if roll > 0.97 or paid_on >= today or charges <= 0:
            continue
        payment = (Posting("1000", charges), Posting(receivable, -charges, account_id, "Payment"))
        drafts.append(
            EntryDraft(paid_on, f"Payment (prior system) on bill {bill_id}", "payment", None, payment)
        )
    journal_post_batch(actor=actor, drafts=drafts)
