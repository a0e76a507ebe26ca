from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cistern.core import clock
from cistern.core.money import money
from cistern.core.panels import panels_for
from cistern.core.selectors import district_calendar, district_settings

from . import selectors, services, starting
from .account_number import InvalidAccountNumber
from .forms import (
    ContactEntryForm,
    CustomerForm,
    FlagEndForm,
    FlagForm,
    RelationshipCorrectionForm,
    StartServiceForm,
    StopServiceForm,
    TransferServiceForm,
)
from .models import (
    Account,
    AccountFlag,
    AccountRelationship,
    CreditDecision,
    Customer,
    IdentityMethod,
    OccupancyType,
    Premise,
)
from .summary import account_summary


def _account_or_404(number: str) -> Account:
    try:
        return selectors.account_get(number)
    except (InvalidAccountNumber, Account.DoesNotExist):
        raise Http404(f"No account {number}") from None


@permission_required("customers.view_account", raise_exception=True)
def account_page(request, number):
    try:
        account = selectors.account_page(number)
    except (InvalidAccountNumber, Account.DoesNotExist):
        raise Http404(f"No account {number}") from None
    today = clock.today()
    panels = [(panel, panel.context(account, request)) for panel in panels_for(request.user)]
    return render(
        request,
        "customers/account.html",
        {
            "account": account,
            "customer": account.customer,
            "premise": account.premise,
            "summary": account_summary(account, request.user, today),
            "panels": panels,
            "contact_form": ContactEntryForm(),
            "today": today,
        },
    )


@require_POST
@permission_required("customers.add_contactentry", raise_exception=True)
def contact_add(request, number):
    account = _account_or_404(number)
    form = ContactEntryForm(request.POST)
    if form.is_valid():
        try:
            services.contact_log_add(actor=request.user, account=account, **form.cleaned_data)
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            form = ContactEntryForm()
    if request.headers.get("HX-Request"):
        contacts = selectors.recent_contacts(account)
        context = {"contacts": contacts, "contact_form": form}
        return render(
            request, "customers/_contact_panel.html", {"account": account, "panel_context": context}
        )
    if form.errors:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, "Contact logged.")
    return redirect("customers:account", account.number)


@permission_required("customers.change_customer", raise_exception=True)
def customer_edit(request, number):
    account = _account_or_404(number)
    customer = account.customer
    form = CustomerForm(request.POST or None, instance=Customer.objects.get(pk=customer.pk))
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            services.customer_update(
                actor=request.user, customer=customer, reason=form.cleaned_data["reason"], **values
            )
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Customer details saved.")
            return redirect("customers:account", account.number)
    return render(request, "customers/customer_edit.html", {"account": account, "form": form})


@permission_required("customers.start_service", raise_exception=True)
def premise_lookup(request):
    query = (request.GET.get("premise_q") or request.GET.get("q", "")).strip()
    field = request.GET.get("field", "premise")
    premises = []
    if len(query) >= 2:
        premises = list(
            Premise.objects.filter(street__icontains=query).prefetch_related("accounts__customer")[:15]
        )
    return render(request, "customers/_premise_lookup.html", {"premises": premises, "field": field})


@permission_required("customers.start_service", raise_exception=True)
def start_service(request):
    """Start service in two steps: the form, then a review of everything the start will record and post
    (customer, premise, relationship, occupancy, date, deposit and fees) before the account opens. A start
    date the office is closed is warned about on the review; the clerk accepts it to go on."""
    initial = {}
    customer = premise = None
    if "customer" in request.GET:
        customer = get_object_or_404(Customer, pk=_int_or_404(request.GET["customer"]))
        initial["customer"] = customer.pk
    if "premise" in request.GET:
        premise = get_object_or_404(Premise, pk=_int_or_404(request.GET["premise"]))
        initial["premise"] = premise.pk
    form = StartServiceForm(request.POST or None, initial=initial)
    debts = None
    if request.method == "POST":
        step = request.POST.get("step", "review")
        if form.is_valid():
            data = form.cleaned_data
            review = _start_review(data)
            if step == "confirm":
                accepted = request.POST.get("accept_closed_day") == "1"
                if review["closed_day"] and not accepted:
                    review["accept_error"] = (
                        "Tick the box to start on a day the office is closed, or change the date."
                    )
                    return _render_review(request, form, review)
                try:
                    account = _start_from_form(request.user, data)
                except services.BadDebtRefused as exc:
                    debts = exc.debts
                    form.add_error(None, str(exc))
                except services.CustomerError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, f"Account {account.number} opened (pending turn-on).")
                    return redirect("customers:account", account.number)
            elif step == "review":
                return _render_review(request, form, review)
        # is_valid() has run: cleaned_data holds the fields that were valid.
        customer = form.cleaned_data.get("customer") or customer
        premise = form.cleaned_data.get("premise") or premise
    open_here = selectors.open_account_at(premise) if premise is not None else None
    return render(
        request,
        "customers/start_service.html",
        {
            "form": form, "customer": customer, "premise": premise, "open_here": open_here, "debts": debts,
            "default_relationship": _default_relationship_text(premise),
        },
    )  # fmt: skip


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404("No such record") from None


def _default_relationship_text(premise) -> str:
    if premise is None:
        return ""
    relationship = starting.default_relationship(premise.occupancy_type)
    occupancy = OccupancyType(premise.occupancy_type).label.lower()
    if relationship is None:
        return f"This address is {occupancy}: choose owner or tenant."
    return f"This address is {occupancy}: the account defaults to {AccountRelationship(relationship).label.lower()}."


def _start_review(data) -> dict:
    """What the review step shows: everything the start records, the charges it posts, and its warnings."""
    premise, customer = data["premise"], data["customer"]
    district = district_settings()
    deposit = money(district.guarantee_deposit) if data["deposit_required"] else money(0)
    setup_fee = money(district.account_setup_fee) if data["charge_setup_fee"] else money(0)
    relationship_default = starting.default_relationship(premise.occupancy_type)
    customer_fields = {name: data[name] for name in services.CUSTOMER_FIELDS}
    mailing = (
        customer.mailing_address
        if customer is not None
        else (
            f"{data['mailing_street']}{' ' + data['mailing_unit'] if data['mailing_unit'] else ''}, "
            f"{data['mailing_city']}, {data['mailing_state'] or 'CA'} {data['mailing_zip']}"
            if data["mailing_street"]
            else f"Same as the service address: {premise.service_address} {premise.zip_code}"
        )
    )
    return {
        "customer": customer,
        "new_customer": customer_fields if customer is None else None,
        "mailing": mailing,
        "premise": premise,
        "open_here": selectors.open_account_at(premise),
        "stop_current_account": data["stop_current_account"],
        "relationship": AccountRelationship(data["relationship"]).label,
        "relationship_from_premise": data["relationship"] == relationship_default,
        "occupancy": OccupancyType(data["occupancy_type"]).label,
        "occupancy_from_premise": data["occupancy_type"] == premise.occupancy_type,
        "premise_occupancy": OccupancyType(premise.occupancy_type).label,
        "start_date": data["start_date"],
        "closed_day": starting.closed_day_warning(data["start_date"], district_calendar()),
        "identity_method": IdentityMethod(data["identity_method"]).label,
        "credit_decision": CreditDecision(data["credit_decision"]).label,
        "deposit": deposit,
        "deposit_waived_reason": data["deposit_waived_reason"] if not data["deposit_required"] else "",
        "setup_fee": setup_fee,
        "charges": money(deposit + setup_fee),
        "note": data["reason"],
        "debts": services.unpaid_closed_debts(customer) if customer is not None else [],
    }


def _render_review(request, form, review):
    return render(request, "customers/start_service_review.html", {"form": form, **review})


def _start_from_form(actor, data) -> Account:
    application = services.Application(
        relationship=data["relationship"], occupancy_type=data["occupancy_type"],
        identity_method=data["identity_method"], credit_decision=data["credit_decision"],
        deposit_required=data["deposit_required"], deposit_waived_reason=data["deposit_waived_reason"],
        charge_setup_fee=data["charge_setup_fee"],
    )  # fmt: skip
    start = {
        "premise": data["premise"], "start_date": data["start_date"], "application": application,
        "stop_current_account": data["stop_current_account"], "reason": data["reason"],
    }  # fmt: skip
    if data["customer"] is not None:
        return services.service_start(actor=actor, customer=data["customer"], **start)
    customer_fields = {name: data[name] for name in services.CUSTOMER_FIELDS}
    return services.service_start_new_customer(actor=actor, customer_fields=customer_fields, **start)


@permission_required("customers.transfer_service", raise_exception=True)
def transfer_service(request, number):
    account = _account_or_404(number)
    # Relationship and occupancy default from the new address (starting.py), not from the old account.
    form = TransferServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.service_transfer(actor=request.user, account=account, **form.cleaned_data)
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Service transferred: new account {new.number}.")
            return redirect("customers:account", new.number)
    return render(request, "customers/transfer_service.html", {"account": account, "form": form})


@permission_required("customers.stop_service", raise_exception=True)
def stop_service(request, number):
    account = _account_or_404(number)
    c = account.customer
    initial = {"state": "CA"}
    # A mailing address elsewhere is the likely forwarding address; mail sent to the address being
    # stopped would not reach the customer, so then the clerk must ask for the new one.
    if (c.mailing_street, c.mailing_unit) != (account.premise.street, account.premise.unit):
        initial = {
            "street": c.mailing_street, "unit": c.mailing_unit, "city": c.mailing_city, "state": c.mailing_state,
            "zip": c.mailing_zip,
        }  # fmt: skip
    form = StopServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        forwarding = {k: data[k] for k in ("street", "unit", "city", "state", "zip")}
        try:
            services.service_stop(
                actor=request.user, account=account, stop_date=data["stop_date"], forwarding=forwarding,
                reason=data["reason"],
            )  # fmt: skip
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Service stops {data['stop_date']:%m/%d/%Y}.")
            return redirect("customers:account", account.number)
    return render(request, "customers/stop_service.html", {"account": account, "form": form})


@permission_required("customers.add_accountflag", raise_exception=True)
def flag_add(request, number):
    account = _account_or_404(number)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_add(actor=request.user, account=account, **form.cleaned_data)
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error("kind", "Only a lead or supervisor may place a do-not-shut-off hold.")
        else:
            messages.success(request, "Flag added.")
            return redirect("customers:account", account.number)
    return render(request, "customers/flag_form.html", {"account": account, "form": form})


@permission_required("customers.change_accountflag", raise_exception=True)
def flag_end(request, number, flag_id):
    account = _account_or_404(number)
    flag = get_object_or_404(AccountFlag, pk=flag_id, account=account)
    form = FlagEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_end(actor=request.user, flag=flag, **form.cleaned_data)
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, "Only a lead or supervisor may end a do-not-shut-off hold.")
        else:
            messages.success(request, "Flag ended.")
            return redirect("customers:account", account.number)
    return render(request, "customers/flag_end.html", {"account": account, "flag": flag, "form": form})


@permission_required("customers.start_service", raise_exception=True)
def relationship_correct(request, number):
    """Correct the relationship (owner, tenant) and occupancy recorded at the start, with a reason (audited)."""
    account = _account_or_404(number)
    form = RelationshipCorrectionForm(
        request.POST or None,
        initial={"relationship": account.relationship, "occupancy_type": account.occupancy_type},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_correct_relationship(actor=request.user, account=account, **form.cleaned_data)
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Relationship and occupancy corrected.")
            return redirect("customers:account", account.number)
    return render(
        request,
        "customers/relationship_correct.html",
        {
            "account": account,
            "form": form,
            "default_relationship": _default_relationship_text(account.premise),
        },
    )
