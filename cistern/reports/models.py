"""No tables: the reports read the other apps' data. `ReportAccess` is an unmanaged model with no table whose only
purpose is to carry the reports' permissions (one per report, and one for the reports page), so that roles.py gives
them to roles like any other permission."""

from django.db import models

PERMISSIONS = [
    ("view_reports", "Can open the reports page"),
    ("view_daily_cash", "Can run the daily cash report"),
    ("view_deposits", "Can run the bank deposits report"),
    ("view_nsf_returns", "Can run the returned payments (NSF) report"),
    ("view_aging", "Can run the aging report"),
    ("view_adjustments", "Can run the adjustments report"),
    ("view_write_offs", "Can run the write-offs and agency referrals report"),
    ("view_billing_register", "Can run the billing register"),
    ("view_consumption_revenue", "Can run the consumption and revenue report"),
    ("view_service_orders", "Can run the service orders report"),
    ("view_delinquency", "Can run the delinquency and lock-offs report"),
    ("view_assistance", "Can run the assistance programs report"),
    ("view_audit_trail", "Can run the audit trail report"),
]


class ReportAccess(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = PERMISSIONS

    def __str__(self):
        return "Report access"
