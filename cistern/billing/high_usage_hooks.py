"""What high usage adds to other pages: the account page's panel (core/panels.py) and the "High usage to call"
queue on the home page (core/queues.py). Registered from the app's ready()."""

from cistern.core import panels, queues

from . import high_usage_selectors

VIEW = "billing.view_highusagenotice"
WORK = "billing.change_highusagenotice"


def _panel(account, request):
    return {"notices": high_usage_selectors.account_notices(account.pk)}


def _count(user):
    """Open notices: the queue is for whoever calls customers (WORK); those who only read see the panel."""
    return high_usage_selectors.open_count()


def register_all() -> None:
    panels.register(
        panels.AccountPanel(
            key="high_usage", title="High usage", template="billing/_high_usage_panel.html", permission=VIEW,
            context=_panel,
        )
    )  # fmt: skip
    queues.register(
        queues.WorkQueue(
            key="high_usage", title="High usage to call", permission=WORK, count=_count,
            url_name="billing:high_usage",
            hint="Bills far above the same period last year: call the customer, offer a leak check.",
        )
    )  # fmt: skip
