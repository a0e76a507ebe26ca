"""The district's own 404, 403, 400 and 500 pages, DEBUG off unless a developer asks for it, static files served
with DEBUG off. Problem seen: `make run` served Django's debug 404 page, which lists every URL pattern of the
project to whoever mistypes an address."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from cistern.core import roles

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _settings_value(expression: str, **env) -> str:
    """`expression` in cistern.settings as `make run` loads them (a fresh process, this environment)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CISTERN_DEBUG")}
    environment.update(env, DJANGO_SETTINGS_MODULE="cistern.settings")
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_debug_is_off_unless_a_developer_asks():
    """`make run` has DEBUG off (no debug page listing URL patterns); CISTERN_DEBUG=1 turns it on."""
    assert _settings_value("settings.DEBUG") == "False"
    assert _settings_value("settings.DEBUG", CISTERN_DEBUG="1") == "True"
    hosts = _settings_value("settings.ALLOWED_HOSTS")
    assert "'127.0.0.1'" in hosts and "'localhost'" in hosts


def test_the_404_page_is_ours_and_lists_no_url_patterns(client, settings, make_user):
    """A mistyped address: the district's page with a way back, not Django's list of URL patterns."""
    settings.DEBUG = False
    client.force_login(make_user(roles.CSS_I))
    response = client.get("/accounts/nope/nothing-here/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-page"' in page and "Page not found" in page and 'href="/"' in page
    assert "URLconf" not in page and "api/v1/" not in page and "admin/" not in page
    assert 'class="topbar"' in page  # the site's header: the same look as every page


def test_an_anonymous_404_is_ours_too(settings):
    settings.DEBUG = False
    response = Client().get("/static/no-such-file.css")
    assert response.status_code in (302, 404)  # sign-in first, or our page
    assert b"URLconf" not in response.content


def test_the_403_page_is_ours(client, settings, make_user):
    settings.DEBUG = False
    client.force_login(make_user(roles.FIELD_TECHNICIAN))
    response = client.get("/billing/runs/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page and 'href="/"' in page and 'class="topbar"' in page


@pytest.mark.urls("tests.core.error_urls")
def test_the_500_page_renders_without_a_request_context(client, settings, make_user):
    """A bug in a view: our page (no traceback, no settings), rendered with no context processors."""
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(make_user(roles.CSS_I))
    response = client.get("/test-fails/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and 'href="/"' in page and "cistern.css" in page
    assert "Traceback" not in page and "RuntimeError" not in page and "SECRET" not in page


def test_a_nul_character_answers_the_400_page(client, settings, make_user):
    """A NUL in a query string (PostgreSQL refuses it in text: the page answered 500)."""
    settings.DEBUG = False
    client.force_login(make_user(roles.CSS_I))
    response = client.get("/field/orders/", {"status": "active\x00"})
    assert response.status_code == 400
    assert (
        "Request refused" in response.content.decode() and "status: holds a NUL" in response.content.decode()
    )


def test_static_files_are_served_with_debug_off(settings):
    """WhiteNoise serves the stylesheet with DEBUG off: `make run` needs no separate web server."""
    settings.DEBUG = False
    response = Client().get("/static/cistern/cistern.css")
    assert response.status_code == 200
    assert b".topbar" in b"".join(response.streaming_content)
