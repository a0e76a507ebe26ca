"""The upload page: every error listed, or the counts and the way to the exception queue."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cistern.metering.models import Read, ReadImport

from . import test_import

pytestmark = pytest.mark.django_db
clerk, installer, meter_at = test_import.clerk, test_import.installer, test_import.meter_at  # the fixtures
HEADER = test_import.HEADER


def _upload(client, name, text):
    return client.post(reverse("metering:import_reads"), {"file": SimpleUploadedFile(name, text.encode())})


def test_the_page_is_a_plain_form(client, clerk):
    client.force_login(clerk)
    page = client.get("/meters/imports/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'type="file"' in page and "<script" not in page.split("</head>")[1] and "style=" not in page


def test_a_malformed_file_shows_every_error_and_writes_nothing(client, clerk, meter_at):
    meter_at(serial="S-1")
    client.force_login(clerk)
    text = HEADER + "S-1,2026-13-01,10,handheld,,\nS-9,2026-02-02,x,handheld,,\nS-1,2026-03-02,12,sonar,,\n"
    response = _upload(client, "route7.csv", text)
    assert response.status_code == 200
    page = response.content.decode()
    for error in [
        "route7.csv:2:read_date: &quot;2026-13-01&quot; is not a date (YYYY-MM-DD or MM/DD/YYYY)",
        "route7.csv:3:meter_serial:",
        "route7.csv:3:value:",
        "route7.csv:4:source:",
    ]:
        assert error in page
    assert "4 errors" in page and not ReadImport.objects.exists()


def test_a_good_file_shows_its_counts_and_the_queue(client, clerk, meter_at):
    meter_at(serial="S-1")
    meter_at(serial="S-2", account=False)
    client.force_login(clerk)
    text = HEADER + "S-1,2026-02-02,10,handheld,,\nS-2,2026-02-02,10,handheld,,\n"
    response = _upload(client, "feb.csv", text)
    read_import = ReadImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meters/imports/{read_import.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "feb.csv imported." in page
    assert "<th>Accepted</th><td>1</td>" in page and "<td>1</td>" in page
    assert f'href="{reverse("metering:exceptions")}"' in page
    # The same file again: nothing changes, the clerk is told when and by whom.
    again = _upload(client, "feb.csv", text)
    assert again["Location"] == f"/meters/imports/{read_import.pk}/"
    assert "already imported on" in client.get(again["Location"]).content.decode()
    assert ReadImport.objects.count() == 1 and Read.objects.filter(read_import=read_import).count() == 2
    assert "feb.csv" in client.get("/meters/imports/").content.decode()  # recent imports
