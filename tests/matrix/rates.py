"""Rates: the rate tables and the bill estimator (rates.view_rateschedule)."""

from cistern.demo.rates import load_rates

PAGES = {
    "rates:tables": "rates.view_rateschedule",
    "rates:estimate": "rates.view_rateschedule",
}
POSTS = {}


def build(world):
    load_rates()
    return {}


def url(name, world):
    return {
        "rates:tables": "/rates/",
        "rates:estimate": "/rates/estimate/?meter_size=3%2F4&rate_class=residential&units=12&days=30&on=2026-11-01",
    }[name]
