from datetime import date

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse

from cistern.core.search import SearchHit

from .account_number import InvalidAccountNumber, looks_like_account_number, parse_account_number
from .models import Account, AccountFlag, AccountStatus, ContactEntry, ServiceEvent
from .search_text import normalize_query, phone_digits

CANDIDATES = 200  # rows fetched per query before ranking; a clerk who sees too many types more


def account_get(number: str) -> Account:
    return Account.objects.select_related("customer", "premise").get(number=parse_account_number(number))


def flags_in_force(account: Account, on: date) -> list[AccountFlag]:
    return [f for f in account.flags.all() if f.is_in_force(on)]


def _text_matches(tokens: list[str]) -> QuerySet[Account]:
    accounts = Account.objects.all()
    if connection.vendor == "sqlite":
        # The FTS5 trigram index (migration 0002) answers LIKE '%…%' without reading every row.
        clause = " AND ".join(["search_text LIKE %s"] * len(tokens))
        sql = f"SELECT rowid FROM customers_account_fts WHERE {clause} LIMIT {CANDIDATES}"  # noqa: S608
        return accounts.filter(id__in=RawSQL(sql, [f"%{t}%" for t in tokens]))  # noqa: S611 (placeholders only)
    # PostgreSQL: a pg_trgm GIN index on search_text serves LIKE '%…%'.
    for token in tokens:
        accounts = accounts.filter(search_text__contains=token)
    return accounts


def account_search(query: str, limit: int = 20) -> list[tuple[int, Account]]:
    """Accounts matching `query`, best first, as (rank, account): exact number, name prefix, phone, other."""
    found: dict[int, tuple[int, Account]] = {}
    if looks_like_account_number(query):
        try:
            number = parse_account_number(query)
        except InvalidAccountNumber:
            number = None
        if number:
            for account in Account.objects.select_related("customer", "premise").filter(number=number):
                found[account.pk] = (0, account)
    tokens = normalize_query(query)
    if tokens:
        rows = _text_matches(tokens).select_related("customer", "premise")[:CANDIDATES]
        name_query = " ".join(tokens)
        for account in rows:
            if account.pk in found:
                continue
            name = account.customer.name.lower()
            phones = {phone_digits(account.customer.phone), phone_digits(account.customer.phone_alt)}
            if name.startswith(name_query):
                rank = 10
            elif any(word.startswith(tokens[0]) for word in name.split()):
                rank = 15
            elif len(tokens) == 1 and any(tokens[0] in p for p in phones if p):
                rank = 20
            else:
                rank = 30
            found[account.pk] = (rank, account)
    ranked = sorted(
        found.values(),
        key=lambda ra: (ra[0], not ra[1].is_open, ra[1].status == AccountStatus.CLOSED, ra[1].customer.name),
    )
    return ranked[:limit]


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
