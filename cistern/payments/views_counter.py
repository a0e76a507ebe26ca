"""The counter's pages: open a drawer, take payments (10-key), void, the X report, the blind-count close, the
lead's audit, a payment's page with its receipt and the lead's reversal. Thin: the services decide."""

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cistern.core import badinput
from cistern.core.money import ZERO
from cistern.core.selectors import district_settings
from cistern.customers.account_number import normalize

from . import drawer, receipts, selectors, services
from .amounts import AmountError, parse_amount
from .forms_counter import (
    ERROR_FIELDS,
    BlindCountForm,
    NoteForm,
    OpenDrawerForm,
    PaymentForm,
    ReasonForm,
    denomination_label,
)
from .models import DrawerSession, DrawerStatus, Payment, PaymentStatus, TenderKind

COUNTER_TEMPLATE = "payments/counter/counter.html"


def _error_field(form, exc: services.PaymentError) -> str | None:
    name = ERROR_FIELDS.get(exc.field, exc.field)
    return name if name in form.fields else None


def _prefill(query) -> dict:
    """?account=NNN&amount=411.72 from another page (start service's "pay first"): what of it fits the form."""
    initial = {}
    account = normalize((query.get("account") or "").strip())
    if account.isascii() and account.isdigit() and len(account) <= 20:
        initial["account"] = account
    with contextlib.suppress(AmountError):  # an amount that does not parse is left for the cashier to type
        initial["amount"] = f"{parse_amount(query.get('amount') or ''):.2f}"
    return initial


def _posted(request, session: DrawerSession):
    """The payment just posted (?posted=id), shown at the top of the counter; only one of this drawer."""
    if "posted" not in request.GET:
        return None
    payment_id = badinput.query_id(request.GET["posted"], name="posted")
    payment = selectors.payment_detail(payment_id)
    return payment if payment is not None and payment.session_id == session.pk else None


def _counter_page(request, *, session=None, form=None, open_form=None, status=200):
    context = {"session": session, "district": district_settings()}
    if session is None:
        context["open_form"] = open_form or OpenDrawerForm(
            initial={"drawer": "Counter 1", "opening_float": district_settings().standard_float}
        )
    else:
        context.update(
            form=form or PaymentForm(initial=_prefill(request.GET)),
            payments=selectors.session_payments(session),
            posted=_posted(request, session) if request.method == "GET" else None,
            void_form=ReasonForm(),
        )
    return render(request, COUNTER_TEMPLATE, context, status=status)


@permission_required("payments.use_drawer", raise_exception=True)
def counter(request):
    """No open drawer: the form to open one. Else the payment entry: account, Tab, amount, Enter posts cash."""
    session = services.open_session_of(request.user)
    if request.method != "POST":
        return _counter_page(request, session=session)
    if session is None:
        messages.error(
            request, "Your drawer is not open (closed in another window?): open one to take payments."
        )
        return redirect("payments:counter")
    form = PaymentForm(request.POST)
    if form.is_valid():
        payment_request = form.payment_request()
        try:
            payment, _ = services.payment_post(actor=request.user, session=session, request=payment_request)
        except services.IdempotencyConflict:
            # This page was posted once already (its answer lost, then the form changed): never post it twice.
            payment = Payment.objects.get(idempotency_key=payment_request.idempotency_key)
            messages.warning(
                request, f"This form was already posted as {payment.receipt_number}: the counter is ready for the "
                "next payment. Void that one if it was wrong.",
            )  # fmt: skip
            return redirect(f"{reverse('payments:counter')}?posted={payment.pk}")
        except services.PaymentError as e:
            form.add_error(_error_field(form, e), str(e))
        else:
            return redirect(f"{reverse('payments:counter')}?posted={payment.pk}")
    return _counter_page(request, session=session, form=form)


@require_POST
@permission_required("payments.use_drawer", raise_exception=True)
def drawer_open(request):
    form = OpenDrawerForm(request.POST)
    if form.is_valid():
        try:
            session = services.drawer_open(
                actor=request.user, drawer_name=form.cleaned_data["drawer"],
                opening_float=form.cleaned_data["opening_float"],
            )  # fmt: skip
        except services.PaymentError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(
                request, f"{session.drawer} is open with a float of ${session.opening_float:,.2f}."
            )
            return redirect("payments:counter")
    session = services.open_session_of(request.user)
    if session is not None:  # opened meanwhile (another window): the counter, with why this form was refused
        messages.error(
            request, " ".join(str(e) for e in form.non_field_errors()) or "Your drawer is already open."
        )
        return redirect("payments:counter")
    return _counter_page(request, open_form=form)


def _payment(payment_id) -> Payment:
    payment = selectors.payment_detail(payment_id)
    if payment is None:
        raise Http404("No such payment.")
    return payment


@require_POST
@permission_required("payments.use_drawer", raise_exception=True)
def payment_void(request, payment_id):
    payment = _payment(payment_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{payment.receipt_number} is not voided: say why (a reason is required).")
    else:
        try:
            services.payment_void(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
        except (services.PaymentError, PermissionDenied) as e:
            messages.error(request, f"{payment.receipt_number} is not voided: {e}")
        else:
            messages.success(request, f"Payment {payment.receipt_number} (${payment.amount:,.2f}) is voided.")
    if payment.session and payment.session.cashier_id == request.user.pk:
        return redirect("payments:counter")
    return redirect("payments:payment", payment.pk)


def _session(session_id) -> DrawerSession:
    return get_object_or_404(DrawerSession.objects.select_related("cashier", "audited_by"), pk=session_id)


def _may_work(user, session: DrawerSession) -> bool:
    """The drawer's cashier, or a lead: who closes and explains a drawer."""
    return session.cashier_id == user.pk or user.has_perm("payments.audit_drawer")


def _tender_rows(figures: services.DrawerFigures) -> list[tuple[str, object]]:
    return [
        (TenderKind(kind).label, figures.by_tender.get(kind, ZERO)) for kind in services.DRAWER_TENDERS
    ] + [("Card (processor reference)", figures.by_tender.get(TenderKind.CARD, ZERO))]


@permission_required("payments.view_drawersession", raise_exception=True)
def x_report(request, session_id):
    """The mid-shift reading: what the drawer has taken per tender so far; nothing is closed."""
    session = _session(session_id)
    figures = services.drawer_figures(session)
    return render(
        request,
        "payments/counter/x_report.html",
        {
            "session": session, "figures": figures, "tenders": _tender_rows(figures),
            "cash_in_drawer": session.opening_float + figures.expected_cash,
            "voids": selectors.ended_payments(session)[PaymentStatus.VOIDED],
        },
    )  # fmt: skip


@permission_required("payments.use_drawer", raise_exception=True)
def drawer_close(request, session_id):
    """The blind count. Nothing the drawer is expected to hold is on this page: it is shown after the count."""
    session = _session(session_id)
    if session.status != DrawerStatus.OPEN:
        return redirect("payments:drawer", session.pk)
    may_close = _may_work(request.user, session)
    form = BlindCountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.drawer_close(
                actor=request.user, session=session, count=form.blind_count(), note=form.cleaned_data["note"]
            )
        except services.PaymentError as e:
            form.add_error(None, str(e))
        except PermissionDenied as e:
            messages.error(request, str(e))
            return redirect("payments:drawer", session.pk)
        else:
            return redirect("payments:drawer", session.pk)
    return render(
        request, "payments/counter/close.html", {"session": session, "form": form, "may_close": may_close}
    )


@permission_required("payments.view_drawersession", raise_exception=True)
def drawer_detail(request, session_id):
    """A drawer: after the close, expected vs counted per tender and the variance; its payments, voids and
    reversals; the cashier's explanation and the lead's audit."""
    session = _session(session_id)
    user = request.user
    closed = session.status != DrawerStatus.OPEN
    count = session.count or {}
    context = {
        "session": session,
        "closed": closed,
        "payments": selectors.session_payments(session),
        "ended": selectors.ended_payments(session),
        "figures": None if closed else services.drawer_figures(session),
        "own": session.cashier_id == user.pk,
        "can_explain": session.status == DrawerStatus.CLOSED and user.has_perm("payments.use_drawer")
        and _may_work(user, session),
        "can_audit": session.status == DrawerStatus.CLOSED and user.has_perm("payments.audit_drawer")
        and session.cashier_id != user.pk,
        "explain_form": NoteForm(initial={"note": session.variance_note}),
        "audit_form": NoteForm(),
    }  # fmt: skip
    if closed:
        rows = [
            ("Cash (float taken out)", session.expected_cash, session.counted_cash),
            ("Checks and money orders", session.expected_checks, session.counted_checks),
        ]
        context["balance"] = [(label, exp, got, got - exp) for label, exp, got in rows]
        context["bills"] = [(f"${v}", count.get("bills", {}).get(str(v), 0)) for v in drawer.BILLS]
        context["coins"] = [
            (
                denomination_label(v),
                count.get("coins", {}).get(str(v), 0),
                count.get("rolls", {}).get(str(v), 0),
            )
            for v in drawer.COINS
        ]
        context["checks"] = count.get("checks", [])
    return render(request, "payments/counter/drawer.html", context)


@require_POST
@permission_required("payments.use_drawer", raise_exception=True)
def drawer_explain(request, session_id):
    session = _session(session_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.drawer_explain(actor=request.user, session=session, note=form.cleaned_data["note"])
        except (services.PaymentError, PermissionDenied) as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "The explanation is saved.")
    else:
        messages.error(request, "The explanation is at most 300 characters.")
    return redirect("payments:drawer", session.pk)


@permission_required("payments.audit_drawer", raise_exception=True)
def drawer_list(request):
    """For leads: closed drawers waiting for an audit, drawers open now, and the latest audited."""
    return render(
        request,
        "payments/counter/drawers.html",
        {
            "waiting": list(selectors.drawers_waiting()),
            "open": list(selectors.drawers_open()),
            "recent": selectors.drawers_recent(),
        },
    )


@require_POST
@permission_required("payments.audit_drawer", raise_exception=True)
def drawer_audit(request, session_id):
    session = _session(session_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.drawer_audit(actor=request.user, session=session, note=form.cleaned_data["note"])
        except services.PaymentError as e:
            messages.error(request, f"{session.drawer} is not audited: {e}")
        else:
            messages.success(
                request, f"Drawer {session.drawer} of {session.business_day:%m/%d/%Y} is audited."
            )
            return redirect("payments:drawers")
    else:
        messages.error(request, "The audit note is at most 300 characters.")
    return redirect("payments:drawer", session.pk)


@permission_required("payments.view_payment", raise_exception=True)
def payment_detail(request, payment_id):
    payment = _payment(payment_id)
    session = payment.session
    can_reverse = (
        request.user.has_perm("payments.reverse_payment")
        and payment.status == PaymentStatus.POSTED
        and (session is None or session.status != DrawerStatus.OPEN)
    )
    return render(
        request,
        "payments/counter/payment.html",
        {
            "payment": payment, "can_reverse": can_reverse, "reverse_form": ReasonForm(),
            "tenders": [(receipts.tender_label(t), t) for t in payment.tenders.all()],
            "prints": payment.prints.select_related("printed_by"),
        },
    )  # fmt: skip


@require_POST
@permission_required("payments.reverse_payment", raise_exception=True)
def payment_reverse(request, payment_id):
    payment = _payment(payment_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{payment.receipt_number} is not reversed: say why (a reason is required).")
    else:
        try:
            services.payment_reverse(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
        except services.PaymentError as e:
            messages.error(request, f"{payment.receipt_number} is not reversed: {e}")
        else:
            messages.success(
                request, f"Payment {payment.receipt_number} (${payment.amount:,.2f}) is reversed."
            )
    return redirect("payments:payment", payment.pk)


@permission_required("payments.view_payment", raise_exception=True)
def receipt_pdf(request, payment_id):
    """The receipt (?size=80mm, the default, or letter): the first print the original, later ones COPY."""
    payment = _payment(payment_id)
    size = request.GET.get("size") or "80mm"
    if size not in receipts.SIZES:
        raise BadRequest(f"size: {size[:20]!r} is not {' or '.join(receipts.SIZES)}.")
    pdf, printed = receipts.receipt_print(actor=request.user, payment=payment, size=size)
    response = HttpResponse(pdf, content_type="application/pdf")
    copy = "-copy" if printed.copy else ""
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.receipt_number}-{size}{copy}.pdf"'
    response["Cache-Control"] = "no-store"  # each print is recorded: a cached one would not be
    return response
