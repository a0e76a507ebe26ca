"""Every report, registered in menu order by importing its group's module (apps.ready and urls.py import this)."""

import importlib

MODULES = ["cash", "receivables", "billing", "delinquency", "field", "programs", "audit"]
GROUP_ORDER = []
for _name in MODULES:
    GROUP_ORDER.append(importlib.import_module(f"{__package__}.{_name}").GROUP)
