from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction
from django.db.models import BooleanField, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, StrIndex
from django.db.models.lookups import GreaterThan
from django.urls import reverse

from cistern.core import clock
from cistern.core.search import SearchHit

from . import fuzzy, search_index
from .account_number import (
    InvalidAccountNumber,
    check_digit_fails,
    looks_like_account_number,
    normalize,
    one_typo_away,
    parse_account_number,
)
from .models import OPEN_STATUSES, Account, AccountFlag, AccountStatus, ContactEntry, ServiceEvent
from .search_text import normalize_query, phone_digits, query_groups

CANDIDATES = 200  # rows fetched per query before ranking; a clerk who sees too many types more
FUZZY_BELOW = 20  # close matches of misspelled words are looked for when fewer accounts match as typed
FUZZY_MIN_LENGTH = 4  # shorter words are prefixes being typed, not misspellings
CLOSE_WORDS = 8  # close words tried per misspelled word
CLOSE_WORDS_FETCHED = 32  # looked at per word before fuzzy.corrections keeps the likely ones
TYPO_RANK = 1  # an account one typo away from the number typed
FUZZY_RANK = 40  # found through a close word: after every account found as typed


def account_get(number: str) -> Account:
    return Account.objects.select_related("customer", "premise").get(number=parse_account_number(number))


def flags_in_force(account: Account, on: date) -> list[AccountFlag]:
    return [f for f in account.flags.all() if f.is_in_force(on)]


def _starts_a_word(word: str) -> GreaterThan:
    """search_text has a word starting with `word`: a plain string test no trigram index can serve."""
    return GreaterThan(StrIndex(Concat(Value(" "), "search_text"), Value(f" {word}")), 0)


def _group_q(group: tuple[str, ...]) -> Q:
    """Any of the group's words: one of 3 characters or more anywhere, a shorter one at the start of a word."""
    q = Q()
    for word in group:
        q |= (
            Q(search_text__contains=word)
            if len(word) >= search_index.INDEXED_MIN_LENGTH
            else Q(_starts_a_word(word))
        )
    return q


def _regex_literal(word: str) -> str:
    """`word` matched as it is inside a PostgreSQL regular expression."""
    return "".join(ch if ch.isalnum() or ch == " " else f"\\{ch}" for ch in word)


def _group_regex(group: tuple[str, ...]) -> str:
    """A group's alternatives as one PostgreSQL regular expression, which pg_trgm looks up in the same index
    scan as the other groups' words (an OR of LIKEs is left to filter every row the other words find:
    "richard" and "jenkins or jekins" read 7,300 rows for 25). A word of 3 characters or more matches
    anywhere; a shorter one at the start of a word ("hl" for "hill", "j" of "j pratt")."""
    return "|".join(
        _regex_literal(w) if len(w) >= search_index.INDEXED_MIN_LENGTH else f"(^| ){_regex_literal(w)}"
        for w in group
    )


def _text_matches(groups: list[tuple[str, ...]]) -> QuerySet[Account]:
    """Accounts whose search text holds a word of every group (`search_text.query_groups`: a word and the
    forms that stand for it), a word of 3 characters or more anywhere, a shorter one ("J" of "J Pratt", "rd"
    for "road") at the start of a word. SQLite: a group whose every word has 3 characters or more is looked up
    through the FTS5 trigram index; the groups with a shorter word are tested on the account rows it found,
    never by that index (search_index says why); only such groups: a scan. PostgreSQL: every group through
    the pg_trgm index."""
    indexed, short = search_index.split_groups_for_index(groups)
    accounts = Account.objects.all()
    if connection.vendor == "sqlite" and indexed:
        # The FTS5 trigram index answers LIKE '%…%' (an OR of them too) without reading every row. The short
        # groups are tested on the account table's own column, which FTS5 never sees.
        clauses, params = [], []
        for group in indexed:
            clauses.append("(" + " OR ".join(["f.search_text LIKE %s"] * len(group)) + ")")
            params += [f"%{w}%" for w in group]
        for group in short:
            clauses.append("(" + " OR ".join(["instr(' ' || a.search_text, %s) > 0"] * len(group)) + ")")
            params += [f" {w}" for w in group]
        sql = (
            "SELECT f.rowid FROM customers_account_fts f JOIN customers_account a ON a.id = f.rowid "  # noqa: S608
            f"WHERE {' AND '.join(clauses)} LIMIT {CANDIDATES}"
        )
        return accounts.filter(id__in=RawSQL(sql, params))  # noqa: S611 (placeholders only)
    # PostgreSQL: a pg_trgm GIN index on search_text serves LIKE '%…%' and regular expressions, each group
    # one condition of the same index scan (_group_regex). Like the FTS5 query above, take the first
    # CANDIDATES matches the index gives, unsorted: sorting every match of a common fragment ("garc" is in
    # thousands of accounts at a million) to keep the lowest numbers cost more than the search may.
    # SQLite with short words only: a scan of the accounts.
    matches = Account.objects.order_by()
    for group in indexed + short:
        matches = matches.filter(_pg_group_q(group) if connection.vendor == "postgresql" else _group_q(group))
    return accounts.filter(id__in=matches.values("id")[:CANDIDATES])


def _pg_group_q(group: tuple[str, ...]) -> Q:
    if len(group) == 1 and len(group[0]) >= search_index.INDEXED_MIN_LENGTH:
        return Q(search_text__contains=group[0])
    return Q(search_text__regex=_group_regex(group))


def _holds_a_word(words: tuple[str, ...]) -> Q:
    """PostgreSQL: the search text has one of `words` as a whole word, through the word index
    (search_index.PG_WORDS_OF_TEXT): one posting list per word, where the trigram index intersects the lists
    of every trigram of every word."""
    sql = f"{search_index.PG_WORDS_OF_TEXT} && %s::text[]"
    return Q(RawSQL(sql, [list(words)], output_field=BooleanField()))  # noqa: S611 (our expression; words bound)


def _close_matches(groups: list[tuple[str, ...]], widened: list[tuple[str, ...]]) -> QuerySet[Account]:
    """Accounts matching the widened groups (_fuzzy_groups). PostgreSQL: a group's close words are whole words
    of the index, looked up in the word index; when only one group was widened, its words as typed are left
    out (what they find with the other groups was found as typed already)."""
    if connection.vendor != "postgresql":
        return _text_matches(widened)
    changed = [i for i, (group, wide) in enumerate(zip(groups, widened, strict=True)) if group != wide]
    matches = Account.objects.order_by()
    for i, (group, wide) in enumerate(zip(groups, widened, strict=True)):
        if i not in changed:
            matches = matches.filter(_pg_group_q(group))
        elif len(changed) == 1:
            matches = matches.filter(_holds_a_word(wide[len(group) :]))
        else:
            matches = matches.filter(_pg_group_q(group) | _holds_a_word(wide[len(group) :]))
    return Account.objects.filter(id__in=matches.values("id")[:CANDIDATES])


@contextmanager
def _planned_for_the_index(groups: list[tuple[str, ...]]):
    """The text-match queries inside, on PostgreSQL planned without a sequential scan of the accounts (one
    transaction for them all). With LIMIT CANDIDATES inside, the planner guesses each `LIKE '%word%'` matches
    1% of a million rows, so a few alternatives ("thompson" or "thomson" or …) make it expect 200 hits early in
    a scan of the table, which then reads it all (a real word matches a few thousand): 165 ms against 15
    through the index. Words too short for the index alone: a scan finds 200 of them soonest."""
    if connection.vendor != "postgresql" or not search_index.split_groups_for_index(groups)[0]:
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # this transaction's alone (a pooled server's too)
        yield
        if nested:  # the caller's transaction goes on as before; our own ends here, and the setting with it
            cursor.execute("SET LOCAL enable_seqscan = on")


def close_words(words: list[str]) -> dict[str, list[tuple[str, float]]]:
    """For each word, up to CLOSE_WORDS words of the index at least fuzzy.SIMILARITY_THRESHOLD similar to it
    (trigram similarity), most similar first, as (word, similarity), those that could be the word meant
    (fuzzy.corrections: at most two typing errors away, holding neither the word nor another close word).

    PostgreSQL: pg_trgm's `%` over the GIN-indexed table of the index's words, all words in one query.
    SQLite: the candidates are the words of the FTS5 word index that begin with the same letter (a range of
    its vocabulary: a few thousand words at 100,000 accounts), scored by `fuzzy.similarity`, which computes
    what pg_trgm's similarity() does. A misspelled first letter ("Filips" for Phillips) is not found there."""
    if not words:
        return {}
    scored: dict[str, list[tuple[str, float]]] = {w: [] for w in words}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t, c.word, c.score FROM unnest(%s::text[]) AS t CROSS JOIN LATERAL ("
                " SELECT word, similarity(word, t) AS score FROM customers_searchword"
                " WHERE word %% t AND word <> t AND similarity(word, t) >= %s"
                " ORDER BY score DESC, word LIMIT %s) AS c",
                [list(words), fuzzy.SIMILARITY_THRESHOLD, CLOSE_WORDS_FETCHED],
            )
            for word, close, score in cursor.fetchall():
                scored[word].append((close, float(score)))
        elif connection.vendor == "sqlite":
            for word in words:
                first = word[0]
                cursor.execute(
                    "SELECT term FROM customers_account_vocab WHERE term >= %s AND term < %s",
                    [first, chr(ord(first) + 1)],
                )
                terms = [t for (t,) in cursor.fetchall() if len(t) >= 3 and t.isalpha()]
                close = fuzzy.close_words(word, terms, CLOSE_WORDS_FETCHED)
                scored[word] = [(c, fuzzy.similarity(word, c)) for c in close]
    return _likely(scored)


def _likely(scored: dict[str, list[tuple[str, float]]]) -> dict[str, list[tuple[str, float]]]:
    """Each word's close words (best first) cut to the CLOSE_WORDS that could be the word meant."""
    found = {}
    for word, pairs in scored.items():
        score_of = dict(pairs)
        kept = fuzzy.corrections(word, [c for c, _ in pairs])[:CLOSE_WORDS]
        found[word] = [(c, score_of[c]) for c in kept]
    return found


def words_begun(words: list[str]) -> set[str]:
    """The words that some word of the index begins with: typed as some account holds them, whole or as the
    start of a word being typed ("sagebru"). A word that begins none is a misspelling."""
    if not words:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Through the words' trigram index, one probe per word (a nested loop over the typed words).
            cursor.execute(
                "SELECT t FROM unnest(%s::text[]) AS t"
                " WHERE EXISTS (SELECT 1 FROM customers_searchword WHERE word LIKE t || '%%')",
                [list(words)],
            )
            return {word for (word,) in cursor.fetchall()}
        if connection.vendor != "sqlite":
            return set()
        begun = set()
        for word in words:  # letters only (_fuzzy_groups): the next code point bounds the range
            cursor.execute(
                "SELECT 1 FROM customers_account_vocab WHERE term >= %s AND term < %s LIMIT 1",
                [word, word[:-1] + chr(ord(word[-1]) + 1)],
            )
            if cursor.fetchone():
                begun.add(word)
        return begun


def _close_words_to_try(fuzzable: list[str], found_as_typed: int) -> dict[str, list[tuple[str, float]]]:
    """close_words of the words _fuzzy_groups widens: those that begin no word of the index, or, when every
    word begins one and nothing was found as typed, all of them."""
    if not fuzzable:
        return {}
    begun = words_begun(fuzzable)
    misspelled = [w for w in fuzzable if w not in begun]
    return close_words(misspelled or (fuzzable if not found_as_typed else []))


def _fuzzy_groups(
    groups: list[tuple[str, ...]], found_as_typed: int
) -> tuple[list[tuple[str, ...]], dict[str, float]]:
    """The groups with each misspelling-prone word (letters only, FUZZY_MIN_LENGTH or more, not a street
    suffix) widened by its close words, and the similarity of each close word.

    A word that begins no word of the index is the misspelling: only such words are widened ("anna thomposn"
    looks for close words of "thomposn", not of "anna", which would make the lookup many times wider for
    nothing). When every word begins one, the words are all widened only if nothing was found as typed (a real
    name misspelled into another: "gonzales"); otherwise what was found is what the clerk typed ("66116
    andrea" found 66116 Andrea Way), and nothing is widened."""
    fuzzable = [g[0] for g in groups if len(g) == 1 and g[0].isalpha() and len(g[0]) >= FUZZY_MIN_LENGTH]
    close = _close_words_to_try(fuzzable, found_as_typed)
    scores: dict[str, float] = {}
    widened = []
    for group in groups:
        extra = close.get(group[0], []) if len(group) == 1 else []
        for word, score in extra:
            scores[word] = max(score, scores.get(word, 0.0))
        widened.append(group + tuple(word for word, _ in extra))
    return widened, scores


def _fuzzy_score(text: str, groups: list[tuple[str, ...]], scores: dict[str, float]) -> float:
    """How close an account found through close words is: the mean over the groups of the best word of the
    group it holds (a word as typed, or a form of it, counts 1; a close word its similarity)."""
    total = 0.0
    for group in groups:
        total += max((scores.get(w, 1.0) for w in group if w in text), default=0.0)
    return total / len(groups)


def _status_order(status: str) -> tuple[bool, bool]:
    return status not in OPEN_STATUSES, status == AccountStatus.CLOSED


def _add_text_matches(tokens, groups, add, found) -> None:
    """The accounts the query's words find, as typed and then, when fewer than FUZZY_BELOW, through close
    words of its misspelled ones."""
    rows = _text_matches(groups).values_list(
        "pk", "status", "customer__name", "customer__phone", "customer__phone_alt"
    )[:CANDIDATES]
    name_query = " ".join(tokens)
    for pk, status, customer_name, phone, phone_alt in rows:
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
        add(pk, rank, status, customer_name)
    if len(found) >= FUZZY_BELOW:
        return
    widened, scores = _fuzzy_groups(groups, len(found))
    if not scores:
        return
    rows = _close_matches(groups, widened).values_list("pk", "status", "customer__name", "search_text")[
        :CANDIDATES
    ]
    for pk, status, customer_name, text in rows:
        add(pk, FUZZY_RANK, status, customer_name, _fuzzy_score(text, widened, scores))


def _ranked(query: str) -> list[tuple[int, int]]:
    """Every account the query finds, best first, as (pk, rank): at most CANDIDATES as typed and CANDIDATES
    through close words, plus the accounts one typo away from an account number whose check digit fails.
    The order is total (ties broken by name, then id), so pages cut from it never repeat or skip."""
    # pk -> sort key (rank, -closeness, status order, name, pk)
    found: dict[int, tuple] = {}

    def add(pk, rank, status, name, closeness=0.0):
        if pk not in found:
            found[pk] = (rank, -closeness, *_status_order(status), name, pk)

    if looks_like_account_number(query):
        digits = normalize(query.strip())
        if check_digit_fails(digits):
            numbers = one_typo_away(digits)
            for pk, status, name in Account.objects.filter(number__in=numbers).values_list(
                "pk", "status", "customer__name"
            ):
                add(pk, TYPO_RANK, status, name)
        else:
            try:
                number = parse_account_number(query)
            except InvalidAccountNumber:
                number = None
            if number:
                for pk, status, name in Account.objects.filter(number=number).values_list(
                    "pk", "status", "customer__name"
                ):
                    add(pk, 0, status, name)
    tokens = normalize_query(query)
    if tokens:
        groups = query_groups(tokens)
        with _planned_for_the_index(groups):
            _add_text_matches(tokens, groups, add, found)
    ranked = sorted(found.values())
    return [(key[-1], key[0]) for key in ranked]


def account_search(query: str, limit: int = 20, offset: int = 0) -> list[tuple[int, Account]]:
    """Accounts matching `query`, best first, as (rank, account): exact number (0), one typo away from a
    number whose check digit fails (1), name prefix (10, 15), phone (20), other text (30), a close match of
    a misspelled word (40). `offset` skips the first ones, for "show more".

    The candidates are ranked from a few columns; only the `limit` shown are loaded as whole accounts."""
    page = _ranked(query)[offset : offset + limit]
    accounts = Account.objects.select_related("customer", "premise").in_bulk([pk for pk, _ in page])
    return [(rank, accounts[pk]) for pk, rank in page if pk in accounts]


def check_digit_notice(query: str) -> str:
    """What to say when the query is an account number whose check digit fails ("" otherwise)."""
    if not (looks_like_account_number(query) and check_digit_fails(query)):
        return ""
    digits = normalize(query.strip())
    if Account.objects.filter(number__in=one_typo_away(digits)).exists():
        return (
            f"{digits} is not an account number: its check digit is wrong (a digit mistyped or two swapped). "
            "The accounts one digit or one swap away are listed first."
        )
    return (
        f"{digits} is not an account number: its check digit is wrong (a digit mistyped or two swapped), "
        "and no account is one digit or one swap away."
    )


def account_search_hits(query: str, limit: int) -> list[SearchHit]:
    today = clock.today()
    return [
        SearchHit(
            kind="account",
            rank=rank,
            title=account.customer.name,
            subtitle=account.premise.service_address,
            url=reverse("customers:account", args=[account.number]),
            key=account.number,
            status=account.status_label_on(today),
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
