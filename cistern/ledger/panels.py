"""The account page's ledger panel: balance, aging and the receivable lines (see core/panels.py)."""

from cistern.core import clock, panels

from . import aging, selectors


def _ledger(account, request):
    today = clock.today()
    lines = selectors.receivable_lines(account.pk)  # one query for the balance, its aging and the lines
    moves = selectors.movements(lines)
    return {
        "balance": sum((m.amount for m in moves), aging.ZERO),
        "aging": aging.aging(moves, today),
        "buckets": [(key, aging.LABELS[key]) for key in aging.BUCKETS],
        "lines": selectors.running_balances(lines),
    }


def register_all() -> None:
    panels.register(
        panels.AccountPanel(
            key="ledger", title="Balance and ledger", template="ledger/_ledger_panel.html",
            permission="ledger.view_journalentry", context=_ledger,
        )
    )  # fmt: skip
