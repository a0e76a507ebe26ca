"""Read imports: the upload page and an import's result page (metering.import_reads)."""

from datetime import date

from cistern.metering.models import Meter, MeterInstallation, Read, ReadImport, ServicePoint

PAGES = {
    "metering:import_reads": "metering.import_reads",
    "metering:import_detail": "metering.import_reads",
}


class _File:
    """A tiny read file the test client can send for every role (it reads the file each time)."""

    name = "matrix-reads.csv"
    content_type = "text/csv"

    def read(self):
        return b"meter_serial,read_date,value,source\nIMP-MX-1,2026-02-02,12,handheld\n"


# A permitted POST imports the file and redirects to its result page.
POSTS = {"metering:import_reads": ("metering.import_reads", {"file": _File()})}


def build(world):
    meter = Meter.objects.create(serial="IMP-MX-1", size="3/4", status="installed")
    point = ServicePoint.objects.create(premise=world["account"].premise)
    installation = MeterInstallation.objects.create(
        meter=meter, service_point=point, installed_on=date(2026, 1, 2), initial_value=0
    )
    Read.objects.create(
        meter=meter, installation=installation, read_on=date(2026, 1, 2), value=0, kind="initial",
        source="service_order", status="accepted", consumption=0,
    )  # fmt: skip
    earlier = ReadImport.objects.create(
        file_name="earlier.csv", sha256="0" * 64, rows=0, imported_by=world["user"]
    )
    return {"read_import": earlier}


def url(name, world):
    return {
        "metering:import_reads": "/meters/imports/",
        "metering:import_detail": f"/meters/imports/{world['read_import'].pk}/",
    }[name]
