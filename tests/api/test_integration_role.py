"""The Integration role: machines (AMI head-ends, the payment processor, the IVR) work through API tokens only;
reads with source ami/amr and batches of reads are theirs; a field technician posts reads only for the meters of
their own open orders; tokens are made and revoked through audited services."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from cistern.api.models import ApiToken
from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.fieldwork import services as fieldwork
from cistern.metering import services as metering
from cistern.metering.models import Read
from tests.metering.test_import import installer, meter_at  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _post(client, token, *reads):
    return client.post(
        "/api/v1/reads", {"reads": list(reads)}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def _read(serial, value, source="ami", on="2026-02-02"):
    return {"meter_serial": serial, "read_on": on, "value": value, "source": source}


def _token(username) -> str:
    out = StringIO()
    call_command("create_api_token", username, "--name", "test", stdout=out)
    return out.getvalue().strip()


def test_an_integration_user_cannot_sign_in_on_the_web(client, make_user):
    """Problem seen: a machine's user (the AMI head-end's) could sign in on the web pages with its password.
    The sign-in form refuses it with a clear message, and a session it somehow holds opens no page."""
    machine = make_user(roles.INTEGRATION, username="headend")
    response = client.post("/login/", {"username": "headend", "password": PASSWORD})
    assert response.status_code == 200
    assert "It does not sign in on the web; it uses its API token." in response.content.decode()
    assert "_auth_user_id" not in client.session
    client.force_login(machine)
    assert client.get("/").status_code == 403
    assert client.get("/admin/").status_code == 403
    # A person with the Integration role among their office roles still signs in.
    person = make_user(roles.CSS_I, username="clerk_who_tests_ami")
    person.groups.add(*roles_groups(roles.INTEGRATION))
    client.logout()
    response = client.post("/login/", {"username": "clerk_who_tests_ami", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def roles_groups(*names):
    from django.contrib.auth.models import Group

    return list(Group.objects.filter(name__in=names))


def test_an_integration_token_posts_ami_reads_in_a_batch(client, make_user, meter_at):  # noqa: F811
    meter_at(serial="AMI-1")
    meter_at(serial="AMI-2")
    make_user(roles.INTEGRATION, username="headend")
    response = _post(client, _token("headend"), _read("AMI-1", "10.50"), _read("AMI-2", "4", source="amr"))
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 2
    stored = Read.objects.exclude(kind="initial").order_by("meter__serial")
    assert [(r.meter.serial, r.source, str(r.value)) for r in stored] == [
        ("AMI-1", "ami", "10.50"),
        ("AMI-2", "amr", "4.00"),
    ]
    assert {r.created_by.username for r in stored} == {"headend"}


def test_other_roles_posting_ami_or_a_batch_get_403(client, token_for, meter_at):  # noqa: F811
    """Problem seen: any token allowed to add a read (a CSS I's, a technician's) could post AMI reads and whole
    batches, as if it were the head-end. Those belong to the Integration role: 403, nothing stored."""
    meter_at(serial="AMI-1")
    token = token_for(roles.CSS_I)
    response = _post(client, token, _read("AMI-1", "10", source="ami"))
    assert (
        response.status_code == 403
        and "come from the district's AMI/AMR systems" in response.json()["detail"]
    )
    assert _post(client, token, _read("AMI-1", "10", source="AMR")).status_code == 403
    response = _post(
        client, token, _read("AMI-1", "10", "handheld"), _read("AMI-1", "11", "handheld", "2026-03-02")
    )
    assert response.status_code == 403 and "Batches of reads" in response.json()["detail"]
    assert not Read.objects.exclude(kind="initial").exists()
    # One read the clerk took from the customer on the phone is theirs to post.
    response = _post(client, token, _read("AMI-1", "10", source="manual"))
    assert response.status_code == 200 and response.json()["accepted"] == 1


@pytest.fixture
def orders(meter_at, make_user):  # noqa: F811
    """A technician with a dispatched final-read order at meter ON-ORDER's premise; meter ELSEWHERE on no order of
    theirs (an order at its premise is another technician's)."""
    boss = make_user(roles.SUPERVISOR, username="dispatcher")
    tech = make_user(roles.FIELD_TECHNICIAN, username="reader_tech")
    other = make_user(roles.FIELD_TECHNICIAN, username="other_tech")
    mine = meter_at(serial="ON-ORDER")
    theirs = meter_at(serial="ELSEWHERE")
    for meter, who in ((mine, tech), (theirs, other)):
        premise = meter.installations.get().service_point.premise
        order = fieldwork.order_create(
            actor=boss,
            order_type=fieldwork.order_type_get("reread"),
            premise=premise,
            requested_on=date(2026, 2, 2),
        )
        fieldwork.order_schedule(actor=boss, order=order, scheduled_on=date(2026, 2, 2), technician=who)
    return tech, mine, theirs


def test_a_technician_reads_only_meters_on_their_open_orders(client, orders):
    """Problem seen: a field technician could post a read for any meter in the district. A technician reads the
    meters of their own open orders; the rule is in metering's service, so the API and the pages agree."""
    tech, mine, theirs = orders
    with pytest.raises(PermissionDenied, match="ELSEWHERE is not on one of your open service orders"):
        metering.read_record(actor=tech, meter=theirs, read_on=date(2026, 2, 2), value="7", source="handheld")
    read = metering.read_record(
        actor=tech, meter=mine, read_on=date(2026, 2, 2), value="7", source="handheld"
    )
    assert read.created_by == tech and read.meter == mine
    token = _token(tech.username)
    response = _post(client, token, _read("ELSEWHERE", "8", source="handheld", on="2026-02-03"))
    assert response.status_code == 403 and "ELSEWHERE" in response.json()["detail"]
    response = _post(client, token, _read("ON-ORDER", "8", source="handheld", on="2026-02-03"))
    assert response.status_code == 200 and response.json()["rejected"] == 0, response.content
    stored = Read.objects.get(meter=mine, read_on=date(2026, 2, 3))  # stored (judged like any read)
    assert (stored.value, stored.created_by) == (8, tech)
    assert list(Read.objects.filter(meter=theirs).exclude(kind="initial")) == []


def test_tokens_are_made_and_revoked_through_audited_services(client, make_user, django_user_model):
    machine = make_user(roles.INTEGRATION, username="ivr")
    key = _token("ivr")
    token = ApiToken.objects.get(user=machine)
    made = AuditEvent.objects.get(action="apitoken.create", object_id=str(token.pk))
    assert made.changes == {"user": [None, "ivr"], "name": [None, "test"], "prefix": [None, key[:8]]}
    assert key not in str(made.changes)  # only the prefix is kept, never the key
    account = "/api/v1/accounts?q=x"
    assert client.get(account, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # Revoked in admin by the district's administrator: the key stops working at once.
    root = django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    client.force_login(root)
    response = client.post(
        f"/admin/api/apitoken/{token.pk}/change/", {"revoke": "on", "reason": "IVR replaced", "_save": "Save"}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = AuditEvent.objects.get(action="apitoken.revoke", object_id=str(token.pk))
    assert revoked.actor == root and revoked.reason == "IVR replaced"
    assert revoked.changes == {"revoked_at": [None, token.revoked_at.isoformat()]}
    client.logout()
    assert client.get(account, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    # The command revokes by the prefix admin lists, audited the same way.
    second = _token("ivr")
    out = StringIO()
    call_command(
        "revoke_api_token", "--reason", "Leaked in a log", "--", second[:8], stdout=out
    )  # may start "-"
    assert "Revoked" in out.getvalue()
    again = AuditEvent.objects.filter(action="apitoken.revoke").order_by("-id").first()
    assert again.reason == "Leaked in a log" and again.object_id != str(token.pk)


def test_the_demo_has_an_integration_user_without_a_password():
    call_command("create_demo_users", stdout=StringIO())
    ami = get_user_model().objects.get(username="ami")
    assert list(ami.groups.values_list("name", flat=True)) == [roles.INTEGRATION]
    assert not ami.has_usable_password() and not ami.is_staff
