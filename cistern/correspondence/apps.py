from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CorrespondenceConfig(AppConfig):
    name = "cistern.correspondence"
    label = "correspondence"
    verbose_name = "Correspondence"

    def ready(self):
        from cistern.core import panels, queues

        from . import registry

        panels.register(registry.letters_panel)
        queues.register(registry.returned_mail_queue)
        # After every migrate (and a test database's flush) the shipped templates that are missing are back.
        post_migrate.connect(registry.seed_after_migrate, sender=self, dispatch_uid="correspondence_seed")
