"""Two `manage.py db_worker` processes on one queue (the database task backend) run every task exactly once
and leave the same books as one worker: a bill run's calculation and posting and the daily collection run
(which assesses late fees), on a scratch copy of a demo district, compared with a second copy worked by one
worker."""

import json
import subprocess
from datetime import timedelta

from django_tasks_db.models import DBTaskResult

from cistern.core import clock

from .scratch import ROOT, scratch_database

TASKS_DB = {"CISTERN_TASKS": "database"}
SEED = ("seed_district", "--accounts", "30", "--seed", "3", "--history-months", "4")

# The trial run the demo district leaves calculated for a lead to approve (a cycle and period not yet billed):
# its calculation again, as a task, and the collection run of the day after the demo's history.
ENQUEUE = """
import json
from django.contrib.auth import get_user_model
from cistern.billing.models import BillRun, RunStatus
from cistern.billing.tasks import calculate_run
from cistern.collections.tasks import collections_run_daily
from cistern.demo.billing import BILLER
biller = get_user_model().objects.get(username=BILLER)
run = BillRun.objects.get(status=RunStatus.CALCULATED)
calculate_run.enqueue(run.pk, biller.pk)
collections_run_daily.enqueue(biller.pk, "{day}")
print("RESULT " + json.dumps({{"run": run.pk, "biller": biller.pk}}))
"""

# Approval is a person's step (someone other than who calculated); posting goes back on the queue.
APPROVE_AND_POST = """
from django.contrib.auth import get_user_model
from cistern.billing.models import BillRun
from cistern.billing.services import bill_run_approve
from cistern.billing.tasks import post_run
from cistern.demo.billing import APPROVER, BILLER
users = get_user_model().objects
run = BillRun.objects.get(pk={run})
bill_run_approve(actor=users.get(username=APPROVER), run=run, note="Trial reviewed")
post_run.enqueue(run.pk, users.get(username=BILLER).pk)
print("RESULT {{}}")
"""


def task_results(db) -> list[tuple]:
    """(task, args, status, how many workers took it, returned, the day it may run: 9999-01-01 for now)."""
    rows = db.query(
        "SELECT task_path, args_kwargs, status, worker_ids, return_value, run_after "
        f"FROM {DBTaskResult._meta.db_table} ORDER BY enqueued_at"
    )
    if db.url.startswith("sqlite:"):  # JSON columns come back as text there (PostgreSQL's are decoded)
        rows = [
            (path, json.loads(a), status, json.loads(w), r and json.loads(r), after)
            for path, a, status, w, r, after in rows
        ]
    return [
        (path.rsplit(".", 1)[1], args_kwargs["args"], status, len(workers), returned, str(run_after)[:10])
        for path, args_kwargs, status, workers, returned, run_after in rows
    ]


def books(db) -> dict:
    """The journal (entries, lines, cents per GL account and per customer account) and the bills (count, cents
    due, cents of current charges), and each bill run's status."""
    cents = "SUM(CAST(ROUND({} * 100) AS INTEGER))"
    return {
        "entries": db.query("SELECT COUNT(*) FROM ledger_journalentry"),
        "by_gl_account": db.query(
            f"SELECT g.code, COUNT(*), {cents.format('l.amount')} FROM ledger_journalline l "
            "JOIN ledger_glaccount g ON g.id = l.gl_account_id GROUP BY g.code ORDER BY g.code"
        ),
        "by_account": db.query(
            f"SELECT account_id, {cents.format('amount')} FROM ledger_journalline "
            "WHERE account_id IS NOT NULL GROUP BY account_id ORDER BY account_id"
        ),
        "bills": db.query(
            f"SELECT COUNT(*), {cents.format('amount_due')}, {cents.format('current_charges')} FROM billing_bill"
        ),
        "runs": dict(db.query("SELECT id, status FROM billing_billrun")),
    }


def run_workers(db, count: int) -> list[str]:
    """Start `count` workers at once; each exits when the queue holds nothing ready (--batch)."""
    workers = [
        subprocess.Popen(
            db.command(
                "db_worker", "--batch", "--interval", "0.1", "--no-startup-delay", "--worker-id", f"w{n}"
            ),
            cwd=ROOT,
            env=db.env(**TASKS_DB),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(1, count + 1)
    ]
    outputs = []
    for worker in workers:
        out, _ = worker.communicate(timeout=1800)
        assert worker.returncode == 0, out[-3000:]
        outputs.append(out)
    return outputs


def work(db, day: str, workers: int) -> dict:
    """Queue the run's calculation and the day's collection run, let `workers` workers run them, approve, queue
    the posting, let them run it; the bill run's id."""
    ids = db.shell_json(ENQUEUE.format(day=day), **TASKS_DB)
    run_workers(db, workers)
    db.shell_json(APPROVE_AND_POST.format(run=ids["run"]), **TASKS_DB)
    run_workers(db, workers)
    return ids


def test_two_workers_run_each_task_once_and_keep_the_books_of_one(tmp_path):
    day = clock.today() + timedelta(
        days=1
    )  # after the demo's history; the next day's run is then not yet due
    with scratch_database(tmp_path) as two:
        two.manage(*SEED)
        copy = tmp_path / "district.backup"
        two.manage("backup", "--out", str(copy))
        with scratch_database(tmp_path, migrate=False) as one:
            one.manage("restore", str(copy))  # the same district, from the same starting books
            before = books(two)
            assert books(one) == before

            ids = work(two, day.isoformat(), workers=2)
            results = task_results(two)
            after = books(two)

            assert work(one, day.isoformat(), workers=1) == ids
            assert books(one) == after
            assert len(task_results(one)) == len(results)

    run, biller = ids["run"], ids["biller"]
    tomorrow = (day + timedelta(days=1)).isoformat()
    now = "9999-01-01"  # run_after of a task due at once
    assert sorted((task, args, status, workers, run_after) for task, args, status, workers, _, run_after in results) == sorted([
        ("calculate_run", [run, biller], "SUCCESSFUL", 1, now),
        ("collections_run_daily", [biller, day.isoformat()], "SUCCESSFUL", 1, now),
        ("post_run", [run, biller], "SUCCESSFUL", 1, now),
        ("send_ebills", [run], "SUCCESSFUL", 1, now),
        # The daily run queues the next morning's; no worker takes it before then.
        ("collections_run_daily", [biller, tomorrow], "READY", 0, tomorrow),
    ])  # fmt: skip
    returned = {task: value for task, _, status, _, value, _ in results if status == "SUCCESSFUL"}
    assert returned["post_run"] == "posted"
    assert returned["collections_run_daily"].startswith(f"Collections {day:%m/%d/%Y}: ")
    assert before["runs"][run] == "calculated"
    assert after["runs"][run] == "posted"
    (bills_before, _, _), (bills_after, _, _) = before["bills"][0], after["bills"][0]
    assert bills_after > bills_before
    assert after["entries"][0][0] - before["entries"][0][0] >= bills_after - bills_before
    assert after["by_gl_account"] != before["by_gl_account"]
