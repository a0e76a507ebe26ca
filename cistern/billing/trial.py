"""A run's trial, computed: every account's facts rated by the pure calculation module, on every core.

The facts are fetched first (selectors.cycle_facts: a handful of queries for the whole cycle), as plain
frozen values. For a large run (PARALLEL_MIN accounts or more, where the platform can fork) worker processes
are forked from this one after the fetch, so they inherit the facts and the rating and receive only which
slice to compute; each returns its items as plain rows (calculation.trial_items), which this process writes
with one COPY per chunk while the workers go on with the next chunks. A worker runs only the pure module: it
never touches the ORM or the database connection it inherited (and ends with os._exit, so that connection is
never closed from the child). A small run, or a platform without fork, computes in this process.
"""

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from . import calculation

PARALLEL_MIN = 5000  # accounts: below this the workers would cost more than they save
CHUNK = 5000  # accounts computed, then written, at a time
MAX_WORKERS: int | None = None  # None: one process for each core this process may run on

# What the forked workers compute from: (facts, rating, known fingerprints), set before the fork.
_SHARED: tuple | None = None


def _slice(bounds: tuple[int, int]) -> list[tuple]:
    """In a worker: the items of facts[begin:end]."""
    facts, rating, known = _SHARED
    begin, end = bounds
    return calculation.trial_items(facts[begin:end], rating, known)


def workers_for(count: int) -> int:
    """How many processes compute a trial of `count` accounts (1: this process alone)."""
    if count < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_WORKERS or cores, -(-count // CHUNK)))


def computed(
    facts: Sequence[calculation.AccountFacts], rating: calculation.Rating, known: dict[int, str]
) -> Iterator[tuple[int, list[tuple]]]:
    """(accounts done, their changed items as calculation.ITEM_FIELDS rows), chunk after chunk in order."""
    global _SHARED
    bounds = [(begin, min(begin + CHUNK, len(facts))) for begin in range(0, len(facts), CHUNK)]
    workers = workers_for(len(facts))
    if workers == 1:
        for begin, end in bounds:
            yield end, calculation.trial_items(facts[begin:end], rating, known)
        return
    _SHARED = (facts, rating, known)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        for (_, end), rows in zip(bounds, pool.map(_slice, bounds), strict=True):
            yield end, rows
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _SHARED = None
