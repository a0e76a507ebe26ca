"""Every page, every role: 403 without the permission, the page with it, and the menu shows only what opens."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from cistern.core import roles
from cistern.core.models import ClosureDay

pytestmark = pytest.mark.django_db

# url name -> (permission needed for GET, or None for any signed-in user; builds its URL from an account)
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
    "customers:flag_add": "customers.add_accountflag",
    "customers:flag_end": "customers.change_accountflag",
}
# POST-only endpoints: (permission, what a POST needs)
POSTS = {
    "customers:contact_add": "customers.add_contactentry",
    "closure_day_remove": "core.delete_closureday",
}
NOT_IN_MATRIX = {"login", "logout"}  # open to everyone / sign-out for everyone; tested in test_auth


def _names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in ("admin", "api") or str(entry.pattern).startswith(("admin/", "api/")):
                continue
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_every_url_is_in_the_matrix():
    assert set(_names()) == set(PAGES) | set(POSTS) | NOT_IN_MATRIX


@pytest.fixture
def world(start_account, css2):
    from cistern.customers import services

    account = start_account()
    flag = services.flag_add(
        actor=css2, account=account, kind="medical", starts_on=date(2026, 11, 1), expires_on=None,
        reason="Dr. Patel, certified",
    )  # fmt: skip
    closure = ClosureDay.objects.create(day=date(2026, 12, 24), reason="Board closure")
    return {"account": account, "flag": flag, "closure": closure, "user": css2}


def _url(name, world):
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
        "customers:flag_add": f"/accounts/{n}/flags/",
        "customers:flag_end": f"/accounts/{n}/flags/{world['flag'].pk}/end/",
        "customers:contact_add": f"/accounts/{n}/contacts/",
        "closure_day_remove": f"/district/closures/{world['closure'].pk}/remove/",
    }[name]


def _role_has(role, permission):
    if permission is None:
        return True
    return permission in roles.ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", roles.ROLES)
def test_get_matrix(role, world, client, make_user):
    user = make_user(role, username=f"matrix_{role}")
    client.force_login(user)
    for name, permission in PAGES.items():
        response = client.get(_url(name, world))
        expected = 200 if _role_has(role, permission) else 403
        assert response.status_code == expected, (
            f"{role} GET {name}: {response.status_code}, expected {expected}"
        )


@pytest.mark.parametrize("role", roles.ROLES)
def test_post_matrix(role, world, client, make_user):
    user = make_user(role, username=f"matrix_{role}")
    client.force_login(user)
    for name, permission in POSTS.items():
        data = {"channel": "phone", "subject": f"Matrix {role}"} if name == "customers:contact_add" else {}
        response = client.post(_url(name, world), data)
        allowed = _role_has(role, permission)
        assert (response.status_code != 403) == allowed, f"{role} POST {name}: {response.status_code}"
        if allowed:
            assert response.status_code == 302


def test_anonymous_is_sent_to_sign_in(world, client):
    for name in PAGES:
        response = client.get(_url(name, world))
        assert response.status_code == 302 and response["Location"].startswith("/login/"), name


@pytest.mark.parametrize("role", roles.ROLES)
def test_menu_shows_only_what_the_role_may_open(role, client, make_user):
    client.force_login(make_user(role, username=f"menu_{role}"))
    page = client.get("/").content.decode()
    for href, permission in [
        ("/accounts/start/", "customers.start_service"),
        ("/audit/users/", "core.view_user_audit"),
        ("/district/", "core.view_districtsettings"),
    ]:
        assert (f'href="{href}"' in page) == _role_has(role, permission), f"{role} menu {href}"


def test_roles_are_the_groups_and_match_the_data():
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLES)
    for role in roles.ROLES:
        group = Group.objects.get(name=role)
        have = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert have == set(roles.ROLE_PERMISSIONS[role]), role


def test_auditor_is_read_only():
    writes = [p for p in roles.ROLE_PERMISSIONS[roles.AUDITOR] if not p.split(".")[1].startswith("view_")]
    assert writes == []
