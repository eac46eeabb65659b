"""`zhidu worker`: run background tasks and the periodic-job scheduler.

With the database task backend (the default) this process runs both the django-tasks-db worker
loop and the scheduler. With RQ (`ZHIDU_TASKS=rq`) tasks are run by RQ workers
(`zhidu rqworker --job-class django_tasks_rq.Job`) and this command runs only the scheduler.
Any number of `zhidu worker` processes may run: a periodic job is still enqueued once per slot.
"""

import signal
import threading

from django.core.management.base import BaseCommand
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from zhidu.core import jobs


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (scheduler included; safe to run several)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between polls for new tasks when the queue is empty (default 1)")
        parser.add_argument("--queue-name", default="*",
                            help="queues to process, comma-separated; '*' for all (default)")
        parser.add_argument("--scheduler-only", action="store_true",
                            help="only enqueue periodic jobs; run no tasks")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="only run tasks; do not enqueue periodic jobs")
        parser.add_argument("--worker-id", default=None, help="unique id of this worker (default: host-pid-random)")
        parser.add_argument("--once", action="store_true",
                            help="enqueue the due periodic jobs, run every queued task, then exit (for cron)")

    def handle(self, *args, interval, queue_name, scheduler_only, no_scheduler, worker_id, once, **options):
        from django_tasks_db.backend import DatabaseBackend

        worker_id = worker_id or jobs.new_worker_id()
        registry = jobs.autodiscover()
        uses_db = isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
        run_tasks = uses_db and not scheduler_only
        run_scheduler = not no_scheduler
        if not (run_tasks or run_scheduler):
            self.stderr.write("Nothing to do: --no-scheduler with a task backend this command does not run.")
            return
        if options["verbosity"]:
            self.stdout.write(f"Zhidu worker {worker_id}")
            if run_scheduler:
                for job in sorted(registry.values(), key=lambda j: j.name):
                    self.stdout.write(f"  periodic job {job.name}: {job.schedule}")
            if not uses_db and not scheduler_only:
                self.stdout.write(
                    "  Tasks go to RQ: run `zhidu rqworker --job-class django_tasks_rq.Job` to execute them."
                )
        if once:
            if run_scheduler:
                claimed = jobs.tick(worker_id=worker_id)
                self.stdout.write(f"Enqueued {len(claimed)} periodic job(s).")
            if run_tasks:
                jobs.make_db_worker(worker_id=worker_id, queue_names=queue_name.split(","), batch=True).run()
            return
        stop = threading.Event()
        if run_tasks:
            if run_scheduler:
                threading.Thread(
                    target=jobs.run_scheduler, kwargs={"stop": stop, "worker_id": worker_id},
                    name="zhidu-scheduler", daemon=True,
                ).start()
            worker = jobs.make_db_worker(
                worker_id=worker_id, interval=interval, queue_names=queue_name.split(","), startup_delay=True
            )
            worker.configure_signals()
            try:
                worker.run()
            finally:
                stop.set()
            return

        def shutdown(signum, frame):
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, shutdown)
        jobs.run_scheduler(stop=stop, worker_id=worker_id)
