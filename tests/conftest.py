from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from cistern.core import roles
from cistern.customers import services
from cistern.customers.models import Customer, Premise


@pytest.fixture
def make_user(django_user_model):
    def make(role: str | None, username: str | None = None):
        username = username or (role or "nobody").lower().replace(" ", "_")
        user = django_user_model.objects.create_user(username=username, password="a-long-test-password")
        if role:
            user.groups.add(Group.objects.get(name=role))
        return django_user_model.objects.get(pk=user.pk)  # fresh: no stale permission cache

    return make


@pytest.fixture
def css1(db, make_user):
    return make_user(roles.CSS_I)


@pytest.fixture
def css2(db, make_user):
    return make_user(roles.CSS_II)


@pytest.fixture
def premise_factory(db):
    counter = iter(range(100, 10_000))

    def make(street=None, **kwargs):
        n = next(counter)
        values = {
            "street": street or f"{n} Sunburst Ave",
            "city": "Joshua Tree",
            "zip_code": "92252",
            "parcel_number": f"0601-{n:03d}-01-0000",
            "zone": "Zone 1",
            "occupancy_type": "owner",
        }
        values.update(kwargs)
        return Premise.objects.create(**values)

    return make


@pytest.fixture
def customer_factory(db):
    def make(name="Maria Lopez", **kwargs):
        values = {
            "name": name,
            "phone": "(760) 366-1234",
            "mailing_street": "100 Sunburst Ave",
            "mailing_city": "Joshua Tree",
            "mailing_zip": "92252",
        }
        values.update(kwargs)
        return Customer.objects.create(**values)

    return make


# No set-up fee, so a test's balances are only what it posts (the start charges are posted to the ledger when
# service starts); tests of the fee ask for it with charge_setup_fee=True.
ACCEPTABLE = services.Application(
    relationship="owner",
    occupancy_type="owner",
    identity_method="credit_check",
    credit_decision="acceptable",
    deposit_required=False,
    charge_setup_fee=False,
)


@pytest.fixture
def start_account(css1, premise_factory, customer_factory):
    """Open an account through the service, as a clerk would."""

    def start(customer=None, premise=None, start_date=date(2026, 11, 2), application=ACCEPTABLE, **kwargs):
        return services.service_start(
            actor=css1,
            customer=customer or customer_factory(),
            premise=premise or premise_factory(),
            start_date=start_date,
            application=application,
            **kwargs,
        )

    return start


@pytest.fixture
def token_for(make_user):
    """An API token (as `manage.py create_api_token` prints it) for a new user of `role`."""

    def make(role):
        user = make_user(role, username=f"api_{role}".replace(" ", "_"))
        out = StringIO()
        call_command("create_api_token", user.username, "--name", "test", stdout=out)
        return out.getvalue().strip()

    return make
