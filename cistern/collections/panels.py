"""The account page's "Collections" panel (see core/panels.py): today's decision of the shutoff policy with
its rule trace, the notices, the calls with the script the law asks for, disputes and extensions, payment
arrangements."""

from cistern.core import clock, panels

from . import selectors
from .models import PHONE_OPTIONS, HoldKind


def _collections(account, request):
    today = clock.today()
    return {
        "decision": selectors.decision_for(account, today),
        "notices": selectors.account_notices(account),
        "calls": selectors.account_calls(account),
        "holds": selectors.account_holds(account),
        "arrangements": selectors.account_arrangements(account),
        "phone_options": PHONE_OPTIONS,
        "hold_kinds": HoldKind.choices,
        "today": today,
    }


notices_panel = panels.AccountPanel(
    key="notices", title="Collections", template="collections/_notices_panel.html",
    permission="collections.view_notice", context=_collections,
)  # fmt: skip
