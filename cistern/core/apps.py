from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "cistern.core"
    label = "core"
    verbose_name = "District"

    def ready(self):
        from . import logs, services

        logs.connect_task_events()  # a task.started and a task.finished line for every task

        # After every migrate (and every test-database flush) the roles match core/roles.py.
        post_migrate.connect(services.after_migrate, dispatch_uid="cistern_roles_sync")
        # ...and the holidays package's years around today are on the district's holiday list.
        post_migrate.connect(
            services.holidays_after_migrate, sender=self, dispatch_uid="cistern_holidays_load"
        )
