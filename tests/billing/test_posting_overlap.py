"""The pipelined posting (PostgreSQL's) makes batches ready ahead and writes two at once, each in a transaction
on a connection of its own. A batch whose items got their bills meanwhile (another poster) is refused by the
unique constraints: what is in flight is let finish, what is left is read again, and every item is written
once; refused twice at the same item, the refusal stands. Batches are reported in order as they commit."""

import threading
import time

import pytest
from django.db import IntegrityError

from cistern.billing import posting
from cistern.billing.models import Bill
from cistern.core.bulk import insert_rows


class Poster:
    """A run of `items` posted in batches, by fakes of the steps the pipeline calls (no database)."""

    def __init__(self, items, refuse_at=(), refuse_always=False):
        self.left, self.written, self.reads = list(items), [], 0
        self.refuse_at, self.refuse_always = set(refuse_at), refuse_always
        self.lock = threading.Lock()

    def pending_items(self, run):
        self.reads += 1
        with self.lock:
            return sorted(self.left)

    def prepare_batch(self, actor, run, item_ids, receivable):
        with self.lock:
            ids = [i for i in item_ids if i in self.left]
        return posting.Batch(ids[-1], ids, None, None) if ids else None

    def write_batch(self, actor, run, batch):
        time.sleep(0.001 * (len(self.written) % 3))  # writes finish out of order
        with self.lock:
            if batch.bills[0] in self.refuse_at:  # another poster wrote these items first
                if not self.refuse_always:
                    self.refuse_at.discard(batch.bills[0])
                    for item in batch.bills:
                        self.left.remove(item)
                raise IntegrityError("duplicate key value violates unique constraint")
            for item in batch.bills:
                self.left.remove(item)
            self.written.extend(batch.bills)


def _post(monkeypatch, poster, batch_size=3):
    for name in ("pending_items", "prepare_batch", "write_batch"):
        monkeypatch.setattr(posting, name, getattr(poster, name))
    reported = []
    posting.post_pipelined(None, None, batch_size, "1200", lambda: reported.append(len(poster.written)))
    return reported


def test_every_item_is_written_once_and_batches_are_reported_as_they_commit(monkeypatch):
    poster = Poster(range(1, 21))
    reported = _post(monkeypatch, poster)
    assert sorted(poster.written) == list(range(1, 21)) and not poster.left
    assert len(reported) == 7 and reported == sorted(reported) and poster.reads == 1


def test_a_batch_another_poster_wrote_meanwhile_is_refused_and_the_rest_read_again(monkeypatch):
    poster = Poster(range(1, 21), refuse_at=[7])
    _post(monkeypatch, poster)
    assert sorted(poster.written) == [i for i in range(1, 21) if i not in (7, 8, 9)] and not poster.left
    assert poster.reads == 2


def test_refused_twice_at_the_same_item_the_refusal_stands(monkeypatch):
    poster = Poster(range(1, 21), refuse_at=[7], refuse_always=True)
    with pytest.raises(IntegrityError):
        _post(monkeypatch, poster)
    assert 7 in poster.left and poster.reads == 2


def test_a_row_the_database_refuses_in_a_bulk_insert_is_djangos_integrity_error(db, district, biller):
    """insert_rows writes with the driver's cursor (COPY, executemany); a refusal is still IntegrityError, which
    the pipeline catches."""
    with pytest.raises(IntegrityError):
        insert_rows(Bill, ["id", "account_id"], [(1, None)])
