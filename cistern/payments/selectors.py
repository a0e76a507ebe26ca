"""Reads of money in for the counter's pages: a drawer's payments, drawers waiting for a lead, an account's recent
payments. (A drawer's expected figures are services.drawer_figures: the close computes the same numbers.)"""

from django.db.models import Prefetch

from .models import DrawerSession, DrawerStatus, Payment, PaymentPart, PaymentStatus

RECENT_DRAWERS = 30
ACCOUNT_PAYMENTS = 10


def _with_details(payments):
    return payments.select_related("session", "posted_by", "ended_by", "customer").prefetch_related(
        "tenders", Prefetch("parts", queryset=PaymentPart.objects.select_related("account__premise"))
    )


def session_payments(session: DrawerSession) -> list[Payment]:
    """A drawer's payments, newest first, with their tenders and accounts."""
    return list(_with_details(Payment.objects.filter(session=session)).order_by("-posted_at", "-id"))


def payment_detail(payment_id: int) -> Payment | None:
    return _with_details(Payment.objects.filter(pk=payment_id)).first()


def account_payments(account_id: int, limit: int = ACCOUNT_PAYMENTS) -> list[PaymentPart]:
    """What the account's latest payments gave it, newest first (each part with its payment and tenders)."""
    parts = (
        PaymentPart.objects.filter(account_id=account_id)
        .select_related("payment", "payment__session")
        .prefetch_related("payment__tenders")
        .order_by("-payment__posted_at", "-payment_id")
    )
    return list(parts[:limit])


def drawers_waiting(exclude_cashier=None):
    """Closed drawers waiting for a lead's audit, oldest close first (not the lead's own: they cannot audit it)."""
    drawers = DrawerSession.objects.filter(status=DrawerStatus.CLOSED).select_related("cashier")
    if exclude_cashier is not None:
        drawers = drawers.exclude(cashier=exclude_cashier)
    return drawers.order_by("closed_at", "id")


def drawers_open():
    return (
        DrawerSession.objects.filter(status=DrawerStatus.OPEN).select_related("cashier").order_by("opened_at")
    )


def drawers_recent(limit: int = RECENT_DRAWERS) -> list[DrawerSession]:
    """The latest audited drawers, newest first."""
    drawers = DrawerSession.objects.filter(status=DrawerStatus.AUDITED).select_related(
        "cashier", "audited_by"
    )
    return list(drawers.order_by("-audited_at", "-id")[:limit])


def drawers_to_audit_count(user) -> int:
    return drawers_waiting(exclude_cashier=user).count()


def ended_payments(session: DrawerSession) -> dict[str, list[Payment]]:
    """A drawer's voided and reversed payments (with who ended them and why), for its report."""
    ended = _with_details(
        Payment.objects.filter(session=session, status__in=[PaymentStatus.VOIDED, PaymentStatus.REVERSED])
    ).order_by("ended_at", "id")
    found: dict[str, list[Payment]] = {PaymentStatus.VOIDED: [], PaymentStatus.REVERSED: []}
    for payment in ended:
        found[payment.status].append(payment)
    return found
