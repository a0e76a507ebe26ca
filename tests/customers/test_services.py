from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.customers import services, signals
from cistern.customers.models import (
    Account,
    AccountStatus,
    ContactEntry,
    Customer,
    OpeningBalance,
    ServiceEvent,
)
from cistern.ledger.services import opening_balance_post

from ..conftest import ACCEPTABLE

pytestmark = pytest.mark.django_db


def test_start_opens_a_pending_account_with_set_up_fee_history_and_audit(start_account, css1):
    received = []
    signals.service_started.connect(
        lambda **kw: received.append(kw["account"].pk), weak=False, dispatch_uid="t1"
    )
    try:
        account = start_account(application=replace(ACCEPTABLE, charge_setup_fee=True))
    finally:
        signals.service_started.disconnect(dispatch_uid="t1")
    account.refresh_from_db()
    assert account.status == AccountStatus.PENDING
    assert account.number == "10000012"  # first of the series; Damm check digit 2
    assert account.setup_fee_amount == Decimal("35.00")
    assert account.deposit_amount == Decimal("0.00")
    assert account.credit_decided_by == css1 and account.identity_verified_by == css1
    assert received == [account.pk]
    event = ServiceEvent.objects.get(account=account)
    assert (event.kind, event.effective_on) == ("start", date(2026, 11, 2))
    audit = AuditEvent.objects.get(action="account.start")
    assert audit.actor == css1 and audit.account_id == account.pk
    assert audit.changes["number"] == [None, "10000012"]
    assert audit.changes["setup_fee_amount"] == [None, "35.00"]


def test_account_numbers_follow_the_sequence(start_account):
    first, second = start_account(), start_account()
    assert int(second.number[:7]) == int(first.number[:7]) + 1


def test_start_with_deposit(start_account):
    app = services.Application(
        relationship="tenant", occupancy_type="rental", identity_method="government_id",
        credit_decision="no_ssn", deposit_required=True,
    )  # fmt: skip
    account = start_account(application=app)
    assert account.deposit_amount == Decimal("200.00")
    assert account.deposit_waived_reason == ""


def test_deposit_waived_needs_a_reason(start_account):
    app = services.Application(
        relationship="tenant", occupancy_type="rental", identity_method="credit_check",
        credit_decision="deposit", deposit_required=False,
    )  # fmt: skip
    with pytest.raises(services.CustomerError, match="waive it with a reason"):
        start_account(application=app)
    assert not Account.objects.exists()
    waived = services.Application(
        **{**app.__dict__, "deposit_waived_reason": "Letter of credit from prior utility"}
    )
    assert start_account(application=waived).deposit_amount == Decimal("0.00")


def test_no_ssn_needs_government_id(start_account):
    app = services.Application(
        relationship="owner", occupancy_type="owner", identity_method="credit_check",
        credit_decision="no_ssn", deposit_required=True,
    )  # fmt: skip
    with pytest.raises(services.CustomerError, match="government ID"):
        start_account(application=app)


def test_start_refused_for_unpaid_bad_debt_on_a_closed_account(
    start_account, css1, customer_factory, make_user
):
    customer = customer_factory(name="Wade Holloway")
    old = start_account(customer=customer, start_date=date(2024, 1, 5))
    services.service_stop(
        actor=css1, account=old, stop_date=date(2025, 3, 1),
        forwarding={"street": "9 Elm St", "city": "Barstow", "state": "CA", "zip": "92311"},
    )  # fmt: skip
    opening_balance_post(  # converted from the previous system: in the ledger, as the migration puts it
        actor=make_user(roles.BILLING_ADMIN), account=old, amount=Decimal("212.40"), on=date(2025, 4, 1)
    )
    count_before = Account.objects.count()
    with pytest.raises(services.BadDebtRefused) as refused:
        start_account(customer=customer)
    assert "$212.40" in str(refused.value) and old.number in str(refused.value)
    assert refused.value.debts == [(old, Decimal("212.40"))]
    assert Account.objects.count() == count_before


def test_a_paid_closed_account_does_not_block(start_account, css1, customer_factory):
    customer = customer_factory()
    old = start_account(customer=customer, start_date=date(2024, 1, 5))
    services.service_stop(
        actor=css1, account=old, stop_date=date(2025, 3, 1),
        forwarding={"street": "9 Elm St", "city": "Barstow", "state": "CA", "zip": "92311"},
    )  # fmt: skip
    OpeningBalance.objects.create(account=old, amount=Decimal("0.00"), as_of=date(2025, 4, 1))
    assert start_account(customer=customer).status == AccountStatus.PENDING


def test_start_at_an_address_in_service_is_refused_unless_the_current_account_stops(
    start_account, premise_factory, customer_factory
):
    premise = premise_factory()
    owner = start_account(
        premise=premise, customer=customer_factory(name="Owner One"), start_date=date(2025, 1, 1)
    )
    tenant = customer_factory(name="Tenant Two")
    with pytest.raises(services.CustomerError, match=f"account {owner.number}"):
        start_account(premise=premise, customer=tenant, start_date=date(2026, 12, 1))
    new = start_account(
        premise=premise, customer=tenant, start_date=date(2026, 12, 1), stop_current_account=True
    )
    owner.refresh_from_db()
    assert owner.status == AccountStatus.FINAL and owner.end_date == date(2026, 12, 1)
    assert new.status == AccountStatus.PENDING
    assert list(premise.accounts.order_by("start_date")) == [owner, new]


def test_start_before_a_final_account_ends_is_refused(start_account, premise_factory, css1, customer_factory):
    premise = premise_factory()
    old = start_account(premise=premise, start_date=date(2025, 1, 1))
    services.service_stop(
        actor=css1, account=old, stop_date=date(2026, 12, 15),
        forwarding={"street": "1 A St", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    with pytest.raises(services.CustomerError, match="until 12/15/2026"):
        start_account(premise=premise, customer=customer_factory(name="Next"), start_date=date(2026, 12, 10))
    assert start_account(
        premise=premise, customer=customer_factory(name="Next"), start_date=date(2026, 12, 15)
    )


def test_transfer_moves_the_customer_and_the_deposit(start_account, premise_factory, css1):
    app = services.Application(
        **{**ACCEPTABLE.__dict__, "credit_decision": "deposit", "deposit_required": True}
    )
    old = start_account(application=app, start_date=date(2025, 6, 1))
    destination = premise_factory(street="7000 Sunfair Rd")
    new = services.service_transfer(
        actor=css1, account=old, new_premise=destination, transfer_date=date(2026, 12, 1),
        occupancy_type="owner", relationship="owner",
    )  # fmt: skip
    old.refresh_from_db()
    assert (old.status, old.end_date) == (AccountStatus.FINAL, date(2026, 12, 1))
    assert old.forwarding_street == "100 Sunburst Ave"  # the customer's mailing address
    assert new.customer_id == old.customer_id and new.premise == destination
    assert (new.status, new.start_date) == (AccountStatus.PENDING, date(2026, 12, 1))
    assert new.deposit_amount == Decimal("200.00") and new.setup_fee_amount == Decimal("0.00")
    assert new.identity_method == "existing"
    out = ServiceEvent.objects.get(account=old, kind="transfer_out")
    into = ServiceEvent.objects.get(account=new, kind="transfer_in")
    assert out.related_account == new and into.related_account == old


def test_transfer_refusals(start_account, premise_factory, css1):
    account = start_account(start_date=date(2025, 6, 1))
    occupied = start_account(start_date=date(2025, 6, 1)).premise
    with pytest.raises(services.CustomerError, match="is in service to"):
        services.service_transfer(
            actor=css1, account=account, new_premise=occupied, transfer_date=date(2026, 12, 1),
            occupancy_type="owner", relationship="owner",
        )  # fmt: skip
    with pytest.raises(services.CustomerError, match="already has"):
        services.service_transfer(
            actor=css1, account=account, new_premise=account.premise, transfer_date=date(2026, 12, 1),
            occupancy_type="owner", relationship="owner",
        )  # fmt: skip
    with pytest.raises(services.CustomerError, match="on or after"):
        services.service_transfer(
            actor=css1, account=account, new_premise=premise_factory(), transfer_date=date(2025, 5, 1),
            occupancy_type="owner", relationship="owner",
        )  # fmt: skip
    account.refresh_from_db()
    assert account.status == AccountStatus.PENDING and Account.objects.count() == 2


def test_stop_records_the_date_and_forwarding_address(start_account, css1):
    account = start_account(start_date=date(2025, 6, 1))
    stopped = services.service_stop(
        actor=css1, account=account, stop_date=date(2026, 12, 4),
        forwarding={"street": "455 Ocean Ave", "unit": "Apt 3", "city": "Santa Monica", "state": "CA", "zip": "90402"},
        reason="Moving to the coast",
    )  # fmt: skip
    stopped.refresh_from_db()
    assert (stopped.status, stopped.end_date) == (AccountStatus.FINAL, date(2026, 12, 4))
    assert stopped.forwarding_address == "455 Ocean Ave Apt 3, Santa Monica, CA 90402"
    audit = AuditEvent.objects.get(action="account.stop")
    assert audit.changes["status"] == ["pending", "final"] and audit.reason == "Moving to the coast"


def test_stop_refusals(start_account, css1):
    account = start_account(start_date=date(2025, 6, 1))
    forwarding = {"street": "1 A St", "city": "Yucca Valley", "state": "CA", "zip": "92284"}
    with pytest.raises(services.CustomerError, match="missing: street, city, state, zip"):
        services.service_stop(actor=css1, account=account, stop_date=date(2026, 12, 4), forwarding={})
    with pytest.raises(services.CustomerError, match="stop on or after"):
        services.service_stop(actor=css1, account=account, stop_date=date(2025, 5, 1), forwarding=forwarding)
    services.service_stop(actor=css1, account=account, stop_date=date(2026, 12, 4), forwarding=forwarding)
    with pytest.raises(services.CustomerError, match="already final"):
        services.service_stop(actor=css1, account=account, stop_date=date(2026, 12, 5), forwarding=forwarding)


def test_roles_without_the_permission_are_refused_by_the_service(
    make_user, premise_factory, customer_factory
):
    cashier = make_user(roles.CASHIER)
    with pytest.raises(PermissionDenied):
        services.service_start(
            actor=cashier, customer=customer_factory(), premise=premise_factory(), start_date=date(2026, 12, 1),
            application=ACCEPTABLE,
        )  # fmt: skip
    assert not Account.objects.exists()


def test_only_a_lead_places_a_shutoff_hold(start_account, css1, css2):
    account = start_account()
    with pytest.raises(PermissionDenied):
        services.flag_add(
            actor=css1, account=account, kind="shutoff_hold", starts_on=date(2026, 11, 26), expires_on=None,
            reason="Bill dispute under review",
        )  # fmt: skip
    flag = services.flag_add(
        actor=css2, account=account, kind="shutoff_hold", starts_on=date(2026, 11, 26), expires_on=None,
        reason="Bill dispute under review",
    )  # fmt: skip
    assert flag.is_in_force(date(2027, 6, 1))
    services.flag_end(actor=css2, flag=flag, on=date(2026, 12, 10), reason="Dispute resolved")
    flag.refresh_from_db()
    assert flag.is_in_force(date(2026, 12, 10)) and not flag.is_in_force(date(2026, 12, 11))
    trail = AuditEvent.objects.filter(account_id=account.pk, object_type__startswith="customers.").order_by(
        "id"
    )
    assert [e.action for e in trail] == [
        "account.start", "flag.add", "flag.end",
    ]  # fmt: skip


def test_flag_refusals(start_account, css1):
    account = start_account()
    with pytest.raises(services.CustomerError, match="reason"):
        services.flag_add(actor=css1, account=account, kind="medical", starts_on=date(2026, 11, 1),
                          expires_on=None, reason=" ")  # fmt: skip
    with pytest.raises(services.CustomerError, match="expire before"):
        services.flag_add(actor=css1, account=account, kind="medical", starts_on=date(2026, 11, 1),
                          expires_on=date(2026, 10, 1), reason="Dr. Patel, certified")  # fmt: skip
    flag = services.flag_add(actor=css1, account=account, kind="medical", starts_on=date(2026, 11, 1),
                             expires_on=date(2027, 4, 30), reason="Dr. Patel, certified")  # fmt: skip
    with pytest.raises(services.CustomerError, match="cannot end before"):
        services.flag_end(actor=css1, flag=flag, on=date(2026, 10, 1), reason="mistake")


def test_contact_log(start_account, css1):
    account = start_account()
    entry = services.contact_log_add(
        actor=css1, account=account, channel="phone", subject="High bill question", note="Explained tiers"
    )
    assert ContactEntry.objects.get(pk=entry.pk).created_by == css1
    with pytest.raises(services.CustomerError, match="subject"):
        services.contact_log_add(actor=css1, account=account, channel="phone", subject="  ")
    with pytest.raises(services.CustomerError, match="channel"):
        services.contact_log_add(actor=css1, account=account, channel="telegram", subject="Hi")
    assert ContactEntry.objects.count() == 1


def test_customer_update_keeps_search_text_and_audits(start_account, css1):
    account = start_account()
    services.customer_update(
        actor=css1, customer=account.customer, phone="(760) 555-0199", reason="New cell number"
    )
    account.refresh_from_db()
    assert "7605550199" in account.search_text and "7603661234" not in account.search_text
    audit = AuditEvent.objects.get(action="customer.update")
    assert audit.changes == {"phone": ["(760) 366-1234", "(760) 555-0199"]}
    assert audit.account_id == account.pk and audit.reason == "New cell number"


def test_customer_update_refuses_paperless_without_email(start_account, css1):
    account = start_account()
    with pytest.raises(services.CustomerError, match="paperless"):
        services.customer_update(actor=css1, customer=account.customer, paperless=True)
    assert Customer.objects.get(pk=account.customer_id).paperless is False
