"""The demo district's collections, day by day through the services a district's staff use: the daily
collection run (late fees, reminders, shutoff notices, door-hangers, the proposed lock-off list), some shutoff
notices coming back undeliverable, the technician posting door-hangers, a lead confirming each business day's
lock-off list and the technician locking off. The newest list is left for a lead to confirm. A board's
suspension of late fees and shutoffs (a heat emergency) sits in the history's past."""

import random
from datetime import date, timedelta

from django.db.models import Q

from cistern.collections import arrangements, writeoffs
from cistern.collections import services as collections
from cistern.collections.models import PHONE_OPTIONS, LockoffListStatus, Notice, NoticeKind
from cistern.core import roles
from cistern.core.services import suspension_add
from cistern.correspondence import services as letters
from cistern.correspondence.models import Correspondence, CorrespondenceStatus
from cistern.fieldwork import selectors as fieldwork_selectors
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import OrderStatus, ServiceOrder
from cistern.metering import services as metering
from cistern.metering.models import Read, ReadStatus

from .billing import user

SUPERVISOR = "demo-supervisor"
ARRANGE_SHARE = 1 / 3  # of the customers sent a shutoff notice, those who call and arrange
MONDAY, FRIDAY = 0, 4
RETURNED_ONE_IN = 6  # about one shutoff notice in six comes back undeliverable (moved, no forwarding order)


class DemoCollections:
    def __init__(self, staff, *, seed: int, first_day: date, last_day: date):
        self.staff = staff
        self.rng = random.Random(f"cistern-district:{seed}:collections")
        self.last_day = last_day
        self.counts: dict[str, int] = {}
        self.suspension = None
        # A two-week heat emergency a few months in, when the history is long enough to have one.
        start = first_day + timedelta(days=100)
        if start + timedelta(days=60) < last_day:
            self.suspension = (start, start + timedelta(days=13))

    def day(self, day: date) -> None:
        if self.suspension and day == self.suspension[0]:
            supervisor = user(SUPERVISOR, roles.SUPERVISOR, "Supervisor")
            suspension_add(
                actor=supervisor, starts_on=self.suspension[0], ends_on=self.suspension[1],
                reason="Board resolution: heat emergency, no late fees or shutoffs",
            )  # fmt: skip
        self.post_door_hangers(day)
        result = collections.collections_run(actor=self.staff.biller, on=day)
        for key, count in result.counts.items():
            self.counts[key] = self.counts.get(key, 0) + count
        self.print_letters(day)
        self.mail_comes_back(day)
        if result.lockoff_list is not None:  # a business day: the office is open
            self.arrangements(day)
            if day.weekday() == FRIDAY:
                self.write_offs(day)
            if day.day <= 7 and day.weekday() == MONDAY:
                self.refer(day)
        lockoff_list = result.lockoff_list
        if (
            lockoff_list is not None
            and day < self.last_day
            and lockoff_list.status == LockoffListStatus.PROPOSED
        ) and lockoff_list.candidates.filter(included=True).exists():
            done = collections.lockoff_list_confirm(actor=self.staff.lead, lockoff_list=lockoff_list)
            self.counts["lockoff_orders"] = self.counts.get("lockoff_orders", 0) + len(done.orders)
            for order in done.orders:
                self.lock_off(order, day)

    def arrangements(self, day: date) -> None:
        """Some customers who got a shutoff notice three days ago call: the clerk offers what the law lists and
        about one in three spreads the past due over a few months."""
        noticed = Notice.objects.filter(kind=NoticeKind.SHUTOFF, issued_on=day - timedelta(days=3)).order_by(
            "id"
        )
        for notice in noticed.select_related("account"):
            if self.rng.random() >= ARRANGE_SHARE:
                continue
            account = notice.account
            collections.phone_contact_record(
                actor=self.staff.clerk, account=account, on=day, reached=True,
                options_offered=[key for key, _ in PHONE_OPTIONS], willing_to_arrange=True,
                note="Called about the shutoff notice",
            )  # fmt: skip
            try:
                arrangements.arrangement_create(
                    actor=self.staff.clerk, account=account, installments=self.rng.randint(3, 6),
                    first_due=day + timedelta(days=21), on=day, reason="Customer asked to spread the past due",
                )  # fmt: skip
            except arrangements.ArrangementError:
                continue  # paid meanwhile, or already arranged
            self.counts["arrangements"] = self.counts.get("arrangements", 0) + 1

    def write_offs(self, day: date) -> None:
        """Fridays a lead writes off the final accounts owing past the write-off period (above the lead's
        limit they wait for a supervisor, in the queue)."""
        candidates = [c for c in writeoffs.write_off_candidates(day) if c.pending is None]
        if candidates:
            done, _ = writeoffs.write_offs_request(
                actor=self.staff.lead, accounts=[c.account for c in candidates], on=day,
                reason="Final bill unpaid past the write-off period; notices sent",
            )  # fmt: skip
            self.counts["write_offs"] = self.counts.get("write_offs", 0) + len(done)

    def refer(self, day: date) -> None:
        """The first Monday of a month, the written-off accounts go to the collection agency."""
        supervisor = user(SUPERVISOR, roles.SUPERVISOR, "Supervisor")
        batch = writeoffs.referrals_export(actor=supervisor, agency="High Desert Collection Services", on=day)
        if batch is not None:
            self.counts["referrals"] = self.counts.get("referrals", 0) + 1

    def print_letters(self, day: date) -> None:
        """The day's letters printed in one batch and mailed."""
        if Correspondence.objects.filter(channel="letter", status=CorrespondenceStatus.QUEUED).exists():
            letters.print_batch_create(actor=self.staff.lead, on=day)
            self.counts["print_batches"] = self.counts.get("print_batches", 0) + 1

    def mail_comes_back(self, day: date) -> None:
        """Shutoff notices mailed four days ago: some come back from the post office."""
        mailed = Notice.objects.filter(kind=NoticeKind.SHUTOFF, issued_on=day - timedelta(days=4)).order_by(
            "id"
        )
        for notice in mailed.select_related("correspondence"):
            if notice.correspondence is None or self.rng.randrange(RETURNED_ONE_IN):
                continue
            if notice.correspondence.status == CorrespondenceStatus.RETURNED:
                continue
            letters.mark_returned(
                actor=self.staff.clerk, correspondence=notice.correspondence, on=day,
                reason="Returned by the post office: not deliverable as addressed",
            )  # fmt: skip
            self.counts["returned_letters"] = self.counts.get("returned_letters", 0) + 1

    def post_door_hangers(self, day: date) -> None:
        """Yesterday's door-hanger orders: the technician posts them (a photo on a real phone)."""
        orders = ServiceOrder.objects.filter(
            order_type__code="door_hanger",
            status=OrderStatus.OPEN,
            requested_on__lt=day,
            origin="collections",
        ).order_by("id")
        for order in orders:
            self._complete(order, day, "")

    def lock_off(self, order: ServiceOrder, day: date) -> None:
        point = order.service_point or fieldwork_selectors.service_point_for(order.premise)
        installation = fieldwork_selectors.current_installation(point)
        if installation is None:
            return
        if Read.objects.filter(meter=installation.meter, read_on=day).exists():
            return  # read today already: the lock-off waits for tomorrow's crew (left scheduled)
        last = (
            Read.objects.filter(meter=installation.meter, read_on__lt=day)
            .filter(Q(status=ReadStatus.ACCEPTED) | Q(status=ReadStatus.EXCEPTION))
            .order_by("-read_on", "-id")
            .first()
        )
        value = str(last.value if last else installation.initial_value)
        self._complete(order, day, value)
        for read in Read.objects.filter(meter=installation.meter, read_on=day, status=ReadStatus.EXCEPTION):
            metering.read_accept(
                actor=self.staff.lead, read=read, reason="Lock-off read: the meter is locked"
            )

    def _complete(self, order: ServiceOrder, day: date, read_value: str) -> None:
        staff = self.staff
        order = fieldwork.order_schedule(
            actor=staff.lead, order=order, scheduled_on=day, technician=staff.technician
        )
        order = fieldwork.order_dispatch(actor=staff.lead, order=order)
        fieldwork.order_complete(
            actor=staff.technician, order=order,
            completion=fieldwork.Completion(on=day, read_value=read_value, field_notes="Posted at the front door."
                                            if not read_value else "Locked at the curb stop."),
        )  # fmt: skip
