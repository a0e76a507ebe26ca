"""The demo district's front desk, day by day through the front desk's services: calls, visitors, cases, the
radio log. Only the last 30 days of the history, a handful of records per business day: a few calls (most from
customers' real numbers, so they match their accounts), some turned into contact entries and call-backs; a few
visitors signed in and out (the last business day's still in the building); radio calls about the day's real service
orders; and three cases: a complaint resolved and the customer told, a meter dispute escalated to the lead (waiting
in the lead's queue), and a bill dispute left open on an account (its collection steps paused)."""

import random
from datetime import date, time, timedelta

from cistern.core.selectors import district_calendar
from cistern.customers.models import Account, AccountStatus
from cistern.fieldwork.models import ServiceOrder
from cistern.frontdesk import services
from cistern.frontdesk.models import CaseCategory, RoutingTarget

WINDOW_DAYS = 30
REASONS = [
    "Asks why the bill went up", "Wants to set up autopay", "Reports a leak at the meter box", "Asks for a payment extension",
    "Moving out: wants to stop service", "Low water pressure in the evening", "Asks when the next read is",
    "Questions a late fee", "Wants a copy of last month's bill", "Reports a running hydrant",
]  # fmt: skip
VISITORS = [
    ("Pat Quinn", "Hi-Desert Paving", "Trench permit review", "Engineering"),
    ("Dana Reyes", "", "Pay a bill and ask about a deposit", "Customer Service"),
    ("Lee Whitaker", "County Environmental Health", "Sampling schedule", "Water Quality"),
    ("Morgan Ellis", "Mojave Backflow Co.", "Backflow test reports", "Field Operations"),
    ("Sam Ortiz", "", "Board agenda packet", "General Manager's office"),
]
UNITS = ["U1", "U3", "U7", "U12"]


class DemoFrontDesk:
    def __init__(self, staff, *, seed: int, first_day: date, last_day: date):
        self.staff = staff
        self.counts: dict[str, int] = {}
        self.rng = random.Random(f"cistern-district:{seed}:frontdesk")
        self.first = max(first_day, last_day - timedelta(days=WINDOW_DAYS))
        self.last_day = last_day
        self.calendar = None
        self.business_day = 0  # the business days of the window so far
        self.callers: list[tuple[int, str, str]] = []
        self.callbacks = []  # calls waiting for a call-back, oldest first
        self.cases: dict[str, object] = {}

    def _count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def day(self, day: date) -> None:
        if day < self.first:
            return
        if self.calendar is None:
            self.calendar = district_calendar()
            self.callers = list(
                Account.objects.filter(status=AccountStatus.ACTIVE)
                .exclude(customer__phone="")
                .order_by("number")
                .values_list("pk", "customer__phone", "customer__name")[:400]
            )
            self.targets = list(RoutingTarget.objects.filter(active=True))
        self.radio(day)  # the crews work weekends too
        if not self.calendar.is_business_day(day):
            return
        self.business_day += 1
        self.calls(day)
        self.visitors(day)
        self.case_work(day)

    # --- calls ----------------------------------------------------------------------------------------------------

    def calls(self, day: date) -> None:
        rng, clerk, lead = self.rng, self.staff.clerk, self.staff.lead
        for _ in range(rng.randint(2, 4)):
            account_id = None
            if self.callers and rng.random() < 0.7:
                account_id, phone, name = rng.choice(self.callers)
                name = name.split()[0]
            else:
                phone, name = (
                    f"(760) 555-{rng.randint(1000, 9999)}",
                    rng.choice(["", "Chris", "Jordan", "Alex"]),
                )
            outcome = rng.choices(["resolved", "transferred", "message", "callback"], [6, 2, 1, 2])[0]
            routed = rng.choice(self.targets) if outcome != "resolved" and self.targets else None
            actor = clerk if rng.random() < 0.75 else lead
            call = services.call_log(
                actor=actor, reason=rng.choice(REASONS), outcome=outcome, caller_name=name, caller_phone=phone,
                routed_to=routed,
            )  # fmt: skip
            self._count("calls")
            if call.account_id and outcome == "resolved" and rng.random() < 0.4:
                services.call_to_contact(actor=actor, call=call)
                self._count("contact_entries")
            if outcome == "callback":
                self.callbacks.append(call)
        # Yesterday's call-backs are returned; the last days' wait in the queue.
        while (
            self.callbacks
            and self.callbacks[0].taken_on < day - timedelta(days=1)
            and day < self.last_day - timedelta(days=3)
        ):
            call = self.callbacks.pop(0)
            services.callback_done(actor=call.taken_by, call=call, note="Called back: answered")
            self._count("callbacks_done")

    # --- visitors and the radio -------------------------------------------------------------------------------

    def visitors(self, day: date) -> None:
        rng = self.rng
        for n in range(rng.randint(0, 2)):
            name, organisation, purpose, host = rng.choice(VISITORS)
            visit = services.visitor_sign_in(
                actor=self.staff.clerk, name=name, organisation=organisation, purpose=purpose, host=host,
                badge=f"V{n + 1}",
            )  # fmt: skip
            self._count("visitors")
            if self.calendar.next_business_day(day) <= self.last_day:  # the last business day's stay in
                services.visitor_sign_out(actor=self.staff.clerk, visit=visit)

    def radio(self, day: date) -> None:
        orders = list(
            ServiceOrder.objects.filter(scheduled_on=day)
            .select_related("premise", "order_type")
            .order_by("number")[:2]
        )
        if not orders and self.calendar.is_business_day(day):
            services.radio_log(actor=self.staff.clerk, unit="U1", heard_at=time(7, 30),
                               message="Leaving the yard: hydrant flushing, Zone 1")  # fmt: skip
            self._count("radio_entries")
        for n, order in enumerate(orders):
            unit = UNITS[n % len(UNITS)]
            services.radio_log(actor=self.staff.clerk, unit=unit, heard_at=time(9 + 2 * n, 10 * n),
                               message=f"On site: {order.order_type} at {order.premise.street}", order=order)  # fmt: skip
            services.radio_log(actor=self.staff.clerk, unit=unit, heard_at=time(10 + 2 * n, 5 + 10 * n),
                               message="Clear, heading to the next stop", order=order)  # fmt: skip
            self._count("radio_entries", 2)

    # --- cases ------------------------------------------------------------------------------------------------

    def _account(self, n: int):
        if not self.callers:
            return None
        return Account.objects.get(pk=self.callers[(n * 37) % len(self.callers)][0])

    def case_work(self, day: date) -> None:
        clerk, lead = self.staff.clerk, self.staff.lead
        n = self.business_day
        if n == 1:
            account = self._account(1)
            self.cases["resolved"] = services.case_open(
                actor=clerk, category=CaseCategory.objects.get(code="service_complaint"), account=account,
                priority="high", description="Low pressure every evening since the main was flushed.",
                contact_name=account.customer.name if account else "",
            )  # fmt: skip
            self._count("cases")
        elif n == 3 and "resolved" in self.cases:
            case = services.case_resolve(
                actor=clerk, case=self.cases["resolved"],
                resolution="Field Operations reset the pressure regulator on the street; pressure back to 65 psi.",
            )  # fmt: skip
            if case.account_id:
                services.case_notify(
                    actor=clerk, case=case, how="phone", note="Customer confirmed the pressure is fine."
                )
        elif n == 6:
            account = self._account(2)
            case = services.case_open(
                actor=clerk, category=CaseCategory.objects.get(code="meter_read"), account=account,
                description="Says the meter was read wrong twice; wants a supervisor to look at the history.",
            )  # fmt: skip
            services.case_escalate(
                actor=clerk, case=case, reason="Customer asks for a lead: second misread complaint"
            )
            self.cases["escalated"] = case
            self._count("cases")
        elif n == 10:
            account = self._account(3)
            if account is not None:
                self.cases["dispute"] = services.case_open(
                    actor=clerk, category=CaseCategory.objects.get(code="bill_dispute"), account=account,
                    description="Disputes the last bill: says the house was empty for the period.",
                )  # fmt: skip
                self._count("cases")
        elif n == 12:
            services.case_open(
                actor=lead, category=CaseCategory.objects.get(code="staff_conduct"), owner=clerk, priority="urgent",
                description="Caller says a technician left a gate open; the dog got out.",
            )  # fmt: skip
            self._count("cases")
