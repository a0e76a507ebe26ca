"""gunicorn with the production settings, as a district runs it (deploy/cistern-web.service): a scratch database
on the engine of the test run, migrated, the static files collected, the task worker's heartbeat written by
`manage.py db_worker`, then the sign-in page through the proxy's header, a static file, an API call with a token,
and /healthz asked directly, as a load balancer does. Its log lines are JSON and carry no query string."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "localhost"
SUPERVISOR_PASSWORD = "Reservoir-at-dawn-7"

MAKE_TOKEN = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from cistern.api import services
from cistern.core import roles
user = get_user_model().objects.create(username="headend")
user.set_unusable_password()
user.save()
user.groups.add(Group.objects.get(name=roles.INTEGRATION))
print(services.token_create(actor=None, user=user, name="gunicorn test", reason="test")[1])
"""


@contextmanager
def scratch_database(tmp: Path) -> Iterator[str]:
    """A new database on the engine of the test run: a uniquely named PostgreSQL database, dropped after, or a
    SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / 'cistern.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"cistern_gunicorn_{uuid.uuid4().hex[:12]}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


class Site:
    def __init__(self, port: int, log: Path, token: str, env: dict):
        self.port, self.log, self.token, self.env = port, log, token, env

    def get(self, path: str, **headers: str) -> http.client.HTTPResponse:
        return self.request("GET", path, **headers)

    def request(
        self, method: str, path: str, body: str | None = None, **headers: str
    ) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers={"Host": HOST, **headers})
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        return response

    def secure_get(self, path: str, **headers: str) -> http.client.HTTPResponse:
        return self.secure_request("GET", path, **headers)

    def secure_request(self, method: str, path: str, body: str | None = None, **headers: str):
        """As the proxy forwards a request that came over TLS (deploy/nginx-cistern.conf)."""
        return self.request(method, path, body, **{"X-Forwarded-Proto": "https", **headers})

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]


def _wait_until_up(site: Site, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited {process.returncode}:\n{site.log.read_text()[-3000:]}")
        try:
            site.get("/healthz")
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"gunicorn did not answer:\n{site.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("gunicorn")
    with scratch_database(tmp) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CISTERN_", "PYTEST_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="cistern.settings_production",
            DATABASE_URL=url,
            CISTERN_SECRET_KEY=uuid.uuid4().hex * 2,
            CISTERN_ALLOWED_HOSTS=HOST,
            CISTERN_FIELD_KEY=Fernet.generate_key().decode(),
            CISTERN_VAR_DIR=str(tmp / "var"),
            CISTERN_TASKS="database",
            CISTERN_WEB_WORKERS="1",
        )
        _manage(env, "migrate", "--no-input")
        _manage(env, "collectstatic", "--no-input")
        token = _manage(env, "shell", "--no-imports", "-c", MAKE_TOKEN).strip().splitlines()[-1]
        supervisor = {**env, "CISTERN_SUPERVISOR_PASSWORD": SUPERVISOR_PASSWORD}
        _manage(supervisor, "create_supervisor", "morgan", "--first-name", "Morgan", "--last-name", "Lee")
        # The worker: processes the (empty) queue once and writes its heartbeat, as its unit does every minute.
        _manage(env, "db_worker", "--batch", "--no-startup-delay")
        port = _free_port()
        log = tmp / "gunicorn.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "cistern.wsgi"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        site = Site(port, log, token, env)
        try:
            _wait_until_up(site, process)
            yield site
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_sign_in_page_through_the_proxy(site):
    response = site.secure_get("/login/")
    page = response.body.decode()
    assert response.status == 200
    assert "<h1>Sign in</h1>" in page and 'name="username"' in page and 'name="password"' in page
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert "Secure" in response.getheader("Set-Cookie")


def _cookies(response) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def test_the_first_supervisor_signs_in(site):
    """README, Production: `manage.py create_supervisor`, then the supervisor signs in through the proxy."""
    form = site.secure_get("/login/")
    csrf = _cookies(form)["csrftoken"]
    (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body.decode())
    signed_in = site.secure_request(
        "POST", "/login/", urlencode({"csrfmiddlewaretoken": token, "username": "morgan",
                                      "password": SUPERVISOR_PASSWORD}),
        **{"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}",
           "Cookie": f"csrftoken={csrf}"},
    )  # fmt: skip
    assert signed_in.status == 302 and signed_in.getheader("Location") == "/"
    session = _cookies(signed_in)["sessionid"]
    home = site.secure_get("/", Cookie=f"csrftoken={csrf}; sessionid={session}")
    assert home.status == 200
    assert '<span class="who">Morgan Lee</span>' in home.body.decode()
    assert SUPERVISOR_PASSWORD not in site.log.read_text()


def test_create_supervisor_refuses_a_weak_password(site):
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "create_supervisor", "quinn"],
        cwd=ROOT, env={**site.env, "CISTERN_SUPERVISOR_PASSWORD": "12345678"}, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1
    assert "password: This password is too short" in done.stderr and "entirely numeric" in done.stderr


def test_plain_http_is_sent_to_https(site):
    response = site.get("/login/")
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/login/"


def test_a_collected_static_file_under_its_hashed_name(site):
    page = site.secure_get("/login/").body.decode()
    (stylesheet,) = re.findall(r'href="(/static/cistern/cistern\.[0-9a-f]{12}\.css)"', page)
    response = site.secure_get(stylesheet)
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    assert b"{" in response.body
    assert "immutable" in response.getheader("Cache-Control")


def test_an_api_call_with_a_token(site):
    response = site.secure_get("/api/v1/accounts?q=Lopez", Authorization=f"Bearer {site.token}")
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json; charset=utf-8"
    assert json.loads(response.body) == []  # a new district: no accounts yet
    refused = site.secure_get("/api/v1/accounts?q=Lopez", Authorization="Bearer not-a-token")
    assert refused.status == 401


def test_healthz_asked_directly_without_the_proxy(site):
    """Plain HTTP to gunicorn, as a load balancer or a monitor on the machine asks: no redirect to HTTPS. The
    worker's heartbeat (written by db_worker above) is fresh: ok."""
    response = site.get("/healthz")
    assert response.status == 200
    assert json.loads(response.body) == {"status": "ok"}
    assert "no-store" in response.getheader("Cache-Control")


def test_the_log_is_json_lines_without_query_strings_or_tokens(site):
    site.secure_get("/api/v1/accounts?q=Lopez", Authorization=f"Bearer {site.token}")
    deadline = time.monotonic() + 10
    while not any(line.get("path") == "/api/v1/accounts" for line in site.lines()):
        assert time.monotonic() < deadline, site.log.read_text()[-3000:]
        time.sleep(0.2)
    text = site.log.read_text()
    assert all(line.startswith("{") for line in text.splitlines() if line.strip()), text[-3000:]
    api = [line for line in site.lines() if line.get("path") == "/api/v1/accounts"]
    assert api[-1]["event"] == "request" and api[-1]["method"] == "GET" and api[-1]["status"] == 200
    assert api[-1]["user"] == "headend"
    assert "Lopez" not in text and site.token not in text
    assert any(line["event"] == "log" and line["logger"] == "gunicorn.error" for line in site.lines())


def test_healthz_names_a_migration_migrated_back_until_migrate(site):
    """Last here: core really migrated back one step on the scratch database, then forward again."""
    newest, previous = sorted(p.stem for p in (ROOT / "cistern/core/migrations").glob("0*.py"))[-1:-3:-1]
    _manage(site.env, "migrate", "core", previous)
    response = site.get("/healthz")
    assert response.status == 503
    # The worker's heartbeat table may be among what was migrated back: then "worker" fails with it.
    assert json.loads(response.body)["failing"][0] == "migrations"
    _manage(site.env, "migrate", "core", newest)
    response = site.get("/healthz")
    assert "migrations" not in json.loads(response.body).get("failing", [])
    _manage(
        site.env, "db_worker", "--batch", "--no-startup-delay"
    )  # a heartbeat table migrated anew is empty
    response = site.get("/healthz")
    assert (response.status, json.loads(response.body)) == (200, {"status": "ok"})
