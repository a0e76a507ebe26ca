"""The account page is built from panels that domain apps register: customers gives the contact log,
service history and audit; metering, billing, payments, field work and collections add reads and usage,
bills, payments, orders and notices in their own apps, in the order below, without editing the page."""

from collections.abc import Callable
from dataclasses import dataclass

# Where each panel goes on the account page, top to bottom.
PANEL_ORDER = [
    "flags", "contacts", "reads", "bills", "ledger", "payments", "returns_refunds", "autopay", "orders",
    "notices", "cases", "calls", "assistance", "high_usage", "letters", "service_history", "premise_history", "audit",
]  # fmt: skip


@dataclass(frozen=True)
class AccountPanel:
    key: str
    title: str
    template: str
    permission: str
    context: Callable  # (account, request) -> dict


_panels: dict[str, AccountPanel] = {}


def register(panel: AccountPanel) -> None:
    if panel.key not in PANEL_ORDER:
        raise ValueError(f"Give panel {panel.key!r} a place in PANEL_ORDER")
    _panels[panel.key] = panel


def panels_for(user) -> list[AccountPanel]:
    return [_panels[key] for key in PANEL_ORDER if key in _panels and user.has_perm(_panels[key].permission)]
