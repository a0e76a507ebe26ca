"""What the rates app may no longer change: the days posted bills cover (rates.services asks through its registry,
since rates sits below billing)."""

from datetime import date

from .models import Bill


def posted_bills_cover(start: date, end: date | None) -> bool:
    """Does a posted bill (cancelled ones too: they were rated) cover a day in [start, end)? A bill's period
    runs from period_start through period_end, the days its rates were looked up for."""
    bills = Bill.objects.filter(period_end__gte=start)
    if end is not None:
        bills = bills.filter(period_start__lt=end)
    return bills.exists()
