from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "cistern.customers"
    label = "customers"
    verbose_name = "Customers and accounts"

    def ready(self):
        from django.db.models.signals import post_migrate

        from cistern.core import search

        from . import panels, search_index, selectors

        post_migrate.connect(search_index.after_migrate, dispatch_uid="cistern_customers_search_index")

        panels.register_all()
        search.register(
            search.SearchProvider(
                kind="account",
                permission="customers.view_account",
                search=selectors.account_search_hits,
                notice=selectors.check_digit_notice,
            )
        )
