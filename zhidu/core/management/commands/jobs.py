"""`zhidu jobs`: list the periodic jobs with their schedule and last run; run one now."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone

from zhidu.core import jobs


class Command(BaseCommand):
    help = "List periodic jobs (schedule, last slot, next slot), or enqueue one now with --run NAME."

    def add_arguments(self, parser):
        parser.add_argument("--run", metavar="NAME", help="enqueue this periodic job now, outside its schedule")

    def handle(self, *args, run=None, **options):
        from zhidu.core.models import JobRun

        registry = jobs.autodiscover()
        if run:
            if run not in registry:
                raise CommandError(f"No periodic job named {run!r}; known: {', '.join(sorted(registry))}")
            result = registry[run].task.enqueue()
            self.stdout.write(f"Enqueued {run} (task result {result.id})")
            return
        now = timezone.now()
        last = dict(JobRun.objects.order_by().values_list("name").annotate(last=Max("slot_start")))
        for name in sorted(registry):
            job = registry[name]
            previous = last.get(name)
            last_text = f"{timezone.localtime(previous):%Y-%m-%d %H:%M}" if previous else "-"
            next_text = f"{timezone.localtime(job.schedule.next_slot(now)):%Y-%m-%d %H:%M}"
            self.stdout.write(f"{name:<36} {job.schedule!s:<26} last {last_text:<16} next {next_text}")
            if job.description:
                self.stdout.write(f"    {job.description}")
