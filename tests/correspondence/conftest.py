import contextlib
import re
import socket
import zlib
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from cistern.core import clock, roles
from cistern.core.selectors import district_settings

TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def today():
    with clock.on(TODAY):
        yield TODAY


@pytest.fixture
def district(db):
    district = district_settings()
    district.name, district.street, district.city = (
        "Joshua Basin Water District",
        "61750 Chollita Rd",
        "Joshua Tree",
    )
    district.zip_code, district.phone, district.email = "92252", "(760) 366-8438", "info@jbwd.example"
    district.save()
    return district


@pytest.fixture
def billing_admin(make_user):
    return make_user(roles.BILLING_ADMIN)


@pytest.fixture
def auditor(make_user):
    return make_user(roles.AUDITOR)


@pytest.fixture
def cashier(make_user):
    return make_user(roles.CASHIER)


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISOR)


def page_text(pdf: bytes) -> str:
    """The text of a PDF's content streams (inflated when compressed), for looking words up."""
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            stream = zlib.decompress(stream)
        found.append(stream.decode("latin-1"))
    return "\n".join(found).replace("\\(", "(").replace("\\)", ")")


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django's SMTP backend talks to it."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    yield inbox
    controller.stop()
