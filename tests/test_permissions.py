"""Every page, every role: 403 without the permission, the page with it, and the menu shows only what opens."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from cistern.core import roles

from .matrix import modules

pytestmark = pytest.mark.django_db

MODULES = modules()
PAGES = {name: (permission, m) for m in MODULES for name, permission in m.PAGES.items()}
POSTS = {name: (permission, data, m) for m in MODULES for name, (permission, data) in m.POSTS.items()}
# open to everyone / sign-out for everyone (tested in test_auth); the calendar feed answers to its secret URL
# with no sign-in, for Outlook (tests/schedule/test_feeds.py); the health check answers the load balancer with no
# sign-in and tells only ok or what fails (tests/deploy/test_healthz.py)
NOT_IN_MATRIX = {"login", "logout", "schedule:ical", "healthz"}


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
    world = {"account": account, "flag": flag, "user": css2}
    for module in MODULES:
        world.update(module.build(world))
    return world


def _role_has(role, permission):
    if role == roles.INTEGRATION:
        return False  # a machine's user: no web page at all (its session is ended, the page refused)
    if permission is None:
        return True
    return permission in roles.ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", roles.ROLES)
def test_get_matrix(role, world, client, make_user):
    user = make_user(role, username=f"matrix_{role}")
    client.force_login(user)
    for name, (permission, module) in PAGES.items():
        response = client.get(module.url(name, world))
        expected = 200 if _role_has(role, permission) else 403
        assert response.status_code == expected, (
            f"{role} GET {name}: {response.status_code}, expected {expected}"
        )


@pytest.mark.parametrize("role", roles.ROLES)
def test_post_matrix(role, world, client, make_user):
    user = make_user(role, username=f"matrix_{role}")
    client.force_login(user)
    for name, (permission, data, module) in POSTS.items():
        response = client.post(module.url(name, world), data)
        allowed = _role_has(role, permission)
        assert (response.status_code != 403) == allowed, f"{role} POST {name}: {response.status_code}"
        if allowed:
            assert response.status_code == 302


def test_anonymous_is_sent_to_sign_in(world, client):
    for name, (_, module) in PAGES.items():
        response = client.get(module.url(name, world))
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
