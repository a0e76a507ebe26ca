"""The district's holidays are rows it edits: loaded from the `holidays` package (federal and California) after
migrate, a package holiday un-observed keeps the office open, a federal one the state skips can be observed."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core import roles, selectors, services
from cistern.core.models import AuditEvent, Holiday, HolidaySource

pytestmark = pytest.mark.django_db

THANKSGIVING = date(2026, 11, 26)
DAY_AFTER = date(2026, 11, 27)  # California's Day After Thanksgiving, a Friday
COLUMBUS = date(2026, 10, 12)  # federal; California does not close for it. A Monday.


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISOR, username="district_supervisor")


def _actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_after_migrate_the_list_holds_the_federal_and_state_holidays():
    listed = {h.day: h for h in Holiday.objects.filter(day__year=2026)}
    assert (listed[THANKSGIVING].name, listed[THANKSGIVING].observed) == ("Thanksgiving Day", True)
    assert (listed[DAY_AFTER].name, listed[DAY_AFTER].observed) == ("Day After Thanksgiving", True)
    assert listed[date(2026, 3, 31)].name == "Cesar Chavez Day"
    # The federal holiday the state skips is on the list, not observed, for the district to decide.
    assert (listed[COLUMBUS].name, listed[COLUMBUS].observed) == ("Columbus Day", False)
    assert {h.source for h in listed.values()} == {HolidaySource.PACKAGE}
    calendar = selectors.district_calendar()
    assert not calendar.is_business_day(DAY_AFTER) and calendar.is_business_day(COLUMBUS)
    assert calendar.holiday_name(THANKSGIVING) == "Thanksgiving Day"


def test_loading_again_adds_only_what_is_missing_and_keeps_the_districts_edits(supervisor):
    day_after = Holiday.objects.get(day=DAY_AFTER)
    services.holiday_set_observed(actor=supervisor, holiday=day_after, observed=False, reason="Office open")
    Holiday.objects.filter(day=THANKSGIVING).update(name="Thanksgiving (district name)")
    assert services.holidays_load(actor=supervisor, years=[2026]) == 0
    assert Holiday.objects.get(day=DAY_AFTER).observed is False
    assert Holiday.objects.get(day=THANKSGIVING).name == "Thanksgiving (district name)"
    assert _actions() == ["holiday.unobserve"]  # nothing added: no load recorded

    assert not Holiday.objects.filter(day__year=2040).exists()
    added = services.holidays_load(actor=supervisor, years=[2040])
    assert added == Holiday.objects.filter(day__year=2040).count() >= 11
    assert Holiday.objects.get(day=date(2040, 11, 22)).name == "Thanksgiving Day"
    event = AuditEvent.objects.get(action="holiday.load")
    assert event.actor == supervisor and event.changes["added"] == [None, added]
    assert event.changes["years"] == [None, [2040]]


def test_only_the_district_admin_loads_or_edits_holidays(make_user):
    clerk = make_user(roles.CSS_I)
    holiday = Holiday.objects.get(day=DAY_AFTER)
    with pytest.raises(PermissionDenied):
        services.holidays_load(actor=clerk, years=[2041])
    with pytest.raises(PermissionDenied):
        services.holiday_set_observed(actor=clerk, holiday=holiday, observed=False)
    with pytest.raises(PermissionDenied):
        services.holiday_add(actor=make_user(roles.AUDITOR), day=date(2026, 10, 13), name="Founders' Day")
    assert Holiday.objects.get(day=DAY_AFTER).observed is True
    assert not Holiday.objects.filter(day__year=2041).exists()
    assert _actions() == []


def test_un_observing_a_package_holiday_makes_it_a_business_day(supervisor):
    holiday = Holiday.objects.get(day=DAY_AFTER)
    services.holiday_set_observed(actor=supervisor, holiday=holiday, observed=False, reason="Board 26-11")
    calendar = selectors.district_calendar()
    assert calendar.is_business_day(DAY_AFTER) and calendar.holiday_name(DAY_AFTER) is None
    assert calendar.next_business_day(date(2026, 11, 25)) == DAY_AFTER
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.reason) == ("holiday.unobserve", supervisor, "Board 26-11")
    assert (
        event.changes == {"observed": [True, False]}
        and event.object_repr == "2026-11-27 Day After Thanksgiving"
    )

    services.holiday_set_observed(actor=supervisor, holiday=holiday, observed=False)  # unchanged: no-op
    assert _actions() == ["holiday.unobserve"]
    services.holiday_set_observed(actor=supervisor, holiday=holiday, observed=True)
    assert not selectors.district_calendar().is_business_day(DAY_AFTER)
    assert _actions() == ["holiday.unobserve", "holiday.observe"]


def test_observing_a_federal_holiday_the_state_skips_closes_the_office(supervisor):
    assert selectors.district_calendar().add_business_days(date(2026, 10, 9), 1) == COLUMBUS
    services.holiday_set_observed(actor=supervisor, holiday=Holiday.objects.get(day=COLUMBUS), observed=True)
    calendar = selectors.district_calendar()
    assert not calendar.is_business_day(COLUMBUS) and calendar.holiday_name(COLUMBUS) == "Columbus Day"
    assert calendar.add_business_days(date(2026, 10, 9), 1) == date(2026, 10, 13)


def test_adding_a_holiday_closes_the_office_and_refuses_a_listed_day(supervisor):
    holiday = services.holiday_add(
        actor=supervisor, day=date(2026, 10, 13), name=" Founders' Day ", reason="Board"
    )
    assert (holiday.name, holiday.observed, holiday.source) == ("Founders' Day", True, HolidaySource.DISTRICT)
    assert not selectors.district_calendar().is_business_day(date(2026, 10, 13))
    event = AuditEvent.objects.get(action="holiday.add")
    assert event.changes == {
        "day": [None, "2026-10-13"], "name": [None, "Founders' Day"], "observed": [None, True],
    }  # fmt: skip
    with pytest.raises(
        services.CoreError, match=r"10/12/2026 is on the list as Columbus Day, not observed: mark"
    ):
        services.holiday_add(actor=supervisor, day=COLUMBUS, name="Indigenous Peoples' Day")
    with pytest.raises(services.CoreError, match=r"11/26/2026 is already a holiday \(Thanksgiving Day\)"):
        services.holiday_add(actor=supervisor, day=THANKSGIVING, name="Turkey day")
    with pytest.raises(services.CoreError, match="Name the holiday"):
        services.holiday_add(actor=supervisor, day=date(2026, 10, 14), name="  ")
    assert Holiday.objects.get(day=COLUMBUS).observed is False
    assert not Holiday.objects.filter(day=date(2026, 10, 14)).exists()
    assert _actions() == ["holiday.add"]


def test_the_district_page_lists_the_years_holidays_and_toggles_them(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/district/?year=2026").content.decode()
    assert "Holidays 2026" in page and "Columbus Day" in page and "Open (not observed)" in page
    assert "Thanksgiving Day" in page and "Susan B. Anthony Day" in page
    columbus = Holiday.objects.get(day=COLUMBUS)
    response = client.post(f"/district/holidays/{columbus.pk}/observed/", {"observed": "1"})
    assert response.status_code == 302 and response["Location"] == "/district/?year=2026"
    assert Holiday.objects.get(day=COLUMBUS).observed is True

    response = client.post("/district/", {"add_holiday": "1", "day": "2027-10-13", "name": "Founders' Day"})
    assert response.status_code == 302 and response["Location"] == "/district/?year=2027"
    assert Holiday.objects.get(day=date(2027, 10, 13)).source == HolidaySource.DISTRICT
    page = client.post(
        "/district/", {"add_holiday": "1", "day": "2026-11-26", "name": "Again"}
    ).content.decode()
    assert "already a holiday (Thanksgiving Day)" in page
    assert _actions() == ["holiday.observe", "holiday.add"]


def test_an_auditor_sees_the_holidays_but_changes_none(client, make_user):
    client.force_login(make_user(roles.AUDITOR))
    page = client.get("/district/?year=2026").content.decode()
    assert "Day After Thanksgiving" in page and "Keep the office open" not in page
    holiday = Holiday.objects.get(day=DAY_AFTER)
    assert client.post(f"/district/holidays/{holiday.pk}/observed/", {"observed": "0"}).status_code == 403
    assert (
        client.post("/district/", {"add_holiday": "1", "day": "2026-10-13", "name": "X"}).status_code == 403
    )
    assert client.post("/district/", {"load_holidays": "1", "year": "2042"}).status_code == 403
    assert Holiday.objects.get(day=DAY_AFTER).observed is True
    assert not Holiday.objects.filter(day__year__in=[2042]).exists() and _actions() == []


def test_admin_saves_go_through_the_services(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password="a-long-test-password")
    client.force_login(admin)
    holiday = Holiday.objects.get(day=DAY_AFTER)
    response = client.post(f"/admin/core/holiday/{holiday.pk}/change/", {})  # "observed" unticked
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post("/admin/core/holiday/add/", {"day": "2026-10-13", "name": "Founders' Day"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Holiday.objects.get(day=DAY_AFTER).observed is False
    assert Holiday.objects.get(day=date(2026, 10, 13)).source == HolidaySource.DISTRICT
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor__username", "reason")) == [
        ("holiday.unobserve", "root", "Admin"), ("holiday.add", "root", "Admin"),
    ]  # fmt: skip
