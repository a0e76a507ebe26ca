"""Payments posted at once by several processes while a bill run posts (issue 11, "Tests that must exist"):
nothing lost, nothing doubled, every balance exact, the books balance. Real commits on PostgreSQL: each
process has its own connection, and the database's locks and unique constraints are what is tested."""

import multiprocessing
import threading
import traceback
import zlib
from collections import defaultdict
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client

from cistern.billing import services as billing
from cistern.billing.models import Bill, BillCycle, BillRunItem, CycleRoute, RunStatus
from cistern.core import roles
from cistern.customers import services as customers
from cistern.demo.rates import load_rates
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import JournalEntry, JournalLine
from cistern.ledger.verify import breaches
from cistern.metering import services as metering
from cistern.metering.models import Meter, Route, ServicePoint
from cistern.payments import posting
from cistern.payments import services as payments
from cistern.payments.models import Payment, PaymentPart
from tests.billing.conftest import read

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="issue 11: PostgreSQL only (row locks and real concurrent commits)")  # fmt: skip

# The numbers: 4 processes x 1,000 payments to 50 shared accounts; the run bills those and a few more.
WORKERS, EACH, SHARED, OTHERS = 4, 1000, 50, 25
JUN, JUL = date(2026, 6, 25), date(2026, 7, 25)
# Real commits: these tests run after the others (pytest-django's order), and an earlier test with real commits
# may have flushed the tables, the chart of accounts with them: `chart_of_accounts` puts it back.
real_commits = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def chart_of_accounts(transactional_db):
    """What the migrations seed (the chart of accounts, its adjustment reasons, the service order types), when
    a flush took it: the same functions, run again."""
    from importlib import import_module

    from django.apps import apps

    from cistern.ledger.models import GLAccount

    if not GLAccount.objects.exists():
        chart, roles, more = (
            import_module(f"cistern.ledger.migrations.{name}")
            for name in ("0002_chart_of_accounts_and_guards", "0007_gl_roles", "0013_payment_gl_roles")
        )
        for code, name, kind, receivable in chart.CHART:
            role = "receivable" if receivable else roles.ROLES.get(code, "")
            GLAccount.objects.create(code=code, name=name, kind=kind, receivable=receivable, role=role)
        more.add_accounts(apps, None)
        import_module("cistern.ledger.migrations.0004_adjustment_reasons").reasons(apps, None)
    import_module("cistern.fieldwork.migrations.0002_seed_order_types").seed(apps, None)


def _key(worker: int, i: int) -> str:
    return f"conc-{worker}-{i:04d}"


def _spec(key: str) -> tuple[int, D]:
    """A key's account (an index among the shared ones) and amount, the same in every process."""
    crc = zlib.crc32(key.encode())
    return crc % SHARED, D(1 + crc % 5000) / 100


def _request(account, key: str, amount: D | None = None) -> payments.PaymentRequest:
    amount = amount or _spec(key)[1]
    body = {"account": account.number, "amount": str(amount), "method": "online", "reference": key}
    return payments.PaymentRequest(
        channel="online", parts=[(account, amount)], tenders=[payments.Tender("electronic", amount, reference=key)],
        reference=key, idempotency_key=key, fingerprint=payments.fingerprint(body),
    )  # fmt: skip


def _poster(worker: int, user_id: int, account_ids: list[int], out) -> None:
    """One process's payments: its own 1,000; every 10th retried at once (same key, same body); every 7th
    of the next process's keys posted too, racing it; every 50th sent again with another amount (refused)."""
    from django.contrib.auth import get_user_model

    from cistern.customers.models import Account

    records, errors = [], []
    try:
        actor = get_user_model().objects.get(pk=user_id)
        accounts = {a.pk: a for a in Account.objects.filter(pk__in=account_ids)}
        shared = [accounts[pk] for pk in account_ids]

        def post(key, amount=None):
            payment, created = payments.payment_post(
                actor=actor, request=_request(shared[_spec(key)[0]], key, amount)
            )
            records.append((key, payment.pk, created))

        for i in range(EACH):
            post(_key(worker, i))
            if i % 10 == 0:
                post(_key(worker, i))
            if i % 7 == 0:
                post(_key((worker + 1) % WORKERS, i))
            if i % 50 == 0:
                try:
                    post(_key(worker, i), _spec(_key(worker, i))[1] + D("0.01"))
                    errors.append(f"{_key(worker, i)} with another amount was not refused")
                except payments.IdempotencyConflict:
                    pass
    except Exception:
        errors.append(traceback.format_exc())
    finally:
        connections.close_all()
        out.put((worker, records, errors))


def _metered(start_account, premise_factory, supervisor, route, serial: int, units: int):
    premise = premise_factory(occupancy_type="owner")
    account = start_account(premise=premise, start_date=JUN)
    customers.account_activate(actor=supervisor, account=account, on=JUN, reason="Water on")
    point = ServicePoint.objects.create(premise=premise, route=route)
    meter = Meter.objects.create(serial=f"CC{serial:06d}", size="3/4")
    metering.meter_install(
        actor=supervisor, meter=meter, service_point=point, installed_on=JUN, initial_value="100"
    )
    read(supervisor, meter, JUL, str(100 + units))
    return account


@real_commits
def test_four_processes_post_4000_payments_to_50_accounts_while_a_bill_run_posts(
    make_user, start_account, premise_factory
):
    load_rates()
    route = Route.objects.create(code="R01", name="Sunburst")
    cycle = BillCycle.objects.create(code="C01", name="Cycle 1", read_day=25, bill_day=28)
    CycleRoute.objects.create(cycle=cycle, route=route)
    supervisor = make_user(roles.SUPERVISOR, username="supervisor")
    biller, lead = make_user(roles.BILLING_ADMIN, username="biller"), make_user(roles.CSS_II, username="lead")
    processor = make_user(roles.INTEGRATION, username="processor")
    accounts = [
        _metered(start_account, premise_factory, supervisor, route, n, units=n % 20)
        for n in range(SHARED + OTHERS)
    ]
    shared = accounts[:SHARED]
    run = billing.bill_run_create(actor=biller, cycle=cycle, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    billing.bill_run_approve(actor=lead, run=run)
    assert BillRunItem.objects.filter(run=run, billable=True).count() == SHARED + OTHERS

    connections.close_all()  # each forked process opens its own connection
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    posters = [
        context.Process(target=_poster, args=(w, processor.pk, [a.pk for a in shared], out))
        for w in range(WORKERS)
    ]
    for p in posters:
        p.start()
    try:
        # The run posts once the payments are flowing, in small batches so that it is long among them.
        while Payment.objects.count() < 200 and any(p.is_alive() for p in posters):
            threading.Event().wait(0.05)
        posting_began = Payment.objects.count()
        billing.bill_run_post(actor=biller, run=run, batch_size=5)
        posting_ended = Payment.objects.count()
        results = [out.get(timeout=600) for _ in posters]
    finally:
        for p in posters:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    assert [errors for _, _, errors in results if errors] == []
    assert all(p.exitcode == 0 for p in posters)
    assert posting_began < posting_ended < WORKERS * EACH  # payments were committed while the run posted

    # Nothing lost, nothing doubled: one payment per key, every call with a key answered that payment.
    keys = {_key(w, i) for w in range(WORKERS) for i in range(EACH)}
    assert Payment.objects.count() == WORKERS * EACH
    assert set(Payment.objects.values_list("idempotency_key", flat=True)) == keys
    answered, created = defaultdict(set), defaultdict(int)
    for _, records, _ in results:
        for key, pk, made in records:
            answered[key].add(pk)
            created[key] += made
    assert all(len(pks) == 1 for pks in answered.values()) and set(answered) == keys
    assert set(created.values()) == {1}  # each key posted exactly once, by whichever process came first
    by_key = dict(Payment.objects.values_list("idempotency_key", "pk"))
    assert all(by_key[key] == pks.pop() for key, pks in answered.items())
    retries = sum(len(records) for _, records, _ in results) - WORKERS * EACH
    assert retries == WORKERS * (EACH // 10 + (EACH + 6) // 7)

    # Each payment is in the books once: its entry and its part.
    assert not Payment.objects.filter(entry__isnull=True).exists()
    assert JournalEntry.objects.filter(source_kind=posting.PAYMENT).count() == WORKERS * EACH
    assert PaymentPart.objects.count() == WORKERS * EACH
    for key, account_id, amount, part in Payment.objects.values_list(
        "idempotency_key", "parts__account_id", "amount", "parts__amount"
    ):
        index, expected = _spec(key)
        assert (account_id, amount, part) == (shared[index].pk, expected, expected), key

    # Every balance exact: its bill's charges less what this test paid to it (computed here, from the keys).
    paid = defaultdict(D)
    for key in keys:
        index, amount = _spec(key)
        paid[shared[index].pk] += amount
    charges = dict(
        Bill.objects.filter(run=run).values_list("account_id").annotate(total=Sum("current_charges"))
    )
    balances = ledger_selectors.receivable_balances([a.pk for a in accounts])
    for account in accounts:
        assert balances.get(account.pk, D("0.00")) == charges[account.pk] - paid[account.pk], account.number
    assert sum(paid.values()) == Payment.objects.aggregate(total=Sum("amount"))["total"]

    # The run posted whole, and the books balance.
    run.refresh_from_db()
    assert run.status == RunStatus.POSTED and run.progress_done == SHARED + OTHERS
    assert Bill.objects.filter(run=run).count() == SHARED + OTHERS
    assert JournalEntry.objects.filter(source_kind="bill").count() == SHARED + OTHERS
    assert JournalLine.objects.aggregate(total=Sum("amount"))["total"] == 0
    assert breaches() == []


@real_commits
def test_the_same_key_posted_at_the_same_moment_through_the_api_posts_once(
    make_user, start_account, token_for
):
    """Eight requests with one Idempotency-Key at once, each on its own connection: one 201, seven 200 with
    the same body, one payment, one journal entry."""
    account = start_account()
    token = token_for(roles.INTEGRATION)
    body = {"account": account.number, "amount": "12.50", "method": "phone", "reference": "IVR-5521"}
    answers, start = [], threading.Barrier(8)

    def request():
        try:
            start.wait()
            response = Client().post(
                "/api/v1/payments", body, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="ivr-call-77",
            )  # fmt: skip
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in answers) == [200] * 7 + [201]
    assert len({str(sorted(answer.items())) for _, answer in answers}) == 1
    assert answers[0][1]["balance"] == "-12.50"
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(source_kind=posting.PAYMENT).count() == 1
    assert ledger_selectors.account_balance(account) == D("-12.50")
