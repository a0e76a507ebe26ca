"""Money in, in the admin: to look, never to change. Every payment, drawer, deposit, return, lockbox item,
autopay enrolment and refund is written by the payments services (validated, audited, posted to the ledger),
so the admin shows them read-only: it is no back door to the books."""

from django.contrib import admin

from cistern.metering.admin import ReadOnlyAdmin

from .models import (
    AchFile,
    AutopayDebit,
    AutopayEnrolment,
    Bai2Reconciliation,
    BankDeposit,
    DrawerSession,
    LockboxFile,
    LockboxItem,
    Payment,
    PaymentReturn,
    Refund,
)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "received_on", "channel", "customer", "amount", "status"]
    list_filter = ["channel", "status"]
    date_hierarchy = "received_on"


@admin.register(DrawerSession)
class DrawerSessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "business_day", "drawer", "cashier", "status", "variance"]
    list_filter = ["status"]


@admin.register(BankDeposit)
class BankDepositAdmin(ReadOnlyAdmin):
    list_display = ["id", "deposit_date", "cash_total", "check_total", "total"]


@admin.register(PaymentReturn)
class PaymentReturnAdmin(ReadOnlyAdmin):
    list_display = ["id", "returned_on", "kind", "reason_code", "payment"]
    exclude = ["letter_pdf"]


@admin.register(LockboxFile)
class LockboxFileAdmin(ReadOnlyAdmin):
    list_display = ["id", "file_name", "items", "posted", "suspense", "already", "total", "imported_at"]


@admin.register(LockboxItem)
class LockboxItemAdmin(ReadOnlyAdmin):
    list_display = ["id", "deposit_date", "scanline", "amount", "check_number", "status", "reason"]
    list_filter = ["status"]


@admin.register(Bai2Reconciliation)
class Bai2ReconciliationAdmin(ReadOnlyAdmin):
    list_display = ["id", "as_of", "bank_lockbox_total", "posted_lockbox_total", "difference"]


@admin.register(AutopayEnrolment)
class AutopayEnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "bank_account_last_four", "status", "live_from"]
    exclude = ["bank_account_encrypted"]  # never shown, even encrypted


@admin.register(AutopayDebit)
class AutopayDebitAdmin(ReadOnlyAdmin):
    list_display = ["id", "enrolment", "prenote", "amount", "settle_on", "status", "trace_number"]
    list_filter = ["status", "prenote"]


@admin.register(AchFile)
class AchFileAdmin(ReadOnlyAdmin):
    list_display = ["id", "settle_on", "file_id_modifier", "entries", "total_debits"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "amount", "status", "requested_at"]
    list_filter = ["status"]
