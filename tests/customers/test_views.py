from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cistern.core import roles
from cistern.customers import services
from cistern.customers.models import Account, ContactEntry, Customer
from cistern.ledger.services import opening_balance_post

pytestmark = pytest.mark.django_db

START_FORM = {
    "start_date": "2026-12-01",
    "relationship": "tenant",
    "occupancy_type": "rental",
    "identity_method": "government_id",
    "credit_decision": "no_ssn",
    "deposit_required": "on",
    "charge_setup_fee": "on",
    "kind": "person",
    "name": "Lupe Carrillo",
    "phone": "(760) 366-4321",
    "preferred_language": "es",
}


def test_start_service_form_opens_an_account_for_a_new_customer(client, css1, premise_factory):
    premise = premise_factory(street="6455 Sunburst Ave")
    client.force_login(css1)
    assert "Find the address" in client.get("/accounts/start/").content.decode()
    review = client.post("/accounts/start/", {**START_FORM, "premise": premise.pk}).content.decode()
    assert "Review the start of service" in review and not Account.objects.exists()
    response = client.post("/accounts/start/", {**START_FORM, "premise": premise.pk, "step": "confirm"})
    account = Account.objects.get(premise=premise)
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.number}/"
    assert account.customer.name == "Lupe Carrillo" and account.customer.preferred_language == "es"
    # No mailing street given: the service address is the mailing address.
    assert account.customer.mailing_street == "6455 Sunburst Ave"
    assert (account.deposit_amount, account.setup_fee_amount) == (Decimal("200.00"), Decimal("35.00"))
    page = client.get(response["Location"]).content.decode()
    assert "Lupe Carrillo" in page and "Pending" in page and "6455 Sunburst Ave" in page


def test_start_service_form_shows_field_errors_and_writes_nothing(client, css1, premise_factory):
    premise = premise_factory()
    client.force_login(css1)
    page = client.post("/accounts/start/", {**START_FORM, "premise": premise.pk, "name": ""}).content.decode()
    assert "Enter the customer&#x27;s name" in page
    page = client.post("/accounts/start/", {**START_FORM, "premise": ""}).content.decode()
    assert "Choose the service address." in page
    assert not Account.objects.exists() and not Customer.objects.exists()


def test_start_service_refused_for_bad_debt_shows_the_amount(
    client, css1, start_account, customer_factory, make_user
):
    customer = customer_factory(name="Wade Holloway")
    old = start_account(customer=customer, start_date=date(2024, 1, 5))
    services.service_stop(
        actor=css1, account=old, stop_date=date(2025, 3, 1),
        forwarding={"street": "9 Elm St", "city": "Barstow", "state": "CA", "zip": "92311"},
    )  # fmt: skip
    opening_balance_post(  # converted from the previous system: in the ledger, as the migration puts it
        actor=make_user(roles.BILLING_ADMIN), account=old, amount=Decimal("212.40"), on=date(2025, 4, 1)
    )
    target = start_account().premise
    client.force_login(css1)
    data = {**START_FORM, "premise": target.pk, "customer": customer.pk, "stop_current_account": "on"}
    page = client.post("/accounts/start/", data).content.decode()
    assert "Unpaid balance on closed accounts" in page and "$212.40" in page and old.number in page
    # The refusal links straight to the counter with the account and the amount filled in.
    assert f'href="/payments/counter/?account={old.number}&amp;amount=212.40"' in page
    assert "Take the payment of $212.40" in page
    assert customer.accounts.count() == 1


def test_stop_service_form(client, css1, start_account, premise_factory):
    account = start_account(start_date=date(2025, 6, 1), premise=premise_factory(street="61750 Chollita Rd"))
    client.force_login(css1)
    page = client.get(f"/accounts/{account.number}/stop/").content.decode()
    assert 'value="100 Sunburst Ave"' in page  # forwarding prefilled from a mailing address elsewhere
    at_home = start_account(premise=premise_factory(street="100 Sunburst Ave"))
    page = client.get(f"/accounts/{at_home.number}/stop/").content.decode()
    assert 'value="100 Sunburst Ave"' not in page  # mail to the stopped address would not reach them
    response = client.post(
        f"/accounts/{account.number}/stop/",
        {
            "stop_date": "2026-12-04",
            "street": "455 Ocean Ave",
            "city": "Santa Monica",
            "state": "CA",
            "zip": "90402",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == "final" and account.end_date == date(2026, 12, 4)
    assert account.forwarding_city == "Santa Monica"


def test_contact_entry_by_htmx_returns_the_panel(client, css1, start_account):
    account = start_account()
    client.force_login(css1)
    response = client.post(
        f"/accounts/{account.number}/contacts/",
        {"channel": "in_person", "subject": "Asked about autopay", "note": "Gave the form"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Asked about autopay" in page and "In person" in page
    assert "<html" not in page
    entry = ContactEntry.objects.get(account=account)
    assert (entry.channel, entry.created_by) == ("in_person", css1)


def test_account_page_queries_do_not_grow_with_history(client, css1, start_account):
    account = start_account()
    client.force_login(css1)
    client.get(f"/accounts/{account.number}/")
    with CaptureQueriesContext(connection) as before:
        client.get(f"/accounts/{account.number}/")
    for i in range(10):
        services.contact_log_add(actor=css1, account=account, channel="phone", subject=f"Call {i}")
        services.flag_add(actor=css1, account=account, kind="low_income", starts_on=date(2026, 1, 1),
                          expires_on=None, reason=f"CalFresh {i}")  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        page = client.get(f"/accounts/{account.number}/").content.decode()
    assert len(after) == len(before)
    assert "Call 9" in page and "CalFresh 9" in page


def test_account_page_for_a_mistyped_number_is_404(client, css1, start_account):
    account = start_account()
    client.force_login(css1)
    typo = account.number[:-1] + str((int(account.number[-1]) + 1) % 10)
    assert client.get(f"/accounts/{typo}/").status_code == 404


def test_flag_form_refuses_a_hold_for_css1(client, css1, start_account):
    account = start_account()
    client.force_login(css1)
    page = client.post(
        f"/accounts/{account.number}/flags/",
        {"kind": "shutoff_hold", "starts_on": "2026-11-26", "reason": "Dispute"},
    ).content.decode()
    assert "Only a lead or supervisor" in page and not account.flags.exists()


def test_transfer_service_form_with_the_address_lookup(client, css1, start_account, premise_factory):
    account = start_account(start_date=date(2025, 6, 1))
    destination = premise_factory(street="7000 Sunfair Rd")
    client.force_login(css1)
    choices = client.get("/accounts/premises/lookup/?q=sunfair&field=new_premise").content.decode()
    assert f'name="new_premise" value="{destination.pk}"' in choices and "7000 Sunfair Rd" in choices
    response = client.post(
        f"/accounts/{account.number}/transfer/",
        {"new_premise": destination.pk, "transfer_date": "2026-12-01", "relationship": "owner",
         "occupancy_type": "owner"},
    )  # fmt: skip
    new = Account.objects.get(premise=destination)
    assert response.status_code == 302 and response["Location"] == f"/accounts/{new.number}/"
    account.refresh_from_db()
    assert account.status == "final" and new.customer_id == account.customer_id
    page = client.get(f"/accounts/{new.number}/").content.decode()
    assert "Transferred in" in page and account.number in page
