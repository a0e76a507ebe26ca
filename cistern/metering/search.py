"""The global search provider for meters: a serial, exact (rank 0) or a prefix (rank 5)."""

from django.urls import reverse

from cistern.core.search import SearchHit

from . import selectors


def hits(query: str, limit: int) -> list[SearchHit]:
    out = []
    for rank, meter, account in selectors.meter_search(query, limit):
        inst = meter.current_installation
        where = inst.service_point.premise.service_address if inst else "not installed"
        if account is not None:
            title, url = account.customer.name, reverse("customers:account", args=[account.number])
            where = f"{where} · account {account.number}"
        else:
            title, url = "Meter " + meter.serial, reverse("metering:meter", args=[meter.serial])
        out.append(
            SearchHit(
                kind="meter", rank=rank, title=title, subtitle=f'Meter {meter.size}" {meter.make} · {where}',
                url=url, key=meter.serial, status=meter.get_status_display(),
            )
        )  # fmt: skip
    return out
