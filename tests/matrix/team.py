"""The team page, the home page's queue refresh, the dashboard and the help pages (cistern/core/views_team.py,
views_help.py; cistern/reports/views_dashboard.py)."""

PAGES = {
    "home_queues": None,  # the home page's queue list (htmx fragment): every signed-in person's own
    "team": "core.view_team",
    "reports:dashboard": "core.view_dashboard",
    "help_index": None,
    "help_topic": None,
    "help_for": None,  # the topic of the page named
}
POSTS = {
    # A kind of work not registered (a stale page): refused with a message, 302 back to the team page.
    "team_reassign": (
        "core.view_team",
        {"kind": "matrix_gone", "item_id": "1", "to_user": "1", "reason": "Matrix"},
    ),
}


def build(world):
    return {}


def url(name, world):
    return {
        "home_queues": "/home/queues/",
        "team": "/team/",
        "team_reassign": "/team/reassign/",
        "reports:dashboard": "/reports/dashboard/",
        "help_index": "/help/",
        "help_topic": "/help/counter-payments/",
        "help_for": "/help/for/home/",
    }[name]
