"""Building blocks for field-work tests: users, a meter at a premise, a small real image."""

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cistern.core import roles
from cistern.metering import services as metering
from cistern.metering.models import Meter, ServicePoint


def user(username: str, role: str):
    made = get_user_model().objects.create_user(username=username, password="a-long-test-password")
    made.groups.add(Group.objects.get(name=role))
    return get_user_model().objects.get(pk=made.pk)


def meter_at(
    premise, *, actor, serial: str, installed_on=date(2026, 10, 1), initial="100", route=None, sequence=0
):
    point = ServicePoint.objects.create(premise=premise, route=route, read_sequence=sequence)
    meter = Meter.objects.create(serial=serial, size="3/4", make="Badger")
    metering.meter_install(
        actor=actor, meter=meter, service_point=point, installed_on=installed_on, initial_value=initial
    )
    return point, meter


def png(name="meter.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 90, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def supervisor(username="fw_supervisor"):
    return user(username, roles.SUPERVISOR)


def technician(username="fw_tech"):
    return user(username, roles.FIELD_TECHNICIAN)
