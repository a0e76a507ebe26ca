"""What autopay adds to the account page: a panel with the enrolment's status, the masked bank account and the
next debit (core/panels.py). Registered from the app's ready()."""

from cistern.core import panels

from . import autopay


def _autopay(account, request):
    current = autopay.current_enrolment(account)
    return {
        "current": current,
        "masked": autopay.masked(current) if current else "",
        "next_debit": autopay.next_debit(current),
    }


def register_all() -> None:
    panels.register(
        panels.AccountPanel(
            key="autopay", title="Autopay", template="payments/autopay/_account_panel.html",
            permission="payments.view_autopayenrolment", context=_autopay,
        )
    )  # fmt: skip
