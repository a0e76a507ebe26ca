from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "cistern.metering"
    label = "metering"
    verbose_name = "Meters and reads"

    def ready(self):
        from cistern.core import search

        from . import counter, panels
        from . import search as meter_search

        panels.register_all()
        counter.register_all()
        search.register(
            search.SearchProvider(kind="meter", permission="metering.view_meter", search=meter_search.hits)
        )
