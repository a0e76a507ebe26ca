"""The front desk's tests: the staff of each role, the seeded case categories (and their SLA table), an account
with a known phone number, and the district's Thanksgiving closing."""

from datetime import date

import pytest

from cistern.core import roles
from cistern.core.models import Holiday
from cistern.frontdesk.models import CaseCategory


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISOR, username="sup")


@pytest.fixture
def cashier(make_user):
    return make_user(roles.CASHIER, username="cash")


@pytest.fixture
def auditor(make_user):
    return make_user(roles.AUDITOR, username="aud")


@pytest.fixture
def dispute(db):
    return CaseCategory.objects.get(code="bill_dispute")


@pytest.fixture
def complaint(db):
    return CaseCategory.objects.get(code="service_complaint")


@pytest.fixture
def thanksgiving(db):
    """Only Thanksgiving (Thursday 11/26/2026) closes the office in late 2026."""
    Holiday.objects.filter(day__gte=date(2026, 11, 1), day__lte=date(2026, 12, 31)).delete()
    Holiday.objects.create(day=date(2026, 11, 26), name="Thanksgiving Day", observed=True)


@pytest.fixture
def account(start_account, customer_factory):
    return start_account(customer=customer_factory(name="Rosa Lane", phone="(760) 555-0142"))
