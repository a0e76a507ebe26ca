from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core import roles, selectors, services
from cistern.core.models import AuditEvent, AuthorityLimit, ClosureDay

pytestmark = pytest.mark.django_db


def test_closure_day_is_a_holiday_for_the_calendar(make_user):
    supervisor = make_user(roles.SUPERVISOR)
    assert selectors.district_calendar().is_business_day(date(2026, 12, 24))
    services.closure_day_add(actor=supervisor, day=date(2026, 12, 24), reason="Board: Christmas Eve closure")
    calendar = selectors.district_calendar()
    assert not calendar.is_business_day(date(2026, 12, 24))
    assert calendar.next_business_day(date(2026, 12, 23)) == date(2026, 12, 28)
    with pytest.raises(services.CoreError, match="already a closure day"):
        services.closure_day_add(actor=supervisor, day=date(2026, 12, 24), reason="again")
    services.closure_day_remove(actor=supervisor, closure=ClosureDay.objects.get(), reason="Board reversed")
    assert selectors.district_calendar().is_business_day(date(2026, 12, 24))
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "closure_day.add", "closure_day.remove",
    ]  # fmt: skip


def test_district_settings_update_is_audited(make_user):
    supervisor = make_user(roles.SUPERVISOR)
    services.district_settings_update(actor=supervisor, reason="New hours", office_closes=time(16, 30))
    assert selectors.district_settings().office_closes == time(16, 30)
    event = AuditEvent.objects.get(action="district.update")
    assert event.changes == {"office_closes": ["17:00:00", "16:30:00"]} and event.reason == "New hours"
    with pytest.raises(services.CoreError, match="close after it opens"):
        services.district_settings_update(actor=supervisor, office_closes=time(7, 0))
    assert selectors.district_settings().office_closes == time(16, 30)


def test_district_page_lets_a_supervisor_add_a_closure(client, make_user):
    client.force_login(make_user(roles.SUPERVISOR))
    response = client.post(
        "/district/", {"add_closure": "1", "day": "2026-12-31", "reason": "Year-end audit"}
    )
    assert response.status_code == 302
    assert ClosureDay.objects.get().reason == "Year-end audit"


def test_auditor_sees_settings_but_cannot_change_them(client, make_user):
    client.force_login(make_user(roles.AUDITOR))
    assert client.get("/district/").status_code == 200
    assert (
        client.post("/district/", {"add_closure": "1", "day": "2026-12-31", "reason": "x"}).status_code == 403
    )
    assert not ClosureDay.objects.exists()


def test_authority_limits_are_rows_and_the_highest_role_wins(make_user):
    assert AuthorityLimit.objects.get(role__name=roles.CSS_I, kind="adjustment").amount == 50
    user = make_user(roles.CSS_I)
    assert selectors.authority_limit(user=user, kind="adjustment") == 50
    AuthorityLimit.objects.filter(role__name=roles.CSS_I, kind="adjustment").update(amount=75)
    assert selectors.authority_limit(user=user, kind="adjustment") == 75
    user.groups.add(*type(user.groups.first()).objects.filter(name=roles.CSS_II))
    assert selectors.authority_limit(user=user, kind="adjustment") == 500
    assert selectors.authority_limit(user=make_user(roles.FIELD_TECHNICIAN), kind="adjustment") == 0


def test_user_audit_page(client, make_user, start_account, css1):
    start_account()
    client.force_login(make_user(roles.CSS_II, username="lead"))
    page = client.get(f"/audit/users/{css1.pk}/").content.decode()
    assert "account.start" in page
    with pytest.raises(PermissionDenied):
        from cistern.core.permissions import require

        require(css1, "core.view_user_audit")


def test_the_district_page_saves_the_proration_window_and_bill_settings(client, make_user):
    client.force_login(make_user(roles.SUPERVISOR))
    form = client.get("/district/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        office_opens="08:00", office_closes="17:00", regular_period_min_days=26, bill_due_days=21,
        bill_high_percent=75, reason="Board resolution 26-07", save_settings="1",
    )  # fmt: skip
    response = client.post("/district/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    district = selectors.district_settings()
    assert (district.regular_period_min_days, district.bill_due_days, district.bill_high_percent) == (
        26,
        21,
        75,
    )
