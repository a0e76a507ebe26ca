"""Reconnection after a lock-off for nonpayment: a reconnect order for the field and the reconnection fee on the
account, in one transaction. A clerk asks for it from the account page (`reconnect_request`), an arrangement
does when one is made, and a payment does by itself (receivers.py) once the past due is paid.

"Past due paid" is the shutoff policy's own delinquency (`policy.decide` over `selectors.open_charges`):
nothing that fell due before the day is left open once credits are applied. An arrangement moves the past
due to its installments, so a locked-off account with an arrangement passes it too.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.money import format_money
from cistern.core.permissions import require
from cistern.core.selectors import district_calendar, district_settings
from cistern.customers.models import Account, AccountFlag, FlagKind
from cistern.customers.services import accounts_lock
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import OrderStatus, Priority, ServiceOrder, ServiceOrderType
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.rates import selectors as rates

from . import policy, reconnection_terms, selectors

RECONNECTION_FEE = "reconnection_fee"  # the fee's journal entry (source id: the reconnect order)
OPEN = [OrderStatus.OPEN, OrderStatus.SCHEDULED, OrderStatus.DISPATCHED]


class ReconnectionError(Exception):
    """A reconnection that cannot be ordered; the message tells the clerk why."""


def local_now() -> datetime:
    """The district's local time now (tests set it)."""
    return timezone.localtime()


def _time_of(on: date) -> time:
    """When the reconnection is asked for on `on`: now, for today; a day replayed (the demo district's history)
    is taken as asked when the office opens."""
    now = local_now()
    return now.time() if now.date() == on else district_settings().office_opens


def ever_locked_off(account_ids: list[int]) -> bool:
    """Has any of the accounts had a lock-off done: the payment path's guard before `locked_off_accounts`, as
    one indexed query in plain SQL (the ORM's building of it costs three times the query on a busy path)."""
    orders, types = ServiceOrder._meta, ServiceOrderType._meta
    q = connection.ops.quote_name
    for start in range(0, len(account_ids), 5000):  # a big batch in parts (SQLite's limit on parameters)
        chunk = account_ids[start : start + 5000]
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"SELECT 1 FROM {q(orders.db_table)} o JOIN {q(types.db_table)} t ON t.id = o.order_type_id "  # noqa: S608 (our own table names)
            f"WHERE o.account_id IN ({marks}) AND t.code = %s AND o.status IN (%s, %s) LIMIT 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*chunk, selectors.LOCK_OFF, OrderStatus.COMPLETED, OrderStatus.CLOSED])
            if cursor.fetchone() is not None:
                return True
    return False


def open_reconnects(account_ids) -> set[int]:
    return set(
        ServiceOrder.objects.filter(
            account_id__in=list(account_ids), order_type__code=selectors.RECONNECT, status__in=OPEN
        ).values_list("account_id", flat=True)
    )


def past_due(account: Account, on: date) -> policy.Decision:
    """The policy's delinquency of the account on `on` (`delinquent_since` None: nothing past due is open)."""
    charges = selectors.open_charges([account.pk])[account.pk]
    facts = policy.Facts(charges=charges, locked_off=True)
    return policy.decide(facts, selectors.policy_settings(), district_calendar(), on)


def is_low_income(account: Account, on: date) -> bool:
    in_force = Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    return AccountFlag.objects.filter(
        in_force, account=account, kind=FlagKind.LOW_INCOME, starts_on__lte=on
    ).exists()


def reconnect_request(
    *, actor, account: Account, after_hours: bool, on: date, actual_cost: Decimal | None = None
) -> ServiceOrder:
    """A reconnect order for a locked-off account whose past due is paid (or arranged), and the reconnection
    fee (`after_hours`: the after-hours fee, the order for `on` itself). `actual_cost`, when given, caps a
    low-income customer's fee. Refused when the account is not locked off, a reconnect order is already open,
    or something past due is still open."""
    require(actor, "fieldwork.add_serviceorder")
    return reconnect(actor=actor, account=account, after_hours=after_hours, on=on, actual_cost=actual_cost)


def reconnect(
    *, actor, account: Account, after_hours: bool, on: date, actual_cost: Decimal | None = None,
    paid: Decimal | None = None,
) -> ServiceOrder:  # fmt: skip
    """`reconnect_request` without the permission check: for a payment's receiver (the cashier or the payment
    processor may not create orders, but a paid past due reconnects). `paid`: the amount that paid it."""
    with transaction.atomic():
        (account,) = accounts_lock([account.pk])
        if account.pk not in selectors.locked_off_accounts([account.pk]):
            raise ReconnectionError(f"Account {account.number} is not locked off.")
        if open_reconnects([account.pk]):
            raise ReconnectionError(f"Account {account.number} already has a reconnect order open.")
        decision = past_due(account, on)
        if decision.delinquent_since is not None:
            raise ReconnectionError(
                f"{format_money(decision.amount_delinquent)} is still past due (since "
                f"{decision.delinquent_since:%m/%d/%Y}): reconnection follows its payment or an arrangement."
            )
        code = reconnection_terms.fee_code(after_hours)
        fee = rates.fee(code, on)
        if fee is None:
            raise ReconnectionError(f"The fee catalog has no {code} fee in force on {on:%m/%d/%Y}.")
        low_income = is_low_income(account, on)
        cap = rates.fee_cap(code, on) if low_income else None
        try:
            charged = reconnection_terms.fee_charged(
                catalog=fee.amount,
                low_income=low_income,
                cap=cap.amount if cap else None,
                actual_cost=actual_cost,
            )
        except reconnection_terms.TermsError as exc:
            raise ReconnectionError(str(exc)) from None
        day = reconnection_terms.reconnect_day(
            on=on, at=_time_of(on), cutoff=district_settings().reconnect_cutoff, calendar=district_calendar(),
            after_hours=after_hours,
        )  # fmt: skip
        why = (
            f"{format_money(paid)} paid {on:%m/%d/%Y}; past due paid."
            if paid is not None
            else "Past due paid."
        )
        notes = (
            f"Reconnect after lock-off for nonpayment{' (after hours, as the customer asked)' if after_hours else ''}. "
            f"{why} {fee.name}: {format_money(charged.amount)}."
        )
        (order,) = fieldwork.orders_for_collections(
            actor=actor,
            specs=[{"order_type": fieldwork.order_type_get(selectors.RECONNECT), "premise": account.premise,
                    "account": account, "requested_on": day, "priority": Priority.URGENT, "notes": notes}],
        )  # fmt: skip
        if charged.amount > 0:
            receivable = ledger_selectors.receivable_gl().code
            ledger.journal_post(
                actor=actor, entry_date=on, memo=f"{fee.name} ({order.label})", source_kind=RECONNECTION_FEE,
                source_id=order.pk, reason=charged.why,
                postings=[
                    ledger.Posting(receivable, charged.amount, account.pk, description=fee.name, due_date=on),
                    ledger.Posting(fee.gl_account, -charged.amount),
                ],
            )  # fmt: skip
        audit_record(
            actor=actor, action="collections.reconnect", obj=order, account_id=account.pk, reason=charged.why,
            after={"requested_on": day.isoformat(), "fee": code, "amount": str(charged.amount),
                   "catalog": str(charged.catalog), "low_income": low_income, "after_hours": after_hours,
                   "actual_cost": str(actual_cost) if actual_cost is not None else None,
                   "paid": str(paid) if paid is not None else None},
        )  # fmt: skip
    return order
