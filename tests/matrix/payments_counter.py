"""Payments at the counter: the drawer, payment entry, the X report, the blind-count close, the lead's audit and
reversal, a payment's page and its receipt."""

PAGES = {
    "payments:counter": "payments.use_drawer",
    "payments:drawer_close": "payments.use_drawer",
    "payments:drawers": "payments.audit_drawer",
    "payments:drawer": "payments.view_drawersession",
    "payments:x_report": "payments.view_drawersession",
    "payments:payment": "payments.view_payment",
    "payments:receipt_pdf": "payments.view_payment",
}
# A permitted POST redirects: a refusal the services make (another cashier's drawer, a payment already voided)
# comes back as a message on the page it redirects to.
POSTS = {
    # Before the matrix user opens a drawer: a payment posted then is sent back to open one (302).
    "payments:counter": ("payments.use_drawer", {"account": "10000012", "amount": "100", "tender": "cash"}),
    "payments:drawer_open": ("payments.use_drawer", {"drawer": "Matrix", "opening_float": "100.00"}),
    "payments:payment_void": ("payments.use_drawer", {"reason": "Matrix"}),
    "payments:drawer_close": ("payments.use_drawer", {"bill_1": "1", "checks": ""}),
    "payments:drawer_explain": ("payments.use_drawer", {"note": "Matrix"}),
    "payments:drawer_audit": ("payments.audit_drawer", {"note": "Matrix"}),
    "payments:payment_reverse": ("payments.reverse_payment", {"reason": "Matrix"}),
}


def build(world):
    """A cashier's open drawer with a $1.00 cash payment, and their closed drawer (another $1.00) to audit."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cistern.core import roles
    from cistern.payments import drawer, services

    user = get_user_model().objects.create_user("matrix_drawer_cashier", password=None)
    user.groups.add(Group.objects.get(name=roles.CASHIER))
    user = get_user_model().objects.get(pk=user.pk)
    account = world["account"]

    def pay(session):
        request = services.PaymentRequest(
            channel="counter",
            parts=[(account, Decimal("1.00"))],
            tenders=[services.Tender("cash", Decimal("1.00"))],
        )
        return services.payment_post(actor=user, session=session, request=request)[0]

    closed = services.drawer_open(actor=user, drawer_name="Matrix 1", opening_float=Decimal("0.00"))
    closed_payment = pay(closed)
    closed = services.drawer_close(actor=user, session=closed, count=drawer.BlindCount(bills={1: 1}))
    session = services.drawer_open(actor=user, drawer_name="Matrix 2", opening_float=Decimal("0.00"))
    return {
        "drawer_session": session, "drawer_payment": pay(session), "closed_drawer": closed,
        "closed_payment": closed_payment,
    }  # fmt: skip


def url(name, world):
    session, closed = world["drawer_session"].pk, world["closed_drawer"].pk
    payment, closed_payment = world["drawer_payment"].pk, world["closed_payment"].pk
    return {
        "payments:counter": f"/payments/counter/?account={world['account'].number}&amount=411.72",
        "payments:drawer_open": "/payments/drawers/open/",
        "payments:drawers": "/payments/drawers/",
        "payments:drawer": f"/payments/drawers/{closed}/",
        "payments:x_report": f"/payments/drawers/{session}/x-report/",
        "payments:drawer_close": f"/payments/drawers/{session}/close/",
        "payments:drawer_explain": f"/payments/drawers/{closed}/explain/",
        "payments:drawer_audit": f"/payments/drawers/{closed}/audit/",
        "payments:payment": f"/payments/payments/{closed_payment}/",
        "payments:payment_void": f"/payments/payments/{payment}/void/",
        "payments:payment_reverse": f"/payments/payments/{closed_payment}/reverse/",
        "payments:receipt_pdf": f"/payments/payments/{payment}/receipt.pdf?size=80mm",
    }[name]
