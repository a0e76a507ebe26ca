"""The conversion: a district's folder from its previous system into an empty Cistern, all or nothing.

The folder is read and checked whole first (reader.read_folder); any error refuses it and nothing but the
refused ConversionRun is written. A clean folder is written in one transaction (writer.py), the loaded figures
measured inside it and set beside the files' and the legacy trial balance's (reconciliation.py). A dry run does
the same writes and measurements, then rolls them back: its report's "loaded" column is what a conversion would
load. Every run is kept as a ConversionRun.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.permissions import require
from cistern.customers.models import Account
from cistern.metering.models import ReadRules

from . import reader, reconciliation, selectors, writer
from .errors import ConversionError
from .loadformat import MAX_LISTED, TRIAL_BALANCE_FIGURES
from .models import ConversionOutcome, ConversionRun

ALREADY_CONVERTED = (
    "The database already holds accounts: a conversion loads an empty district (start from a fresh database)."
)


class _RolledBack(Exception):
    """Ends a dry run's writes (the atomic block rolls them back)."""


def _legacy(legacy_totals: dict | None) -> dict[str, Decimal]:
    found = {}
    for key, value in (legacy_totals or {}).items():
        if key not in TRIAL_BALANCE_FIGURES or value in (None, ""):
            continue
        try:
            found[key] = Decimal(str(value).replace(",", "").replace("$", ""))
        except InvalidOperation as exc:
            raise ConversionError(
                f"The legacy figure {TRIAL_BALANCE_FIGURES[key]} is not a number: {value}"
            ) from exc
    return found


def _refuse(run: ConversionRun, errors: list[str], count: int, warnings: list[str] = ()) -> ConversionError:
    run.outcome = ConversionOutcome.REFUSED
    run.errors = errors[:MAX_LISTED]
    run.error_count = count
    run.warnings = list(warnings)[:MAX_LISTED]
    run.finished_at = timezone.now()
    run.save()
    audit_record(
        actor=run.by, action="conversion.refused", obj=run, reason=f"Conversion as of {run.as_of:%Y-%m-%d}",
        after={"folder": run.folder, "errors": count},
    )  # fmt: skip
    first = errors[0] if errors else "refused"
    return ConversionError(f"{count:,} errors; the first: {first}", run=run)


def convert(
    *, actor, folder: Path, as_of: date, dry_run: bool, legacy_totals: dict | None = None, label: str = ""
) -> ConversionRun:
    """Convert `folder` as of `as_of` into an empty district (or, `dry_run`, measure what it would load and
    write nothing but the run). Raises ConversionError, with the refused run kept, when the database already
    holds accounts or the folder has any error. `legacy_totals` (figure key -> amount) is the legacy trial
    balance as typed in; without it, the folder's trial_balance.csv when there is one."""
    require(actor, "conversion.run_conversion")
    folder = Path(folder)
    legacy = _legacy(legacy_totals)
    run = ConversionRun(
        by=actor, folder=(label or str(folder))[:255], as_of=as_of, dry_run=dry_run,
        legacy_totals={k: str(v) for k, v in legacy.items()},
    )  # fmt: skip
    if Account.objects.exists():
        raise _refuse(run, [ALREADY_CONVERTED], 1)
    rules = ReadRules.objects.filter(pk=1).first()  # the district's rollover window, as validation judges it
    window = {"rollover_window_percent": rules.rollover_window_percent} if rules else {}
    result = reader.read_folder(folder, as_of=as_of, **window)
    warnings = [str(w) for w in result.warnings]
    if not result.ok or result.load_set is None:
        raise _refuse(
            run, [str(e) for e in result.errors], result.error_count or len(result.errors), warnings
        )
    load_set = result.load_set
    if not legacy and load_set.legacy_totals:
        legacy = dict(load_set.legacy_totals)
        run.legacy_totals = {k: str(v) for k, v in legacy.items()}
    run.warnings = warnings[:MAX_LISTED]
    reason = f"Conversion as of {as_of:%Y-%m-%d}"
    try:
        with transaction.atomic():
            in_files = reconciliation.files_figures(
                load_set, as_of
            )  # before the writer consumes the load set
            written = writer.write(load_set, actor=actor, as_of=as_of)
            run.report = reconciliation.report(
                as_of=as_of, rows_read=load_set.rows_read, rows_loaded=selectors.loaded_rows(),
                ignored_columns=load_set.ignored_columns, in_files=in_files,
                loaded=selectors.loaded_figures(as_of), legacy=legacy,
            )  # fmt: skip
            if dry_run:
                raise _RolledBack
            run.outcome = ConversionOutcome.CONVERTED
            run.finished_at = timezone.now()
            run.save()
            for table in written.tables.values():
                if table.count:
                    audit_record(
                        actor=actor, action="conversion.table", obj=run, reason=reason,
                        after={"table": table.table, "rows": table.count, "first_id": table.first_id,
                               "last_id": table.last_id},
                    )  # fmt: skip
            audit_record(
                actor=actor, action="conversion.converted", obj=run, reason=reason,
                after={"folder": run.folder, "accounts": written.accounts, "differences": len(run.report["differences"])},
            )  # fmt: skip
    except _RolledBack:
        run.outcome = ConversionOutcome.DRY_RUN
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            actor=actor, action="conversion.dry_run", obj=run, reason=reason, after={"folder": run.folder}
        )
    return run
