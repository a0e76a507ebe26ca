"""The account-page panels the customers app owns (see core/panels.py for the page's layout)."""

from cistern.core import clock, panels
from cistern.core.selectors import audit_for_account

from . import selectors
from .forms import ContactEntryForm


def _flags(account, request):
    today = clock.today()
    flags = list(account.flags.all())
    return {"flags": flags, "in_force": {f.pk for f in flags if f.is_in_force(today)}}


def _contacts(account, request):
    return {"contacts": selectors.recent_contacts(account), "contact_form": ContactEntryForm()}


def _service_history(account, request):
    return {"events": account.service_events.all(), "customer_accounts": selectors.customer_accounts(account)}


def _premise_history(account, request):
    return {"premise_accounts": selectors.premise_history(account)}


def _audit(account, request):
    return {"events": audit_for_account(account.pk)}


def register_all() -> None:
    for key, title, template, permission, context in [
        ("flags", "Flags", "customers/_flags_panel.html", "customers.view_accountflag", _flags),
        ("contacts", "Contact log", "customers/_contact_panel.html", "customers.view_contactentry", _contacts),
        ("service_history", "Service history", "customers/_service_history_panel.html",
         "customers.view_account", _service_history),
        ("premise_history", "At this address", "customers/_premise_history_panel.html",
         "customers.view_premise", _premise_history),
        ("audit", "Audit trail", "customers/_audit_panel.html", "core.view_auditevent", _audit),
    ]:  # fmt: skip
        panels.register(
            panels.AccountPanel(
                key=key, title=title, template=template, permission=permission, context=context
            )
        )
