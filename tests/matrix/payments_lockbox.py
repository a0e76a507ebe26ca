"""Payments, the lockbox: the bank's files, a file's items, the suspense queue and its item, the BAI2 report."""

PAGES = {
    "payments:lockbox": "payments.import_lockbox",
    "payments:lockbox_file": "payments.view_lockboxitem",
    "payments:lockbox_suspense": "payments.view_lockboxitem",
    "payments:lockbox_item": "payments.view_lockboxitem",
    "payments:lockbox_reconciliations": "payments.view_lockboxitem",
}
# A permitted POST redirects: the first role applies or returns the item, the others are told it is no longer in
# suspense (the apply names no account, so it is refused with a message, and redirects too).
POSTS = {
    "payments:lockbox_apply": ("payments.change_lockboxitem", {"account": "00000000", "note": "Matrix"}),
    "payments:lockbox_return": ("payments.change_lockboxitem", {"note": "Matrix: no stub, no name"}),
}


def build(world):
    from datetime import date
    from decimal import Decimal

    from cistern.payments.models import LockboxFile, LockboxItem

    record = LockboxFile.objects.create(
        file_name="matrix.csv", sha256="0" * 64, items=1, posted=0, suspense=1, already=0, total=Decimal("9.99"),
        imported_by=world["user"],
    )  # fmt: skip
    item = LockboxItem.objects.create(
        file=record, line=2, scanline="", amount=Decimal("9.99"), check_number="501", deposit_date=date(2026, 11, 30),
        status="suspense", reason="no scanline: the check came without its bill stub",
    )  # fmt: skip
    return {"lockbox_file": record, "lockbox_item": item}


def url(name, world):
    return {
        "payments:lockbox": "/payments/lockbox/",
        "payments:lockbox_file": f"/payments/lockbox/files/{world['lockbox_file'].pk}/",
        "payments:lockbox_suspense": "/payments/lockbox/suspense/",
        "payments:lockbox_item": f"/payments/lockbox/items/{world['lockbox_item'].pk}/",
        "payments:lockbox_apply": f"/payments/lockbox/items/{world['lockbox_item'].pk}/apply/",
        "payments:lockbox_return": f"/payments/lockbox/items/{world['lockbox_item'].pk}/return/",
        "payments:lockbox_reconciliations": "/payments/lockbox/bai2/",
    }[name]
