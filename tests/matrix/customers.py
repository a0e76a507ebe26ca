from datetime import date

from cistern.core.models import ClosureDay, Holiday

PAGES = {
    "home": None,
    "search": None,
    "user_audit_index": "core.view_user_audit",
    "user_audit": "core.view_user_audit",
    "district_settings": "core.view_districtsettings",
    "customers:start": "customers.start_service",
    "customers:premise_lookup": "customers.start_service",
    "customers:account": "customers.view_account",
    "customers:customer_edit": "customers.change_customer",
    "customers:transfer": "customers.transfer_service",
    "customers:stop": "customers.stop_service",
    "customers:relationship_correct": "customers.start_service",
    "customers:flag_add": "customers.add_accountflag",
    "customers:flag_end": "customers.change_accountflag",
}
POSTS = {
    "customers:contact_add": ("customers.add_contactentry", {"channel": "phone", "subject": "Matrix"}),
    "closure_day_remove": ("core.delete_closureday", {}),
    "holiday_observed": ("core.change_holiday", {"observed": "0"}),
}


def build(world):
    holiday, _ = Holiday.objects.get_or_create(
        day=date(2026, 11, 27), defaults={"name": "Day After Thanksgiving"}
    )
    return {
        "closure": ClosureDay.objects.create(day=date(2026, 12, 24), reason="Board closure"),
        "holiday": holiday,
    }


def url(name, world):
    n = world["account"].number
    return {
        "home": "/",
        "search": "/search/?q=sunburst",
        "user_audit_index": "/audit/users/",
        "user_audit": f"/audit/users/{world['user'].pk}/",
        "district_settings": "/district/",
        "customers:start": "/accounts/start/",
        "customers:premise_lookup": "/accounts/premises/lookup/?q=sun",
        "customers:account": f"/accounts/{n}/",
        "customers:customer_edit": f"/accounts/{n}/customer/",
        "customers:transfer": f"/accounts/{n}/transfer/",
        "customers:stop": f"/accounts/{n}/stop/",
        "customers:relationship_correct": f"/accounts/{n}/relationship/",
        "customers:flag_add": f"/accounts/{n}/flags/",
        "customers:flag_end": f"/accounts/{n}/flags/{world['flag'].pk}/end/",
        "customers:contact_add": f"/accounts/{n}/contacts/",
        "closure_day_remove": f"/district/closures/{world['closure'].pk}/remove/",
        "holiday_observed": f"/district/holidays/{world['holiday'].pk}/observed/",
    }[name]
