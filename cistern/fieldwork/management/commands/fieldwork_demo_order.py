"""A demo turn-on for a technician's phone: a new pending account at a premise with a meter, its turn-on
order scheduled for today and dispatched to the technician. Prints the order and account as JSON."""

import json
from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from cistern.core import clock
from cistern.customers import services as customers
from cistern.customers.models import Customer, Premise
from cistern.fieldwork import services
from cistern.fieldwork.models import ServiceOrder
from cistern.metering import services as metering
from cistern.metering.models import Meter, ServicePoint


class Command(BaseCommand):
    help = "Create a pending account with a meter and dispatch its turn-on to a technician for today."

    def add_arguments(self, parser):
        parser.add_argument("--technician", default="tech")
        parser.add_argument(
            "--actor", default="supervisor", help="A user who may start service and dispatch."
        )

    def handle(self, *, technician, actor, **options):
        users = get_user_model().objects
        tech, boss = users.get(username=technician), users.get(username=actor)
        today = clock.today()
        with transaction.atomic():
            n = Premise.objects.count() + 1
            premise = customers.premise_create(
                actor=boss, street=f"{n} Field Demo Rd", city="Joshua Tree", zip_code="92252", reason="Demo"
            )
            point = ServicePoint.objects.create(premise=premise, location_note="Front yard, left of driveway")
            meter = Meter.objects.create(serial=f"FD-{n:06d}", size="3/4", make="Badger")
            metering.meter_install(
                actor=boss, meter=meter, service_point=point, installed_on=today - timedelta(days=30),
                initial_value="100",
            )  # fmt: skip
            customer = Customer.objects.create(
                name=f"Field Demo Customer {n}", phone="(760) 555-0142", mailing_street=f"{n} Field Demo Rd",
                mailing_city="Joshua Tree", mailing_zip="92252",
            )  # fmt: skip
            account = customers.service_start(
                actor=boss, customer=customer, premise=premise, start_date=today,
                application=customers.Application(
                    relationship="owner", occupancy_type="owner", identity_method="credit_check",
                    credit_decision="acceptable", deposit_required=False,
                ),
            )  # fmt: skip
            order = ServiceOrder.objects.get(account=account, order_type__code="turn_on")
            services.order_schedule(
                actor=boss,
                order=order,
                scheduled_on=today,
                window_start=time(8),
                window_end=time(12),
                technician=tech,
            )
            services.order_dispatch(actor=boss, order=order)
        self.stdout.write(
            json.dumps(
                {
                    "order": order.number,
                    "account": account.number,
                    "address": premise.service_address,
                    "meter": meter.serial,
                }
            )  # fmt: skip
        )
