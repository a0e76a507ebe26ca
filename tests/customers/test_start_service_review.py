"""Start service at the counter: relationship and occupancy default from the premise, a review step shows
everything before the account opens, a start on a closed day is warned about (and can be accepted), the
relationship is corrected afterwards (audited), and an account is final on its stop date, not before."""

# ruff: noqa: F811 (the billing tests' district fixtures, imported for use as fixtures)
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from cistern.billing import services as billing
from cistern.billing.models import Bill
from cistern.core import clock, roles
from cistern.core.models import AuditEvent, ClosureDay, Holiday
from cistern.customers import services, starting
from cistern.customers.models import Account, Customer
from cistern.customers.status import status_on
from cistern.ledger.models import JournalEntry
from tests.billing.conftest import biller, district, lead, metered_account, read, supervisor  # noqa: F401

pytestmark = pytest.mark.django_db

FORM = {
    "start_date": "2026-12-01",  # a Tuesday
    "identity_method": "government_id",
    "credit_decision": "no_ssn",
    "deposit_required": "on",
    "charge_setup_fee": "on",
    "kind": "person",
    "name": "Lupe Carrillo",
    "phone": "(760) 366-4321",
    "preferred_language": "en",
}
FORWARD = {"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"}


def _review(client, **data):
    return client.post("/accounts/start/", {**FORM, **data})


def _confirm(client, **data):
    return client.post("/accounts/start/", {**FORM, "step": "confirm", **data})


def test_defaults_follow_the_occupancy():
    assert starting.default_relationship("rental") == "tenant"
    assert starting.default_relationship("vacation") == "tenant"
    assert starting.default_relationship("owner") == "owner"
    assert starting.default_relationship("commercial") is None


def test_a_rental_address_starts_as_a_tenant(client, css1, premise_factory):
    """Seen: a rental address opened as "owner" (the form's first choice) because nobody changed it."""
    premise = premise_factory(street="12 Palm Vista Dr", occupancy_type="rental")
    client.force_login(css1)
    form_page = client.get(f"/accounts/start/?premise={premise.pk}").content.decode()
    assert "This address is rental (tenant): the account defaults to tenant." in form_page
    review = _review(client, premise=premise.pk).content.decode()
    assert (
        'id="review-relationship">Tenant <span class="from-premise">(from the address: rental (tenant))'
        in review
    )
    assert 'id="review-occupancy">Rental (tenant) <span class="from-premise">(as the address)' in review
    response = _confirm(client, premise=premise.pk)
    account = Account.objects.get(premise=premise)
    assert response.status_code == 302
    assert (account.relationship, account.occupancy_type) == ("tenant", "rental")


def test_owner_occupied_starts_as_owner_and_a_choice_overrides(client, css1, premise_factory):
    owned, rented = premise_factory(occupancy_type="owner"), premise_factory(occupancy_type="rental")
    client.force_login(css1)
    _confirm(client, premise=owned.pk)
    assert Account.objects.get(premise=owned).relationship == "owner"
    # The landlord takes the water in their own name at their rental: the clerk says so.
    _confirm(client, premise=rented.pk, relationship="owner", name="Landlord LLC")
    assert (Account.objects.get(premise=rented).relationship, Account.objects.get(premise=rented).occupancy_type) == (
        "owner", "rental",
    )  # fmt: skip


def test_a_commercial_address_asks_owner_or_tenant(client, css1, premise_factory):
    premise = premise_factory(street="55 Twentynine Palms Hwy", occupancy_type="commercial")
    client.force_login(css1)
    page = _review(client, premise=premise.pk).content.decode()
    assert "is commercial / industrial / institutional: choose owner or tenant." in page
    assert not Account.objects.exists()
    _confirm(client, premise=premise.pk, relationship="tenant")
    assert Account.objects.get(premise=premise).relationship == "tenant"


def test_the_review_shows_everything_and_writes_nothing(client, css1, premise_factory, start_account):
    """Seen: the account opened on the first click, with no look at the deposit and fees it posted."""
    premise = premise_factory(street="6455 Sunburst Ave", occupancy_type="rental")
    current = start_account(premise=premise, start_date=date(2025, 1, 6))
    client.force_login(css1)
    page = _review(
        client, premise=premise.pk, stop_current_account="on", reason="Lease from 12/01"
    ).content.decode()
    assert "Review the start of service" in page
    assert "<strong>Lupe Carrillo</strong> (new customer)" in page
    assert (
        "6455 Sunburst Ave" in page and f"(account {current.number}): <strong>stopped on 12/01/2026" in page
    )
    assert 'id="review-start-date">Tuesday 12/01/2026' in page
    assert 'id="review-deposit">$200.00 posts when the account opens' in page
    assert 'id="review-setup-fee">$35.00 posts when the account opens' in page
    assert 'id="review-charges"><strong>$235.00</strong>' in page
    assert "Government ID in person" in page and "Lease from 12/01" in page
    assert 'id="closed-day-warning"' not in page
    # Nothing recorded yet: no account, no customer, no charges, and the current account still open.
    assert Account.objects.count() == 1 and Customer.objects.count() == 1
    assert not JournalEntry.objects.filter(source_kind="start_charges").exclude(source_id=current.pk).exists()
    current.refresh_from_db()
    assert current.is_open
    # "Change something" goes back to the form, with what was typed.
    back = client.post("/accounts/start/", {**FORM, "premise": premise.pk, "step": "edit"}).content.decode()
    assert "Step 1 of 2" in back and 'value="Lupe Carrillo"' in back
    response = _confirm(client, premise=premise.pk, stop_current_account="on")
    new = Account.objects.get(premise=premise, customer__name="Lupe Carrillo")
    assert response["Location"] == f"/accounts/{new.number}/"
    assert (new.deposit_amount, new.setup_fee_amount) == (D("200.00"), D("35.00"))


@pytest.mark.parametrize(
    ("day", "why", "opens"),
    [
        ("2026-12-12", "Saturday", "Monday 12/14/2026"),
        ("2026-12-25", "Christmas Day", "Monday 12/28/2026"),
        ("2026-12-24", "District closure", "Monday 12/28/2026"),
    ],
)
def test_a_closed_day_is_warned_about_and_can_be_accepted(client, css1, premise_factory, day, why, opens):
    """Seen: service started on a Saturday and on a holiday without a word; the turn-on waited, the customer
    did not know. A warning the clerk accepts, not a refusal."""
    Holiday.objects.get_or_create(day=date(2026, 12, 25), defaults={"name": "Christmas Day"})
    ClosureDay.objects.create(day=date(2026, 12, 24), reason="Board closure")
    premise = premise_factory(occupancy_type="owner")
    client.force_login(css1)
    page = _review(client, premise=premise.pk, start_date=day).content.decode()
    assert 'id="closed-day-warning"' in page and f"office is closed ({why})" in page
    assert f"next business day, {opens}." in page
    refused = _confirm(client, premise=premise.pk, start_date=day).content.decode()
    assert 'id="accept-error"' in refused and not Account.objects.exists()
    response = _confirm(client, premise=premise.pk, start_date=day, accept_closed_day="1")
    assert response.status_code == 302
    assert Account.objects.get(premise=premise).start_date == date.fromisoformat(day)


def test_the_relationship_is_corrected_afterwards_with_an_audit_row(
    client, css1, start_account, premise_factory, make_user
):
    """Seen: a tenant recorded as owner could not be corrected short of stopping and starting again."""
    premise = premise_factory(occupancy_type="owner")
    account = start_account(premise=premise)  # recorded as the owner, owner-occupied
    client.force_login(css1)
    page = client.get(f"/accounts/{account.number}/relationship/").content.decode()
    assert "Correct relationship and occupancy" in page
    missing = client.post(f"/accounts/{account.number}/relationship/",
                          {"relationship": "tenant", "occupancy_type": "rental"}).content.decode()  # fmt: skip
    assert "This field is required" in missing
    response = client.post(
        f"/accounts/{account.number}/relationship/",
        {"relationship": "tenant", "occupancy_type": "rental", "premise_too": "on",
         "reason": "Lease shown at the counter"},
    )  # fmt: skip
    assert response.status_code == 302
    account.refresh_from_db()
    premise.refresh_from_db()
    assert (account.relationship, account.occupancy_type, premise.occupancy_type) == (
        "tenant",
        "rental",
        "rental",
    )
    audit = AuditEvent.objects.get(action="account.correct_relationship")
    assert (
        audit.actor == css1
        and audit.account_id == account.pk
        and audit.reason == "Lease shown at the counter"
    )
    assert audit.changes == {"relationship": ["owner", "tenant"], "occupancy_type": ["owner", "rental"]}
    assert AuditEvent.objects.get(action="premise.correct_occupancy").changes == {
        "occupancy_type": ["owner", "rental"]
    }
    with pytest.raises(services.CustomerError, match="Nothing to correct"):
        services.account_correct_relationship(
            actor=css1, account=account, relationship="tenant", occupancy_type="rental", reason="Again"
        )
    with pytest.raises(PermissionDenied):
        services.account_correct_relationship(
            actor=make_user(roles.CASHIER), account=account, relationship="owner", occupancy_type="owner",
            reason="Not mine to change",
        )  # fmt: skip


def test_an_account_is_final_on_its_stop_date_not_before(client, css1, start_account, customer_factory):
    """Seen: stopping service with next week's date showed the account "Final" at once, and the customer's
    current balance there counted as a closed account's debt when they started service elsewhere."""
    customer = customer_factory(name="Wade Holloway")
    account = start_account(customer=customer, start_date=date(2025, 6, 2))
    with clock.on(date(2026, 12, 7)):
        services.service_stop(actor=css1, account=account, stop_date=date(2026, 12, 15), forwarding=FORWARD)
    account.refresh_from_db()
    assert status_on(account.status, account.end_date, date(2026, 12, 14)) == "active"
    assert status_on(account.status, account.end_date, date(2026, 12, 15)) == "final"
    client.force_login(css1)
    with clock.on(date(2026, 12, 14)):
        page = client.get(f"/accounts/{account.number}/").content.decode()
        assert 'id="account-status">Active</span> <span class="warning">stops 12/15/2026' in page
        with pytest.raises(services.CustomerError, match="already stops on 12/15/2026"):
            services.service_stop(
                actor=css1, account=account, stop_date=date(2026, 12, 20), forwarding=FORWARD
            )
        assert services.unpaid_closed_debts(customer) == []
    with clock.on(date(2026, 12, 15)):
        page = client.get(f"/accounts/{account.number}/").content.decode()
        assert 'id="account-status">Final</span>' in page and "stops 12/15" not in page


def test_the_final_bill_still_follows_a_stop_ahead(district, supervisor, metered_account):
    """A stop recorded ahead of its date: the final read on the stop date makes the final bill as before."""
    account = metered_account([(date(2026, 7, 25), "112")])
    with clock.on(date(2026, 8, 1)):
        services.service_stop(
            actor=supervisor, account=account, stop_date=date(2026, 8, 10), forwarding=FORWARD
        )
    account.refresh_from_db()
    read(supervisor, account.meter, date(2026, 8, 10), "118", kind="final")
    with clock.on(date(2026, 8, 10)):
        bill = billing.bill_final(actor=supervisor, account=account)
    assert bill.kind == "final" and Bill.objects.filter(account=account, kind="final").count() == 1
    assert bill.period_end == date(2026, 8, 10)


def test_a_transfer_defaults_from_the_new_address(client, css1, start_account, premise_factory):
    account = start_account(start_date=date(2025, 6, 2))  # owner, owner-occupied
    rental = premise_factory(street="7000 Sunfair Rd", occupancy_type="rental")
    client.force_login(css1)
    client.post(
        f"/accounts/{account.number}/transfer/", {"new_premise": rental.pk, "transfer_date": "2026-12-01"}
    )
    new = Account.objects.get(premise=rental)
    assert (new.relationship, new.occupancy_type) == ("tenant", "rental")


def test_search_and_the_api_read_final_on_the_stop_date_too(
    client, css1, start_account, customer_factory, token_for
):
    """Seen: with the stop recorded ahead, the search results and the accounts API said "Final" at once."""
    account = start_account(customer=customer_factory(name="Ines Quarrington"), start_date=date(2025, 6, 2))
    with clock.on(date(2026, 12, 7)):
        services.service_stop(actor=css1, account=account, stop_date=date(2026, 12, 15), forwarding=FORWARD)
    token = token_for(roles.CSS_I)
    client.force_login(css1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for day, expected in ((date(2026, 12, 14), "active"), (date(2026, 12, 15), "final")):
        with clock.on(day):
            found = client.get("/api/v1/accounts", {"q": "Quarrington"}, **auth).json()
            assert [(a["number"], a["status"]) for a in found] == [(account.number, expected)]
            assert client.get(f"/api/v1/accounts/{account.number}", **auth).json()["status"] == expected
            page = client.get("/search/", {"q": "Quarrington"}).content.decode()
            assert f">{expected.capitalize()}<" in page, page
