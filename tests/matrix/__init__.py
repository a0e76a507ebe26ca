"""The permission matrix, one module per app: each module lists its pages and POST endpoints with the
permission they need, builds what its URLs point at, and makes the URLs. tests/test_permissions.py
checks every URL of the project against the union of these modules.

A module defines:
    PAGES: {url name: permission or None}            GET answers 200 with it, 403 without
    POSTS: {url name: (permission, form data)}       POST answers 302 with it, 403 without
    build(world) -> dict                             objects its URLs need (world has account, flag, user...)
    url(name, world) -> str
"""

import importlib
import pkgutil


def modules():
    return [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
