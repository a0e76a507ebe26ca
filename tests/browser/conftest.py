"""Browser tests: a real server on its own database (demo district, demo users) and Debian's Chromium.

The server runs as a separate process, as in production, so the tests see only what a clerk sees.
Its database is a fresh SQLite file, or a fresh PostgreSQL database when DATABASE_URL points at one.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_DB = "cistern_browser_tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BROWSER_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BROWSER_DB}")
    return f"{base}/{BROWSER_DB}"


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp),
        "CISTERN_VAR_DIR": str(tmp),
        "CISTERN_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "cistern.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate", "--no-input"], ["seed_district", "--accounts", "400", "--seed", "7"],
                 ["create_demo_users"]):  # fmt: skip
        subprocess.run(manage + args, env=env, check=True, cwd=ROOT, capture_output=True)
    port = _free_port()
    log = open(tmp / "server.log", "w")  # noqa: SIM115 (open for the server's lifetime)
    process = subprocess.Popen(
        manage + ["runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=1)  # noqa: S310 (loopback)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"server did not start: {(tmp / 'server.log').read_text()}") from None
            time.sleep(0.2)

    def manage_py(*args) -> str:
        done = subprocess.run(
            manage + list(args), env=env, check=True, cwd=ROOT, capture_output=True, text=True
        )
        return done.stdout

    yield {"url": url, "manage": manage_py}
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        # Never a skip: a browser test that did not run has not passed.
        pytest.fail("Debian chromium is not installed: apt-get install chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


SUPERUSER = ("root", "root-demo-pass")
MAKE_SUPERUSER = (
    "from django.contrib.auth import get_user_model; users = get_user_model().objects; "
    "users.filter(username='{0}').exists() or "
    "users.create_superuser('{0}', '{0}@example.org', '{1}', first_name='Sam', last_name='Root')"
)


@pytest.fixture(scope="session")
def superuser(server):
    """A Django superuser (every permission, every menu) on the test server: (user name, password)."""
    server["manage"]("shell", "-c", MAKE_SUPERUSER.format(*SUPERUSER))
    return SUPERUSER
