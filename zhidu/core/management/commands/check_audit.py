"""`zhidu check-audit`: verify the hash chain of the change log (DESIGN "Change log").

Exit code 0 and "OK, N entries verified" when the chain is intact; exit code 1 with every
problem listed (an edited entry, a removed entry, removed newest entries) otherwise.
"""

from django.core.management.base import BaseCommand, CommandError

from zhidu.core.changelog import verify


class Command(BaseCommand):
    help = "Verify the change-log hash chain: exit 0 when intact, 1 when an entry was edited or removed."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="entries read per query")

    def handle(self, *args, **options):
        report = verify(batch_size=options["batch_size"])
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"OK, {report.checked} entries verified"))
            return
        for problem in report.problems:
            self.stderr.write(f"PROBLEM {problem}")
        raise CommandError(
            f"the change log was tampered with: {len(report.problems)} problem(s) in {report.checked} entries",
            returncode=1,
        )
