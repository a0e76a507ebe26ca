import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def test_sign_in_and_out(client, css1):
    response = client.post("/login/", {"username": css1.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert (
        "Casey" not in client.get("/").content.decode()
    )  # fixture user has no name; the page shows username
    assert css1.username in client.get("/").content.decode()
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2(css1):
    assert get_user_model().objects.get(pk=css1.pk).password.startswith("argon2")


def test_lockout_after_five_failures_even_with_the_right_password(client, css1):
    for _ in range(5):
        response = client.post("/login/", {"username": css1.username, "password": "wrong"})
    response = client.post("/login/", {"username": css1.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get("/").status_code == 302  # still signed out


def test_session_expires_when_idle_and_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_content_security_policy_allows_no_inline_script(client, css1):
    client.force_login(css1)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "<script>" not in response.content.decode()  # every script is a file from 'self'
    assert " style=" not in response.content.decode()


def test_forms_carry_a_csrf_token_and_posts_without_it_are_refused(css1):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(css1)
    assert "csrfmiddlewaretoken" in strict.get("/accounts/start/").content.decode()
    assert strict.post("/accounts/start/", {}).status_code == 403


def test_a_users_permissions_are_their_own_and_their_roles_read_in_one_query(
    make_user, django_assert_num_queries
):
    from django.contrib.auth.models import Permission

    from cistern.core import roles

    user = make_user(roles.CASHIER, username="rosa")
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    user = get_user_model().objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert user.has_perm("payments.use_drawer")  # the Cashier role's
        assert user.has_perm("core.view_auditevent")  # her own
        assert not user.has_perm("payments.audit_drawer")  # a lead's
        assert not user.has_perm("core.change_districtsettings")
    assert user.get_all_permissions() == set(roles.ROLE_PERMISSIONS[roles.CASHIER]) | {"core.view_auditevent"}
    user.is_active = False
    assert not user.has_perm("payments.use_drawer")
    boss = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    assert boss.has_perm("core.change_districtsettings")
