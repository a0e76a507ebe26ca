"""Global search: one box on every page. Each domain app registers a provider for what it owns
(accounts now; meters, service orders and receipts later), and the box shows their hits together.

A page shows PAGE hits; "show more" asks for the next ones (`offset`), up to MAX_RESULTS in all. Each provider
ranks its hits the same way whatever it is asked for, so the hits for offset + limit begin with those of any
smaller request, and the merged pages neither repeat nor skip a hit."""

from collections.abc import Callable
from dataclasses import dataclass, field

PAGE = 20
MAX_RESULTS = 200  # what "show more" reaches; past it, the clerk types more
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12


class QueryRefused(ValueError):
    """A query search will not run (a pasted page, a thousand words): the message says what to type."""


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "account", "meter", ...
    rank: (
        int  # lower is better: 0 exact number, 1 one typo away, 10 name prefix, 20 phone, 30 other, 40 close
    )
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
    notice: Callable[[str], str] | None = None  # a sentence about the query itself ("the check digit fails")


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: list[SearchHit]
    offset: int
    more: bool  # hits past this page that "show more" reaches
    capped: bool = False  # hits past MAX_RESULTS: the clerk types more
    notices: list[str] = field(default_factory=list)

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.hits)


_providers: dict[str, SearchProvider] = {}


def register(provider: SearchProvider) -> None:
    _providers[provider.kind] = provider


def providers() -> list[SearchProvider]:
    return list(_providers.values())


def clean_query(query: str) -> str:
    """The query with its spaces collapsed, or QueryRefused when it is too long to be a search."""
    words = query.split()
    if len(words) > MAX_QUERY_WORDS:
        raise QueryRefused(
            f"A search is at most {MAX_QUERY_WORDS} words; this one has {len(words):,}. "
            "Type a name, an address, a phone or an account number."
        )
    query = " ".join(words)
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRefused(f"A search is at most {MAX_QUERY_CHARS} characters; this one has {len(query):,}.")
    return query


def parse_offset(text: str | None) -> int:
    """The `offset` of a request: a whole number, 0 or more (ValueError naming the field otherwise)."""
    if text is None or text == "":
        return 0
    if not text.isdigit() or len(text) > 6:
        raise ValueError(f"offset: a whole number from 0, not {text[:20]!r}")
    return int(text)


def search_page(user, query: str, limit: int = PAGE, offset: int = 0) -> SearchPage:
    """The hits from `offset` on, `limit` of them, from every provider `user` may see. QueryRefused for a
    query too long to be a search."""
    query = clean_query(query)
    if len(query) < 2 or offset >= MAX_RESULTS:
        return SearchPage(query, [], offset, False)
    wanted = min(offset + limit, MAX_RESULTS)
    hits: list[SearchHit] = []
    notices: list[str] = []
    for provider in _providers.values():
        if user.has_perm(provider.permission):
            hits.extend(sorted(provider.search(query, wanted + 1), key=lambda h: h.rank))
            if provider.notice is not None:
                notice = provider.notice(query)
                if notice:
                    notices.append(notice)
    hits.sort(key=lambda h: h.rank)  # stable: a provider's own order within a rank
    beyond = len(hits) > wanted
    return SearchPage(
        query,
        hits[offset:wanted],
        offset,
        beyond and wanted < MAX_RESULTS,
        beyond and wanted >= MAX_RESULTS,
        notices,
    )


def search_all(user, query: str, limit: int = PAGE) -> list[SearchHit]:
    return search_page(user, query, limit).hits
