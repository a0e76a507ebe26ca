"""Payments and the bank: deposits of audited drawers and their slips, returned checks and their letters,
refunds (asked, decided, exported for accounts payable)."""

PAGES = {
    "payments:deposits": "payments.view_bankdeposit",
    "payments:deposit": "payments.view_bankdeposit",
    "payments:deposit_slip": "payments.view_bankdeposit",
    "payments:returns": "payments.view_payment",
    "payments:return_new": "payments.record_return",
    "payments:return": "payments.view_payment",
    "payments:return_letter": "payments.view_payment",
    "payments:refunds": "payments.view_refund",
    "payments:refund_new": "payments.add_refund",
    "payments:refund_exports": "payments.export_refunds",
    "payments:refund_export_file": "payments.export_refunds",
}
# A permitted POST redirects; a refusal of the services (nothing to export) comes back as a message. Dates are
# filled in by url() (the district's today). The refund is asked before the second return uses the credit.
POSTS = {
    "payments:refund_new": (
        "payments.add_refund",
        {"amount": "1.00", "payee": "Matrix", "mailing_address": "1 Main St", "reason": "Matrix"},
    ),
    "payments:deposit_new": ("payments.prepare_deposit", {"sessions": "", "deposit_date": ""}),
    "payments:return_new": ("payments.record_return", {"returned_on": "", "reason": "Insufficient funds"}),
    "payments:refund_decide": ("payments.approve_refund", {"decision": "reject", "note": "Matrix"}),
    "payments:refund_export": ("payments.export_refunds", {}),
}


def build(world):
    """An account paid by check in two audited drawers of a cashier of its own: the first drawer deposited
    and one of its checks returned, the second waiting for the bank; a refund exported, another waiting."""
    from decimal import Decimal as D

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cistern.core import clock, roles
    from cistern.customers import services as customers
    from cistern.customers.models import Customer, Premise
    from cistern.demo.rates import load_rates
    from cistern.payments import bank, drawer
    from cistern.payments import services as payments
    from cistern.payments.models import Refund
    from tests.conftest import ACCEPTABLE

    load_rates()
    users = get_user_model().objects

    def user(name, role):
        made = users.create_user(name, password=None)
        made.groups.add(Group.objects.get(name=role))
        return users.get(pk=made.pk)

    lead, cashier = world["user"], user("matrix_bank_cashier", roles.CASHIER)
    supervisor = user("matrix_bank_supervisor", roles.SUPERVISOR)
    customer = Customer.objects.create(
        name="Bank Matrix", mailing_street="1 Main St", mailing_city="Joshua Tree", mailing_zip="92252"
    )
    premise = Premise.objects.create(
        street="9 Bank St", city="Joshua Tree", zip_code="92252", parcel_number="0601-999-01-0000", zone="Zone 1",
        occupancy_type="owner",
    )  # fmt: skip
    account = customers.service_start(
        actor=lead,
        customer=customer,
        premise=premise,
        start_date=world["account"].start_date,
        application=ACCEPTABLE,
    )

    def drawer_day(amounts):
        session = payments.drawer_open(actor=cashier, drawer_name="Matrix bank", opening_float=D("100.00"))
        paid = []
        for n, amount in enumerate(amounts):
            request = payments.PaymentRequest(
                channel="counter", parts=[(account, D(amount))],
                tenders=[payments.Tender("check", D(amount), check_number=f"90{n}")],
            )  # fmt: skip
            paid.append(payments.payment_post(actor=cashier, session=session, request=request)[0])
        count = drawer.BlindCount(bills={100: 1}, checks=tuple(D(a) for a in amounts))
        session = payments.drawer_close(actor=cashier, session=session, count=count)
        return payments.drawer_audit(actor=lead, session=session), paid

    deposited, (first, second) = drawer_day(["5.00", "6.00"])
    deposit = bank.deposit_prepare(actor=lead, sessions=[deposited])
    returned = bank.payment_return(
        actor=lead, payment=first, returned_on=clock.today(), reason="Insufficient funds"
    )
    waiting, _ = drawer_day(["50.00"])
    exported = bank.refund_request(actor=lead, account=account, amount=D("1.00"), reason="Matrix")
    bank.refund_decide(actor=supervisor, refund=exported, approve=True)
    batch, _, _ = bank.refunds_export(actor=supervisor)
    pending = Refund.objects.create(
        account=world["account"], amount=D("2.00"), payee="Matrix", mailing_address="1 Main St", reason="Matrix",
        requested_by=lead,
    )  # fmt: skip
    return {
        "bank_account": account, "bank_deposit": deposit, "bank_waiting_drawer": waiting, "bank_return": returned,
        "bank_to_return": second, "bank_refund": pending, "bank_batch": batch,
    }  # fmt: skip


def url(name, world):
    from cistern.core import clock

    today = clock.today().isoformat()
    POSTS["payments:deposit_new"][1].update(sessions=str(world["bank_waiting_drawer"].pk), deposit_date=today)
    POSTS["payments:return_new"][1].update(returned_on=today, payment=str(world["bank_to_return"].pk))
    deposit, returned = world["bank_deposit"].pk, world["bank_return"].pk
    return {
        "payments:deposits": "/payments/deposits/",
        "payments:deposit_new": "/payments/deposits/new/",
        "payments:deposit": f"/payments/deposits/{deposit}/",
        "payments:deposit_slip": f"/payments/deposits/{deposit}/slip.pdf",
        "payments:returns": "/payments/returns/",
        "payments:return_new": f"/payments/returns/new/?payment={world['bank_to_return'].pk}",
        "payments:return": f"/payments/returns/{returned}/",
        "payments:return_letter": f"/payments/returns/{returned}/letter.pdf",
        "payments:refunds": "/payments/refunds/",
        "payments:refund_new": f"/payments/refunds/new/{world['bank_account'].number}/",
        "payments:refund_decide": f"/payments/refunds/{world['bank_refund'].pk}/decide/",
        "payments:refund_exports": "/payments/refunds/export/",
        "payments:refund_export": "/payments/refunds/export/run/",
        "payments:refund_export_file": f"/payments/refunds/export/{world['bank_batch']}.csv",
    }[name]
