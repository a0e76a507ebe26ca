from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ReportAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
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
                ],
            },
        ),
    ]
