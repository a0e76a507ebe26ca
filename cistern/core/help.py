"""Help for training: a short how-to page per task area (templates core/help/<slug>.html) and which one each page of
the house opens from its "Help for this page" link (by the page's URL name, else its app's URL namespace, else the
help index). Data only: no ORM, no app imported (core sits below them all)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    summary: str  # one line on the help index

    @property
    def template(self) -> str:
        return f"core/help/{self.slug}.html"


TOPICS = [
    Topic("home-and-team", "Your home page and the team page",
          "What waits for you, finding an account, and (leads) handing a colleague's work on."),
    Topic("counter-payments", "The counter and payments",
          "Open a drawer, take a payment, void, close and balance; deposits, returned checks, lockbox suspense."),
    Topic("service", "Start, transfer and stop service",
          "Open an account for a new customer, move a customer, close an account with a forwarding address."),
    Topic("read-exceptions", "Read exceptions",
          "Review held reads: accept, reject, estimate or send a re-read; import a route's reads."),
    Topic("bill-runs", "Bill runs", "Calculate a trial run, check its exceptions, approve, post; accounts not billed."),
    Topic("adjustments", "Adjustments and approvals",
          "Credit or charge an account with a reason; approve what is over a clerk's limit."),
    Topic("collections", "Collections and lock-offs",
          "The daily run, notices and calls, arrangements, the lock-off list, write-offs and the agency."),
    Topic("leak-relief", "Leak relief", "Take a leak relief application and decide it rule by rule."),
    Topic("letters", "Letters", "Write a letter or memo, print the day's letters, returned mail, the forms library."),
    Topic("field-orders", "Field orders",
          "Create, schedule and dispatch service orders; the board, the technician's day, follow-ups."),
    Topic("front-desk", "The front desk: calls, cases, visitors, radio",
          "Log a call, open and work a case, sign visitors in and out, keep the radio log."),
    Topic("calendar", "The calendar and coverage",
          "The team schedule, events, the week's coverage, leave and lunches, feeds, the office checklist."),
    Topic("reports", "Reports and the dashboard", "Run a report, download it, and read the dashboard."),
    Topic("conversion", "Converting from the previous system",
          "Upload the conversion folder, dry run it against the legacy trial balance, convert; parallel bills."),
    Topic("district-settings", "District settings",
          "The district's details and rules, closure days, holidays, suspensions of collections."),
]  # fmt: skip
BY_SLUG = {topic.slug: topic for topic in TOPICS}

# The app's topic, by URL namespace (every namespace of the project: tests/core/test_help.py checks).
BY_NAMESPACE = {
    "customers": "service",
    "metering": "read-exceptions",
    "fieldwork": "field-orders",
    "rates": "bill-runs",
    "ledger": "adjustments",
    "billing": "bill-runs",
    "payments": "counter-payments",
    "collections": "collections",
    "assistance": "leak-relief",
    "correspondence": "letters",
    "frontdesk": "front-desk",
    "schedule": "calendar",
    "reports": "reports",
    "conversion": "conversion",
    "parallel": "conversion",
    "admin": "district-settings",  # the rate tables, authority limits and the district's lists
    "api": "",  # machines: the index
}

# A page whose topic is not its app's, and the pages of no namespace (core's), by URL name.
BY_VIEW_NAME = {
    "home": "home-and-team",
    "home_queues": "home-and-team",
    "search": "home-and-team",
    "team": "home-and-team",
    "team_reassign": "home-and-team",
    "user_audit": "district-settings",
    "user_audit_index": "district-settings",
    "district_settings": "district-settings",
    "closure_day_remove": "district-settings",
    "holiday_observed": "district-settings",
    "login": "",
    "logout": "",
    "healthz": "",  # the load balancer's, not a page
    "help_index": "",
    "help_topic": "",
    "help_for": "",
    "ledger:gl_summary": "reports",
    "fieldwork:follow_ups": "field-orders",
    "assistance:apply": "leak-relief",
}


def topic_for(view_name: str) -> Topic | None:
    """The topic of the page named `view_name` ("payments:counter", "home"); None: the help index."""
    slug = BY_VIEW_NAME.get(view_name)
    if slug is None:
        namespace = view_name.rpartition(":")[0].split(":")[0]
        slug = BY_NAMESPACE.get(namespace, "")
    return BY_SLUG.get(slug)
