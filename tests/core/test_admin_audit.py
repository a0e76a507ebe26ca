# ruff: noqa: F811 (the billing fixtures are imported by name and then asked for by name)
"""The admin is no back door: every admin page that changes money or rules saves through the app's audited service.

Each test drives the real admin pages with the test client (a Supervisor, staff, as the district would use them):
it reads the form the page renders, changes what a person would change, posts it, and checks the change was made
and an audit row with actor, before, after and reason was written."""

from datetime import date, time
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission

from cistern.billing import services as billing
from cistern.billing.models import BillCycle, CycleRoute
from cistern.core import roles
from cistern.core.models import AuditEvent, AuthorityLimit, ClosureDay, DistrictSettings
from cistern.metering.models import ReadRules, Route
from cistern.rates import services as rates
from cistern.rates.models import (
    BasicFee,
    BilledSchedule,
    Fee,
    RateSchedule,
    RateScheduleVersion,
    UsageBlock,
)
from tests.billing.conftest import biller, district, lead, metered_account, supervisor  # noqa: F401

pytestmark = pytest.mark.django_db

JUL = date(2026, 7, 25)


class _Form(HTMLParser):
    """The fields of the admin's change form as a browser would post them (inline templates left out)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = self._textarea = None
        self._first_option: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name and "__prefix__" not in name:
            self._select = name
        elif tag == "option" and self._select:
            self._first_option.setdefault(self._select, attrs.get("value", ""))
            if "selected" in attrs:
                self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.data.setdefault(self._select, self._first_option.get(self._select, ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Form()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def _submit(client, url, **changes):
    """GET the admin page, change the named fields, POST it; returns the response after redirects."""
    data = {**_form(client, url), **{k: str(v) for k, v in changes.items() if v is not None}}
    for name in [k for k, v in changes.items() if v is None]:
        data.pop(name, None)  # an unticked checkbox
    data["_save"] = "Save"
    return client.post(url, data, follow=True)


def _text(response) -> str:
    return response.content.decode()


def _event(action, **kwargs) -> AuditEvent:
    return AuditEvent.objects.get(action=action, **kwargs)


@pytest.fixture
def boss(make_user):
    """The district's Supervisor, staff (admin) by role."""
    user = make_user(roles.SUPERVISOR, username="admin_boss")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def admin_client(client, boss):
    client.force_login(boss)
    return client


# --- core: authority limits, district settings, closure days ---------------------------------------------------


def test_an_authority_limit_changed_in_admin_is_audited(admin_client, boss):
    limit = AuthorityLimit.objects.get(role__name=roles.CSS_I, kind="adjustment")
    response = _submit(
        admin_client,
        f"/admin/core/authoritylimit/{limit.pk}/change/",
        amount="75.00",
        reason="Board memo 26-14",
    )
    assert response.status_code == 200 and "Not saved" not in _text(response)
    limit.refresh_from_db()
    assert limit.amount == Decimal("75.00")
    event = _event("authority_limit.change", object_id=str(limit.pk))
    assert event.actor == boss and event.reason == "Board memo 26-14"
    assert event.changes == {"amount": ["50.00", "75.00"]}


def test_an_authority_limit_changed_in_the_admin_list_is_audited_too(admin_client, boss):
    limits = list(AuthorityLimit.objects.order_by("kind", "amount", "id"))
    data = {
        "form-TOTAL_FORMS": len(limits), "form-INITIAL_FORMS": len(limits), "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000, "_save": "Save",
    }  # fmt: skip
    css_i = next(
        i for i, limit in enumerate(limits) if limit.role.name == roles.CSS_I and limit.kind == "adjustment"
    )
    for index, limit in enumerate(limits):
        data[f"form-{index}-id"] = limit.pk
        data[f"form-{index}-amount"] = "60.00" if index == css_i else limit.amount
    response = admin_client.post("/admin/core/authoritylimit/?o=1.2", data, follow=True)
    assert response.status_code == 200
    assert AuthorityLimit.objects.get(pk=limits[css_i].pk).amount == Decimal("60.00")
    event = _event("authority_limit.change", object_id=str(limits[css_i].pk))
    assert event.actor == boss and event.changes == {"amount": ["50.00", "60.00"]}


def test_a_clerk_raising_their_own_roles_limit_is_refused(client, make_user):
    """Problem seen: the admin let anyone with the permission change any authority limit, their own role's too,
    so a CSS II given admin access could raise the CSS II adjustment limit and then approve their own credits.
    Nobody changes the limit of a role they hold: the page says so and nothing changes."""
    clerk = make_user(roles.CSS_II, username="lead_clerk")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="core", codename__in=["view_authoritylimit", "change_authoritylimit"]
        )
    )
    client.force_login(clerk)
    own = AuthorityLimit.objects.get(role__name=roles.CSS_II, kind="adjustment")
    response = _submit(
        client, f"/admin/core/authoritylimit/{own.pk}/change/", amount="5000.00", reason="More room"
    )
    assert "You hold the CSS II role, so you cannot change its limits" in _text(response)
    own.refresh_from_db()
    assert own.amount == Decimal("500.00")
    assert not AuditEvent.objects.filter(action__startswith="authority_limit").exists()
    # Another role's limit is theirs to change when the district gives them the permission.
    other = AuthorityLimit.objects.get(role__name=roles.CSS_I, kind="adjustment")
    _submit(client, f"/admin/core/authoritylimit/{other.pk}/change/", amount="60.00", reason="Memo")
    other.refresh_from_db()
    assert other.amount == Decimal("60.00")


def test_a_supervisor_cannot_raise_the_supervisor_limit_but_the_administrator_can(
    admin_client, boss, django_user_model, client
):
    """Problem seen: the Supervisor role holds core.change_authoritylimit, so a supervisor could raise the
    supervisors' own limit. Refused; the district's administrator (a superuser, whose own authority is unlimited
    already) makes that change."""
    own = AuthorityLimit.objects.get(role__name=roles.SUPERVISOR, kind="adjustment")
    response = _submit(
        admin_client, f"/admin/core/authoritylimit/{own.pk}/change/", amount="9000", reason="x"
    )
    assert "You hold the Supervisor role" in _text(response)
    own.refresh_from_db()
    assert own.amount == Decimal("5000.00")
    root = django_user_model.objects.create_superuser(username="root", password="a-long-test-password")
    root.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    client.force_login(root)
    _submit(client, f"/admin/core/authoritylimit/{own.pk}/change/", amount="9000", reason="Board: new limits")
    own.refresh_from_db()
    assert own.amount == Decimal("9000.00")
    assert _event("authority_limit.change", object_id=str(own.pk)).actor == root


def test_district_settings_changed_in_admin_are_audited(admin_client, boss):
    DistrictSettings.objects.get_or_create(id=1)
    response = _submit(
        admin_client, "/admin/core/districtsettings/1/change/", bill_due_days=21, office_closes="16:30:00",
        reason="Board: new hours",
    )  # fmt: skip
    assert "Not saved" not in _text(response)
    settings = DistrictSettings.objects.get()
    assert (settings.bill_due_days, settings.office_closes) == (21, time(16, 30))
    event = _event("district.update")
    assert event.actor == boss and event.reason == "Board: new hours"
    assert event.changes == {"bill_due_days": [20, 21], "office_closes": ["17:00:00", "16:30:00"]}


def test_district_settings_the_service_refuses_are_not_saved(admin_client):
    DistrictSettings.objects.get_or_create(id=1)
    response = _submit(
        admin_client, "/admin/core/districtsettings/1/change/", office_closes="07:00:00", reason="typo"
    )
    assert "Not saved: The office must close after it opens." in _text(response)
    assert DistrictSettings.objects.get().office_closes == time(17, 0)
    assert not AuditEvent.objects.filter(action="district.update").exists()


def test_closure_days_added_changed_and_removed_in_admin_are_audited(admin_client, boss):
    _submit(admin_client, "/admin/core/closureday/add/", day="2026-12-24", reason="Board: Christmas Eve")
    closure = ClosureDay.objects.get()
    assert (closure.day, closure.reason) == (date(2026, 12, 24), "Board: Christmas Eve")
    added = _event("closure_day.add")
    assert added.actor == boss and added.changes == {
        "day": [None, "2026-12-24"], "reason": [None, "Board: Christmas Eve"]
    }  # fmt: skip
    _submit(admin_client, f"/admin/core/closureday/{closure.pk}/change/", day="2026-12-31")
    assert ClosureDay.objects.get().day == date(2026, 12, 31)
    assert _event("closure_day.change").changes == {"day": ["2026-12-24", "2026-12-31"]}
    admin_client.post(f"/admin/core/closureday/{closure.pk}/delete/", {"post": "yes"})
    assert not ClosureDay.objects.exists()
    removed = _event("closure_day.remove")
    assert removed.changes == {"day": ["2026-12-31", None], "reason": ["Board: Christmas Eve", None]}


# --- rates: schedules, versions with their tables, the billed schedule, fees -----------------------------------


@pytest.fixture
def rates_loaded(db):
    from cistern.demo.rates import load_rates

    load_rates()


def test_a_rate_schedule_added_in_admin_is_audited(admin_client, boss, rates_loaded):
    _submit(
        admin_client, "/admin/rates/rateschedule/add/", code="scenario-d", name="Scenario D", kind="billed",
        resolution="Resolution 26-7", reason="Board adopted",
    )  # fmt: skip
    schedule = RateSchedule.objects.get(code="scenario-d")
    event = _event("rate_schedule.add", object_id=str(schedule.pk))
    assert event.actor == boss and event.reason == "Board adopted"
    assert event.changes["name"] == [None, "Scenario D"] and event.changes["resolution"] == [
        None,
        "Resolution 26-7",
    ]


def test_a_new_rate_version_with_its_tables_is_audited(admin_client, boss, rates_loaded):
    billed = RateSchedule.objects.get(code="scenario-c")
    data = _form(admin_client, "/admin/rates/ratescheduleversion/add/")
    data.update({
        "schedule": billed.pk, "effective_from": "2027-07-01", "basic_gl": "4100", "usage_gl": "4110",
        "reason": "Resolution 27-3",
        "basic_fees-TOTAL_FORMS": "1", "basic_fees-0-rate_class": "residential", "basic_fees-0-meter_size": "3/4",
        "basic_fees-0-monthly_amount": "49.10",
        "usage_blocks-TOTAL_FORMS": "1", "usage_blocks-0-rate_class": "residential",
        "usage_blocks-0-meter_size": "3/4", "usage_blocks-0-tier": "1", "usage_blocks-0-after_units": "0",
        "usage_blocks-0-price_per_unit": "8.4000", "_save": "Save",
    })  # fmt: skip
    response = admin_client.post("/admin/rates/ratescheduleversion/add/", data, follow=True)
    assert "Not saved" not in _text(response) and "errornote" not in _text(response), _text(response)[:3000]
    version = RateScheduleVersion.objects.get(effective_from=date(2027, 7, 1))
    fee = BasicFee.objects.get(version=version)
    block = UsageBlock.objects.get(version=version)
    assert (fee.monthly_amount, block.price_per_unit) == (Decimal("49.10"), Decimal("8.4000"))
    assert _event("rate_version.add", object_id=str(version.pk)).reason == "Resolution 27-3"
    assert _event("rate_basic_fee.add", object_id=str(fee.pk)).changes["monthly_amount"] == [None, "49.10"]
    assert _event("rate_usage_block.add", object_id=str(block.pk)).changes["price_per_unit"] == [
        None,
        "8.4000",
    ]
    # Not billed yet: a correction of its table is an audited change with before and after.
    url = f"/admin/rates/ratescheduleversion/{version.pk}/change/"
    _submit(admin_client, url, **{"basic_fees-0-monthly_amount": "49.20", "reason": "Typo in the resolution"})
    fee.refresh_from_db()
    assert fee.monthly_amount == Decimal("49.20")
    event = _event("rate_basic_fee.change", object_id=str(fee.pk))
    assert event.actor == boss and event.changes == {"monthly_amount": ["49.10", "49.20"]}


@pytest.fixture
def posted(district, biller, lead, metered_account):
    """One bill posted for 06/25-07/25/2026, rated with the demo's version of 01/01/2024."""
    metered_account([(JUL, "112")])
    run = billing.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    run.refresh_from_db()
    billing.bill_run_approve(actor=lead, run=run)
    billing.bill_run_post(actor=biller, run=run)
    return RateScheduleVersion.objects.get(effective_from=date(2024, 1, 1))


def test_a_rate_version_a_posted_bill_used_cannot_be_edited(admin_client, boss, posted, django_user_model):
    """Problem seen: a rate version that posted bills were rated with could be edited in admin, silently
    changing what those bills say they charged. It is read-only in admin and refused by the service; a new
    version from a later date is the way."""
    version = posted
    url = f"/admin/rates/ratescheduleversion/{version.pk}/change/"
    page = _text(admin_client.get(url))
    assert "Used by posted bills: read-only" in page
    assert 'name="_save"' not in page and 'name="basic_fees-0-monthly_amount"' not in page
    fee = version.basic_fees.get(rate_class="residential", meter_size="3/4")
    before = fee.monthly_amount
    data = {"schedule": version.schedule_id, "effective_from": "2024-01-01", "reason": "x", "_save": "Save"}
    assert admin_client.post(url, data).status_code == 403
    assert (
        admin_client.post(
            f"/admin/rates/ratescheduleversion/{version.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    fee.monthly_amount = before + 1
    with pytest.raises(rates.RatesError, match="was used by posted bills"):
        rates.version_save(actor=boss, version=version, rows=[fee], reason="sneaky")
    root = django_user_model.objects.create_superuser(username="root", password="a-long-test-password")
    with pytest.raises(rates.RatesError, match="was used by posted bills"):
        rates.version_delete(actor=root, version=version)
    fee.refresh_from_db()
    assert fee.monthly_amount == before
    assert not AuditEvent.objects.filter(action__startswith="rate_").exists()


def test_a_new_version_or_switch_reaching_into_posted_bills_is_refused(admin_client, posted):
    """Problem seen: a version (or billed-schedule switch) dated back into a posted bill's period changes which
    rates billed it. Refused with the reason; from a date after the last posted bill it is accepted."""
    billed = RateSchedule.objects.get(code="scenario-c")
    response = _submit(
        admin_client, "/admin/rates/ratescheduleversion/add/", schedule=billed.pk, effective_from="2026-07-01",
        reason="Backdated",
    )  # fmt: skip
    assert "Posted bills cover 07/01/2026" in _text(response)
    assert not RateScheduleVersion.objects.filter(effective_from=date(2026, 7, 1)).exists()
    maximum = RateSchedule.objects.get(code="scenario-a")
    RateScheduleVersion.objects.create(schedule=maximum, effective_from=date(2023, 3, 1))  # never billed
    response = _submit(
        admin_client, "/admin/rates/billedschedule/add/", effective_from="2026-01-01", schedule=maximum.pk,
        decision="Backdated", reason="x",
    )  # fmt: skip
    assert "Posted bills cover 01/01/2026" in _text(response)
    _submit(admin_client, "/admin/rates/ratescheduleversion/add/", schedule=billed.pk, effective_from="2026-08-01",
            reason="Resolution 26-9")  # fmt: skip
    assert RateScheduleVersion.objects.filter(effective_from=date(2026, 8, 1)).exists()


def test_a_billed_schedule_switch_in_admin_is_audited(admin_client, boss, rates_loaded):
    maximum = RateSchedule.objects.get(code="scenario-a")
    _submit(
        admin_client, "/admin/rates/billedschedule/add/", effective_from="2027-07-01", schedule=maximum.pk,
        decision="Board: bill the maximum", reason="Resolution 27-5",
    )  # fmt: skip
    switch = BilledSchedule.objects.get(effective_from=date(2027, 7, 1))
    event = _event("billed_schedule.add", object_id=str(switch.pk))
    assert event.actor == boss and event.reason == "Resolution 27-5"
    assert event.changes["schedule"] == [None, maximum.pk] and event.changes["effective_from"] == [
        None,
        "2027-07-01",
    ]


def test_the_fee_catalog_in_admin_is_audited_and_keeps_a_fee_in_force(admin_client, boss, rates_loaded):
    nsf = Fee.objects.get(code="nsf")
    response = _submit(admin_client, f"/admin/rates/fee/{nsf.pk}/change/", amount="40.00", reason="Raise")
    assert "has been in force since 03/01/2023" in _text(response)
    nsf.refresh_from_db()
    assert nsf.amount == Decimal("35.00")
    _submit(
        admin_client, "/admin/rates/fee/add/", code="nsf", name="Returned check (NSF)", kind="fixed",
        amount="40.00", gl_account="4250", effective_from="2027-01-01", reason="Resolution 26-11",
    )  # fmt: skip
    new = Fee.objects.get(code="nsf", effective_from=date(2027, 1, 1))
    assert new.amount == Decimal("40.00")
    event = _event("fee.add", object_id=str(new.pk))
    assert (
        event.actor == boss
        and event.changes["amount"] == [None, "40.00"]
        and event.reason == "Resolution 26-11"
    )
    _submit(
        admin_client,
        f"/admin/rates/fee/{new.pk}/change/",
        amount="45.00",
        reason="Corrected before it applies",
    )
    assert _event("fee.change", object_id=str(new.pk)).changes == {"amount": ["40.00", "45.00"]}


# --- billing: cycles and their routes --------------------------------------------------------------------------


def test_a_bill_cycle_and_its_routes_in_admin_are_audited(admin_client, boss):
    route = Route.objects.create(code="R07", name="Yucca Mesa")
    data = _form(admin_client, "/admin/billing/billcycle/add/")
    data.update({
        "code": "C07", "name": "Cycle 7", "read_day": "12", "bill_day": "15", "active": "on", "reason": "New route",
        "cycle_routes-TOTAL_FORMS": "1", "cycle_routes-0-route": route.pk, "_save": "Save",
    })  # fmt: skip
    response = admin_client.post("/admin/billing/billcycle/add/", data, follow=True)
    assert "Not saved" not in _text(response)
    cycle = BillCycle.objects.get(code="C07")
    assert CycleRoute.objects.get(route=route).cycle == cycle
    assert _event("bill_cycle.add", object_id=str(cycle.pk)).changes["read_day"] == [None, 12]
    assert _event("cycle_route.add").changes == {"cycle": [None, cycle.pk], "route": [None, route.pk]}
    _submit(
        admin_client, f"/admin/billing/billcycle/{cycle.pk}/change/", read_day=14, reason="Reader's new day"
    )
    event = _event("bill_cycle.change", object_id=str(cycle.pk))
    assert (
        event.actor == boss and event.changes == {"read_day": [12, 14]} and event.reason == "Reader's new day"
    )


def test_a_cycles_routes_do_not_move_while_its_run_is_under_way(
    admin_client, district, biller, metered_account
):
    metered_account([(JUL, "112")])
    run = billing.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    url = f"/admin/billing/billcycle/{district.pk}/change/"
    response = _submit(admin_client, url, **{"cycle_routes-0-DELETE": "on", "reason": "Move R01"})
    assert "has a bill run under way" in _text(response)
    assert CycleRoute.objects.filter(cycle=district).count() == 1


# --- metering: the read rules -----------------------------------------------------------------------------------


def test_read_rules_changed_in_admin_are_audited(admin_client, boss):
    rules, _ = ReadRules.objects.get_or_create(id=1)
    _submit(admin_client, "/admin/metering/readrules/1/change/", high_percent=150, reason="Summer pool fills")
    rules.refresh_from_db()
    assert rules.high_percent == 150
    event = _event("read_rules.update")
    assert event.actor == boss and event.changes == {"high_percent": [100, 150]}
    response = _submit(admin_client, "/admin/metering/readrules/1/change/", low_percent=150, reason="typo")
    assert "Not saved: A low read is between 1% and 100%" in _text(response)
    rules.refresh_from_db()
    assert rules.low_percent == 70
