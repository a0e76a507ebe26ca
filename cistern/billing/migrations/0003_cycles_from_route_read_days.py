from django.db import migrations


def cycles_from_routes(apps, schema_editor):
    """A route's read day moves to a bill cycle: one cycle per read day, holding the routes read on it."""
    Route = apps.get_model("metering", "Route")
    BillCycle = apps.get_model("billing", "BillCycle")
    CycleRoute = apps.get_model("billing", "CycleRoute")
    for route in Route.objects.filter(cycle_route__isnull=True).order_by("read_day", "code"):
        cycle, _ = BillCycle.objects.get_or_create(
            code=f"D{route.read_day:02d}",
            defaults={"name": f"Read day {route.read_day}", "read_day": route.read_day,
                      "bill_day": min(28, route.read_day + 3)},
        )  # fmt: skip
        CycleRoute.objects.create(cycle=cycle, route=route)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_database_guards"), ("metering", "0002_read_indexes_for_bulk_import")]

    operations = [migrations.RunPython(cycles_from_routes, migrations.RunPython.noop)]
