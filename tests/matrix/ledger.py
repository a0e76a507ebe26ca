"""Ledger: the daily GL summary (ledger.view_glaccount)."""

PAGES = {"ledger:gl_summary": "ledger.view_glaccount"}
POSTS = {}


def build(world):
    return {}


def url(name, world):
    return {"ledger:gl_summary": "/ledger/gl/?on=2026-10-05"}[name]
