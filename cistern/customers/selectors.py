from datetime import date

from django.db import connection
from django.db.models import Prefetch, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, StrIndex
from django.db.models.lookups import GreaterThan
from django.urls import reverse

from cistern.core.search import SearchHit

from . import search_index
from .account_number import InvalidAccountNumber, looks_like_account_number, parse_account_number
from .models import OPEN_STATUSES, Account, AccountFlag, AccountStatus, ContactEntry, ServiceEvent
from .search_text import normalize_query, phone_digits

CANDIDATES = 200  # rows fetched per query before ranking; a clerk who sees too many types more


def account_get(number: str) -> Account:
    return Account.objects.select_related("customer", "premise").get(number=parse_account_number(number))


def flags_in_force(account: Account, on: date) -> list[AccountFlag]:
    return [f for f in account.flags.all() if f.is_in_force(on)]


def _starts_a_word(word: str) -> GreaterThan:
    """search_text has a word starting with `word`: a plain string test no trigram index can serve."""
    return GreaterThan(StrIndex(Concat(Value(" "), "search_text"), Value(f" {word}")), 0)


def _text_matches(tokens: list[str]) -> QuerySet[Account]:
    """Accounts whose search text holds every word: one of 3 characters or more anywhere, through the trigram
    index; a shorter one ("J" of "J Pratt") at the start of a word, tested on the account rows the index
    found, never by the index (search_index says why). Only short words: no index, a scan of the accounts."""
    indexed, short = search_index.split_for_index(tokens)
    accounts = Account.objects.all()
    if connection.vendor == "sqlite" and indexed:
        # The FTS5 trigram index (migration 0002) answers LIKE '%…%' without reading every row. The short
        # words are tested on the account table's own column, which FTS5 never sees.
        clause = " AND ".join(
            ["f.search_text LIKE %s"] * len(indexed) + ["instr(' ' || a.search_text, %s) > 0"] * len(short)
        )
        sql = (
            "SELECT f.rowid FROM customers_account_fts f JOIN customers_account a ON a.id = f.rowid "  # noqa: S608
            f"WHERE {clause} LIMIT {CANDIDATES}"
        )
        params = [f"%{w}%" for w in indexed] + [f" {w}" for w in short]
        return accounts.filter(id__in=RawSQL(sql, params))  # noqa: S611 (placeholders only)
    # PostgreSQL: a pg_trgm GIN index on search_text serves LIKE '%…%'. Like the FTS5 query above, take the
    # first CANDIDATES matches the index gives, unsorted: sorting every match of a common fragment ("garc"
    # is in thousands of accounts at a million) to keep the lowest numbers cost more than the search may.
    matches = Account.objects.order_by()
    for word in indexed:
        matches = matches.filter(search_text__contains=word)
    for word in short:
        matches = matches.filter(_starts_a_word(word))
    return accounts.filter(id__in=matches.values("id")[:CANDIDATES])


def account_search(query: str, limit: int = 20) -> list[tuple[int, Account]]:
    """Accounts matching `query`, best first, as (rank, account): exact number, name prefix, phone, other.

    The candidates are ranked from a few columns; only the `limit` shown are loaded as whole accounts."""
    # pk -> (rank, status, customer name), in the order found (ties keep it).
    found: dict[int, tuple[int, str, str]] = {}
    if looks_like_account_number(query):
        try:
            number = parse_account_number(query)
        except InvalidAccountNumber:
            number = None
        if number:
            for pk, status, name in Account.objects.filter(number=number).values_list(
                "pk", "status", "customer__name"
            ):
                found[pk] = (0, status, name)
    tokens = normalize_query(query)
    if tokens:
        rows = _text_matches(tokens).values_list(
            "pk", "status", "customer__name", "customer__phone", "customer__phone_alt"
        )[:CANDIDATES]
        name_query = " ".join(tokens)
        for pk, status, customer_name, phone, phone_alt in rows:
            if pk in found:
                continue
            name = customer_name.lower()
            phones = {phone_digits(phone), phone_digits(phone_alt)}
            if name.startswith(name_query):
                rank = 10
            elif any(word.startswith(tokens[0]) for word in name.split()):
                rank = 15
            elif len(tokens) == 1 and any(tokens[0] in p for p in phones if p):
                rank = 20
            else:
                rank = 30
            found[pk] = (rank, status, customer_name)
    ranked = sorted(
        found.items(),
        key=lambda item: (
            item[1][0],
            item[1][1] not in OPEN_STATUSES,
            item[1][1] == AccountStatus.CLOSED,
            item[1][2],
        ),
    )[:limit]
    accounts = Account.objects.select_related("customer", "premise").in_bulk([pk for pk, _ in ranked])
    return [(rank, accounts[pk]) for pk, (rank, _, _) in ranked if pk in accounts]


def account_search_hits(query: str, limit: int) -> list[SearchHit]:
    return [
        SearchHit(
            kind="account",
            rank=rank,
            title=account.customer.name,
            subtitle=account.premise.service_address,
            url=reverse("customers:account", args=[account.number]),
            key=account.number,
            status=account.get_status_display(),
        )
        for rank, account in account_search(query, limit)
    ]


def account_page(number: str) -> Account:
    """The account with everything its page shows, in a fixed, small number of queries."""
    return (
        Account.objects.select_related("customer", "premise")
        .prefetch_related(
            Prefetch("flags", queryset=AccountFlag.objects.select_related("created_by")),
            Prefetch(
                "service_events",
                queryset=ServiceEvent.objects.select_related("created_by", "related_account"),
            ),
        )
        .get(number=parse_account_number(number))
    )


def open_account_at(premise) -> Account | None:
    """The pending or active account at a premise (at most one, by constraint)."""
    return premise.accounts.filter(status__in=OPEN_STATUSES).select_related("customer").first()


def recent_contacts(account: Account, limit: int = 50) -> list[ContactEntry]:
    return list(account.contacts.select_related("created_by").order_by("-created_at", "-id")[:limit])


def premise_history(account: Account) -> list[Account]:
    """Every account at this account's premise, newest first: owners and tenants over time."""
    return list(
        Account.objects.filter(premise_id=account.premise_id)
        .select_related("customer")
        .order_by("-start_date")
    )


def customer_accounts(account: Account) -> list[Account]:
    return list(
        Account.objects.filter(customer_id=account.customer_id)
        .select_related("premise")
        .order_by("-start_date")
    )
