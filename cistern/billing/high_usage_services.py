"""Writes for high usage: the notices a posted run's bills earn (billing.high_usage compares), the clerk's call
that closes one, and the thresholds (district data, from the admin). Each checks its permission, runs in one
transaction and is audited.

A run's notices are issued where the run becomes posted (runs.bill_run_post, in that transaction): a notice row
per high bill (one per bill: a unique constraint) and its letter or e-mail, all in one letters_issue call keyed by
the bill, so issuing again for the same run writes and sends nothing twice. Last year's bills are read in one
query for the whole run.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.permissions import require
from cistern.core.services import record_delete, record_save
from cistern.correspondence import merge
from cistern.correspondence import services as letters
from cistern.customers.models import Account

from . import high_usage
from .errors import BillingError
from .models import Bill, BillKind, BillRun, HighUsageNotice, HighUsageRule, HighUsageStatus, RunStatus

TEMPLATE = "high_usage"
SOURCE_KIND = "high_usage"
RULE_FIELDS = ["effective_on", "min_percent", "min_units", "active", "note"]


@dataclass
class HighUsageResult:
    """What issuing a run's notices did: every regular bill is counted once."""

    rule: HighUsageRule | None = None
    bills: int = 0
    notices: int = 0  # written now
    letters: int = 0
    emails: int = 0
    already: int = 0  # high, with a notice from before
    not_high: int = 0
    no_history: int = 0  # no bill of the account covers the same dates a year earlier
    no_address: list[int] = field(default_factory=list)  # notices with no letter: the customer has no address

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.pk if self.rule else None, "bills": self.bills, "notices": self.notices,
            "letters": self.letters, "emails": self.emails, "already": self.already, "not_high": self.not_high,
            "no_history": self.no_history, "no_address": len(self.no_address),
        }  # fmt: skip


def rule_in_force(on: date) -> HighUsageRule | None:
    """The newest active rule from `on` or before."""
    return HighUsageRule.objects.filter(active=True, effective_on__lte=on).order_by("-effective_on").first()


def _units_text(units) -> str:
    """12.00 -> "12", 12.50 -> "12.5": as a letter says it."""
    text = f"{units:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _history(run: BillRun, bills: list[high_usage.BillUsage]) -> dict[int, list[high_usage.PastBill]]:
    """The run's accounts' standing bills that overlap the run's periods a year earlier: one query."""
    low = high_usage.year_earlier(min(b.period_start for b in bills))
    high = high_usage.year_earlier(max(b.period_end for b in bills))
    found: dict[int, list[high_usage.PastBill]] = {}
    rows = (
        Bill.objects.filter(
            account_id__in=Bill.objects.filter(run_id=run.pk).values("account_id"),
            kind__in=[BillKind.REGULAR, BillKind.REBILL],
            cancellation__isnull=True,
            period_start__lt=high,
            period_end__gt=low,
        )  # fmt: skip
        .exclude(run_id=run.pk)
        .values_list("pk", "account_id", "period_start", "period_end", "units")
    )
    for row in rows:
        found.setdefault(row[1], []).append(high_usage.PastBill(*row))
    return found


def _request(account: Account, bill: high_usage.BillUsage, last_year_units, period_end: date):
    customer = account.customer
    channel = "email" if customer.paperless and customer.email.strip() else "letter"
    recipient = merge.recipient_for_customer(account)
    if channel == "letter" and not customer.mailing_street.strip():
        return None  # nowhere to mail it: the clerk's call is all there is
    # letters_issue adds the district and today.
    context = {
        "customer": {"name": customer.name, "email": customer.email, "language": customer.preferred_language},
        "account": {"number": account.number},
        "service_address": account.premise.service_address,
        "mailing_lines": merge.mailing_lines(customer),
        "usage": {
            "units": _units_text(bill.units), "last_year_units": _units_text(last_year_units),
            "period_end": period_end,
        },
    }  # fmt: skip
    return letters.LetterRequest(
        template_code=TEMPLATE, context=context, recipient=recipient, account_id=account.pk, channel=channel,
        language=customer.preferred_language or "en", key=f"high_usage:{bill.bill_id}", source_kind=SOURCE_KIND,
        source_id=bill.bill_id,
    )  # fmt: skip


def high_usage_notices_issue(*, actor, run: BillRun) -> HighUsageResult:
    """The notices a posted run's regular bills earn under the rule in force on its period end: a row and a
    letter (or an e-mail to a paperless customer with an address) per high bill. Issuing again writes nothing
    twice. A run with no rule in force issues nothing."""
    require(actor, "billing.post_billrun")
    result = HighUsageResult()
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.POSTED:
            raise BillingError(
                f"High usage is looked for on a posted run; this one is {run.get_status_display().lower()}."
            )
        result.rule = rule_in_force(run.period_end)
        if result.rule is None:
            return result
        threshold = high_usage.Threshold(result.rule.min_percent, result.rule.min_units)
        bills = [
            high_usage.BillUsage(*row)
            for row in Bill.objects.filter(run_id=run.pk, kind=BillKind.REGULAR, cancellation__isnull=True)
            .order_by("pk")
            .values_list("pk", "account_id", "period_start", "period_end", "units")
        ]
        result.bills = len(bills)
        if not bills:
            return result
        comparisons = high_usage.compare(bills, _history(run, bills), threshold)
        done = set(HighUsageNotice.objects.filter(bill__run_id=run.pk).values_list("bill_id", flat=True))
        by_id = {b.bill_id: b for b in bills}
        high = []
        for c in comparisons:
            if c.last_year_bill_id is None:
                result.no_history += 1
            elif not c.high:
                result.not_high += 1
            elif c.bill_id in done:
                result.already += 1
            else:
                high.append(c)
        if not high:
            return result
        accounts = Account.objects.select_related("customer", "premise").in_bulk([c.account_id for c in high])
        on = clock.today()
        requests, rows = [], []
        for c in high:
            request = _request(accounts[c.account_id], by_id[c.bill_id], c.last_year_units, run.period_end)
            rows.append(
                HighUsageNotice(
                    account_id=c.account_id,
                    bill_id=c.bill_id,
                    last_year_bill_id=c.last_year_bill_id,
                    units=c.units,
                    last_year_units=c.last_year_units,
                    rule=result.rule,
                )  # fmt: skip
            )
            if request is None:
                result.no_address.append(c.account_id)
            else:
                requests.append((len(rows) - 1, request))
        issued = letters.letters_issue(actor=actor, requests=[r for _, r in requests], on=on)
        for (index, _), record in zip(requests, issued, strict=True):
            rows[index].correspondence_id = record.pk
            if record.channel == "email":
                result.emails += 1
            else:
                result.letters += 1
        HighUsageNotice.objects.bulk_create(rows, batch_size=1000)
        result.notices = len(rows)
        audit_record(actor=actor, action="billing.high_usage", obj=run, after=result.as_dict())
    return result


def high_usage_done(*, actor, notice: HighUsageNotice, note: str) -> HighUsageNotice:
    """The clerk called the customer (and offered a leak check): the notice leaves the queue, with what was said."""
    require(actor, "billing.change_highusagenotice")
    note = note.strip()
    if not note:
        raise BillingError("Say what was done (called the customer, leak check offered).")
    with transaction.atomic():
        notice = HighUsageNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.status == HighUsageStatus.DONE:
            raise BillingError(
                f"Bill {notice.bill_id}'s high usage was already done on {timezone.localtime(notice.done_at):%m/%d/%Y}."
            )
        notice.status, notice.done_by, notice.done_at, notice.note = (
            HighUsageStatus.DONE, actor, timezone.now(), note[:200],
        )  # fmt: skip
        notice.save(update_fields=["status", "done_by", "done_at", "note"])
        audit_record(
            actor=actor, action="billing.high_usage_done", obj=notice, account_id=notice.account_id, reason=note,
            before={"status": HighUsageStatus.OPEN}, after={"status": HighUsageStatus.DONE, "note": notice.note},
        )  # fmt: skip
    return notice


# --- the thresholds (admin) ---------------------------------------------------------------------------------


def _used(rule: HighUsageRule) -> bool:
    return rule.pk is not None and HighUsageNotice.objects.filter(rule_id=rule.pk).exists()


def high_usage_rule_save(*, actor, rule: HighUsageRule, reason: str = "") -> HighUsageRule:
    """A rule from a date on. One that notices were issued under keeps its date and figures (add a rule from a
    later date); it may be turned off, and its note corrected."""
    require(actor, "billing.add_highusagerule" if rule._state.adding else "billing.change_highusagerule")

    def check(current, new):
        if current is None or not _used(current):
            return
        changed = [
            n for n in ("effective_on", "min_percent", "min_units") if getattr(current, n) != getattr(new, n)
        ]
        if changed:
            raise BillingError(
                f"Notices were issued under the rule from {current.effective_on:%m/%d/%Y}: its "
                f"{', '.join(changed)} cannot change. Add a rule from the date the new figures apply."
            )

    return record_save(
        actor=actor, obj=rule, fields=RULE_FIELDS, action="high_usage_rule", reason=reason, check=check
    )


def high_usage_rule_delete(*, actor, rule: HighUsageRule, reason: str = "") -> None:
    require(actor, "billing.delete_highusagerule")

    def check(current):
        if _used(current):
            raise BillingError("Notices were issued under this rule: turn it off instead.")

    record_delete(
        actor=actor, obj=rule, fields=RULE_FIELDS, action="high_usage_rule", reason=reason, check=check
    )


__all__ = [
    "HighUsageResult", "high_usage_done", "high_usage_notices_issue", "high_usage_rule_delete",
    "high_usage_rule_save", "rule_in_force",
]  # fmt: skip
