from django.core.management.base import BaseCommand, CommandError

from cistern.ledger.verify import breaches


class Command(BaseCommand):
    help = "Check every invariant of the ledger; exit non-zero on any breach."

    def handle(self, *args, **options):
        found = breaches()
        for breach in found:
            self.stderr.write(breach)
        if found:
            raise CommandError(f"{len(found)} breach{'es' if len(found) != 1 else ''} of the ledger's rules.")
        self.stdout.write("The ledger balances: every entry sums to zero, every rule holds.")
