"""The accessibility table's rows for collections (tests/browser/test_accessibility.py): the lock-off lists, a day's
list with an included and an excluded account, the daily run, and the account page's collections panel with its
notices, a dispute and the call script.

SCENARIO makes the lock-off list through the services a district's staff use, whatever day the tests run: the
list's day is the first business day from today; two accounts owe a $212.40 bill due 80 days before it, and
the daily run sends each its reminder and shutoff notice on the days the policy names; a CSS I opens a bill
dispute on the second; the run of the list's day includes the first and excludes the second. Run again, it
makes nothing twice."""

from tests.browser.page_row import Page

PAGES = [
    Page("collections:lockoff_lists", "css2", "/collections/lockoffs/"),
    Page("collections:lockoff_list", "css2", "/collections/lockoffs/{lockoff_day}/"),
    Page("collections:run", "supervisor", "/collections/run/"),
    Page("customers:account", "css2", "/accounts/{lockoff_disputed}/"),
    Page("collections:shutoff_report", "css2", "/collections/shutoffs/"),
    Page("collections:writeoffs", "css2", "/collections/writeoffs/"),
    Page("collections:referrals", "supervisor", "/collections/referrals/"),
]
NOT_PAGES = {"collections:referral_file": "a CSV file for the collection agency, not a page"}

SCENARIO = """
import json
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from cistern.collections import policy, selectors
from cistern.collections import services as collections
from cistern.collections.models import Hold, LockoffCandidate
from cistern.core import clock
from cistern.core.selectors import district_calendar
from cistern.customers import services as customers
from cistern.customers.models import Account, Customer, Premise
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole
users = get_user_model().objects
css1, supervisor = users.get(username="css1"), users.get(username="supervisor")
day = district_calendar().business_day_on_or_after(clock.today())
due = day - timedelta(days=80)
start = due - timedelta(days=50)
application = customers.Application(
    relationship="owner", occupancy_type="owner", identity_method="credit_check", credit_decision="acceptable",
    deposit_required=False, charge_setup_fee=False)
accounts = []
for n, name in ((1, "Lena Lockoff"), (2, "Dana Dispute")):
    street = f"{n} Lock-off Test Rd"
    account = Account.objects.filter(premise__street=street).first()
    if account is None:
        premise = Premise.objects.create(street=street, city="Joshua Tree", zip_code="92252", occupancy_type="owner")
        customer = Customer.objects.create(name=name, phone="(760) 555-0100", mailing_street=street,
                                           mailing_city="Joshua Tree", mailing_zip="92252")
        with clock.on(start):
            account = customers.service_start(actor=css1, customer=customer, premise=premise, start_date=start,
                                              application=application)
            customers.account_activate(actor=supervisor, account=account, on=start, reason="Water on")
        amount = Decimal("212.40")
        ledger.journal_post(
            actor=supervisor, entry_date=due - timedelta(days=20), memo="Water bill", source_kind="bill",
            source_id=None, postings=[
                ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), amount, account.pk, "Water bill", due),
                ledger.Posting("4110", -amount, description="Water bill")])
    accounts.append(account)
included, disputed = accounts
# The reminder and the shutoff notice on the days the policy names (one run a step: the demo ran the others).
on = due + timedelta(days=1)
while on < day:
    if selectors.decision_for(included, on).next_step in (policy.REMINDER, policy.SHUTOFF_NOTICE):
        with clock.on(on):
            collections.collections_run(actor=supervisor, on=on)
    on += timedelta(days=1)
if not Hold.objects.filter(account=disputed).exists():
    collections.hold_open(actor=css1, account=disputed, kind="dispute", starts_on=clock.today(),
                          reason="Says the meter was misread")
if not LockoffCandidate.objects.filter(lockoff_list__day=day, account=included).exists():
    with clock.on(day):
        collections.collections_run(actor=supervisor, on=day)
candidates = {c.account_id: c for c in LockoffCandidate.objects.filter(lockoff_list__day=day)}
assert candidates[included.pk].included, candidates[included.pk].reason
print(json.dumps({
    "lockoff_day": day.isoformat(),
    "lockoff_included": included.number,
    "lockoff_amount": f"${candidates[included.pk].amount:,}",
    "lockoff_disputed": disputed.number,
    "lockoff_reason": candidates[disputed.pk].reason,
}))
"""

FACTS = SCENARIO
