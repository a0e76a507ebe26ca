from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from cistern.core import roles

# One user per role for the demo district; the passwords are documented in the README.
DEMO_USERS = [
    ("css1", "Casey", "Rivera", roles.CSS_I, "css1-demo-pass"),
    ("css2", "Dana", "Whitfield", roles.CSS_II, "css2-demo-pass"),
    ("supervisor", "Morgan", "Lee", roles.SUPERVISOR, "supervisor-demo-pass"),
    ("cashier", "Avery", "Nguyen", roles.CASHIER, "cashier-demo-pass"),
    ("tech", "Jordan", "Baca", roles.FIELD_TECHNICIAN, "tech-demo-pass"),
    ("billing", "Riley", "Chen", roles.BILLING_ADMIN, "billing-demo-pass"),
    ("auditor", "Quinn", "Foster", roles.AUDITOR, "auditor-demo-pass"),
    # A machine (the AMI head-end): no password, no web sign-in; it works with a token.
    ("ami", "AMI", "Head-end", roles.INTEGRATION, None),
]
NO_PASSWORD = "(none: manage.py create_api_token ami)"


class Command(BaseCommand):
    help = "Create one demo user per role (existing users are left as they are) and print their passwords."

    def handle(self, **options):
        User = get_user_model()
        with transaction.atomic():
            for username, first, last, role, password in DEMO_USERS:
                user, created = User.objects.get_or_create(
                    username=username, defaults={"first_name": first, "last_name": last}
                )
                if created:
                    if password is None:
                        user.set_unusable_password()
                    else:
                        user.set_password(password)
                    user.is_staff = role == roles.SUPERVISOR
                    user.save()
                    user.groups.add(Group.objects.get(name=role))
        self.stdout.write("Demo users (user name / password / role):")
        for username, _, _, role, password in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {password or NO_PASSWORD:<22} {role}")
