"""Global search: one box on every page. Each domain app registers a provider for what it owns
(accounts now; meters, service orders and receipts later), and the box shows their hits together."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "account", "meter", ...
    rank: int  # lower is better: 0 exact number, 10 name prefix, 20 phone, 30 other text
    title: str  # what the clerk reads first (name)
    subtitle: str  # address, status
    url: str
    key: str  # the number the clerk would type (account number, meter serial)
    status: str = ""


@dataclass(frozen=True)
class SearchProvider:
    kind: str
    permission: str
    search: Callable[[str, int], list[SearchHit]]


_providers: dict[str, SearchProvider] = {}


def register(provider: SearchProvider) -> None:
    _providers[provider.kind] = provider


def providers() -> list[SearchProvider]:
    return list(_providers.values())


def search_all(user, query: str, limit: int = 20) -> list[SearchHit]:
    query = " ".join(query.split())
    if len(query) < 2:
        return []
    hits: list[SearchHit] = []
    for provider in _providers.values():
        if user.has_perm(provider.permission):
            hits.extend(provider.search(query, limit))
    hits.sort(key=lambda h: h.rank)
    return hits[:limit]
