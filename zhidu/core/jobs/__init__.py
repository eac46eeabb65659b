"""Background work and periodic jobs (DESIGN "background work", issue #2 §1).

Background work is Django's `django.tasks` API: the database backend (django-tasks-db) by
default, RQ/Redis to scale out (`ZHIDU_TASKS=rq`, docs/deploy.md). Periodic jobs are declared
in code, next to the service they call, with their schedule::

    from datetime import time, timedelta
    from zhidu.core.jobs import periodic

    @periodic(name="approvals.remind_overdue", every=timedelta(minutes=15))
    def remind_overdue():
        services.remind_overdue(now=timezone.now())

    @periodic(name="backups.check_monthly", at=time(2, 0))   # every day at 02:00 Asia/Shanghai
    def check_monthly(): ...

`periodic` returns an ordinary django.tasks `Task` (so `remind_overdue.enqueue()` and
`remind_overdue.call()` work as usual) and registers it with the scheduler. Put periodic jobs in
the app's `tasks.py` (or `<app>/<package>/tasks.py`); `autodiscover()` imports them.

The scheduler (`zhidu worker`, or the in-process worker of `zhidu demo`) calls `tick()` about
every 30 seconds. A schedule divides time into slots (`every`: consecutive intervals aligned to
midnight of 3 January 2000, a Monday, Asia/Shanghai; `at`: one slot a day starting at that
local time). For each job, `tick()` inserts a `JobRun(name, slot_start)` row; a unique
constraint lets exactly one insert per slot succeed, whatever number of workers race for it,
and only the worker whose insert succeeded enqueues the task. With the database backend the
claim and the enqueued task commit in one transaction. A slot missed while no worker ran is
run once when a worker comes back (only the current slot, never a backlog).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import pkgutil
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, Task, task, task_backends
from django.utils import timezone
from django.utils.crypto import get_random_string

logger = logging.getLogger("zhidu.jobs")

#: How often the scheduler looks for due jobs when no slot starts sooner (seconds).
SCHEDULER_INTERVAL = 30.0


def _local_tz():
    return timezone.get_default_timezone()


def _anchor() -> datetime:
    """Where `every` slots start counting: Monday 3 January 2000, 00:00 local time, in UTC."""
    return datetime(2000, 1, 3, tzinfo=_local_tz()).astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    """`every`: a slot every interval; `at`: a slot every day at that local (Asia/Shanghai) time."""

    every: timedelta | None = None
    at: time | None = None

    def __post_init__(self):
        if (self.every is None) == (self.at is None):
            raise ImproperlyConfigured("A periodic job needs exactly one of every= or at=.")
        if self.every is not None and self.every < timedelta(seconds=1):
            raise ImproperlyConfigured("every= must be at least one second.")
        if self.at is not None and self.at.tzinfo is not None:
            raise ImproperlyConfigured("at= is a local wall-clock time; give it without a time zone.")

    def slot_start(self, now: datetime) -> datetime:
        """The start (UTC) of the slot that contains `now`."""
        if timezone.is_naive(now):
            raise ValueError("now must be an aware datetime")
        if self.every is not None:
            anchor = _anchor()
            return anchor + ((now - anchor) // self.every) * self.every
        local = now.astimezone(_local_tz())
        start = self._at_on(local.date())
        if start > now:
            start = self._at_on(local.date() - timedelta(days=1))
        return start

    def next_slot(self, now: datetime) -> datetime:
        """The start (UTC) of the slot after the one that contains `now`."""
        current = self.slot_start(now)
        if self.every is not None:
            return current + self.every
        return self._at_on(current.astimezone(_local_tz()).date() + timedelta(days=1))

    def _at_on(self, day) -> datetime:
        return timezone.make_aware(datetime.combine(day, self.at), _local_tz()).astimezone(UTC)

    def __str__(self):
        if self.every is not None:
            return f"every {self.every}"
        return f"daily at {self.at:%H:%M}"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    schedule: Schedule
    task: Task
    description: str = ""


#: Every periodic job declared so far, by name.
REGISTRY: dict[str, PeriodicJob] = {}


def periodic(
    *,
    name: str,
    every: timedelta | None = None,
    at: time | None = None,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
    priority: int = 0,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
) -> Callable[[Callable], Task]:
    """Declare a periodic job: a django.tasks task the scheduler enqueues once per slot.

    The function takes no arguments (read the clock with `timezone.now()`); it must be defined
    at module level. Give exactly one of `every=` (a timedelta) or `at=` (a daily local time).
    """
    schedule = Schedule(every=every, at=at)

    def decorator(func) -> Task:
        job_task = func if isinstance(func, Task) else task(
            func, queue_name=queue_name, priority=priority, backend=backend
        )
        existing = REGISTRY.get(name)
        if existing is not None and existing.task.module_path != job_task.module_path:
            raise ImproperlyConfigured(
                f"Periodic job {name!r} is declared twice: {existing.task.module_path} and {job_task.module_path}"
            )
        doc = (job_task.func.__doc__ or "").strip().splitlines()
        REGISTRY[name] = PeriodicJob(name=name, schedule=schedule, task=job_task, description=doc[0] if doc else "")
        return job_task

    return decorator


_IGNORED_SUBPACKAGES = {"tests", "migrations", "management", "templates", "static", "locale", "locale_src"}


def autodiscover() -> dict[str, PeriodicJob]:
    """Import the `tasks` modules of Zhidu's apps (and of their sub-packages) and the core's
    housekeeping jobs, so every periodic job is registered. Returns the registry."""
    from django.apps import apps

    def import_if_present(module_name: str) -> None:
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            importlib.import_module(module_name)

    for app in apps.get_app_configs():
        if not app.name.startswith("zhidu."):
            continue
        import_if_present(f"{app.name}.tasks")
        for info in pkgutil.iter_modules(app.module.__path__):
            if info.ispkg and info.name not in _IGNORED_SUBPACKAGES:
                import_if_present(f"{app.name}.{info.name}.tasks")
    importlib.import_module("zhidu.core.jobs.housekeeping")
    return REGISTRY


def _uses_database_backend(job_task: Task) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(job_task.get_backend(), DatabaseBackend)


def _enqueue_after_commit(job: PeriodicJob, run_pk: int) -> None:
    from zhidu.core.models import JobRun

    result = job.task.enqueue()
    JobRun.objects.filter(pk=run_pk).update(task_id=str(result.id)[:64])


def claim(job: PeriodicJob, *, now: datetime, worker_id: str = ""):
    """Claim the slot of `job` that contains `now` and enqueue the job; None if already claimed.

    Exactly one caller per (job, slot) gets a JobRun back, even when several workers call this
    at the same moment: the loser's insert violates `core_jobrun_unique_slot`.
    """
    from zhidu.core.models import JobRun

    slot = job.schedule.slot_start(now)
    try:
        with transaction.atomic():
            run = JobRun.objects.create(name=job.name, slot_start=slot, claimed_at=now, worker_id=worker_id[:64])
            if _uses_database_backend(job.task):
                # Same database, same transaction: the claim and the queued task commit together.
                result = job.task.enqueue()
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
            else:
                # Redis (or the immediate test backend): push only once the claim is committed.
                transaction.on_commit(partial(_enqueue_after_commit, job, run.pk))
    except IntegrityError:
        return None
    logger.info("Enqueued periodic job %s for slot %s", job.name, slot.isoformat())
    return run


def tick(*, now: datetime | None = None, worker_id: str = "", names: Iterable[str] | None = None) -> list:
    """One scheduler pass: claim and enqueue every due job (or only `names`). Returns the
    JobRun rows this call claimed."""
    now = now or timezone.now()
    wanted = None if names is None else set(names)
    claimed = []
    for name in sorted(REGISTRY):
        if wanted is not None and name not in wanted:
            continue
        run = claim(REGISTRY[name], now=now, worker_id=worker_id)
        if run is not None:
            claimed.append(run)
    return claimed


def seconds_until_next_slot(now: datetime, *, default: float = SCHEDULER_INTERVAL) -> float:
    """How long the scheduler may wait before a new slot of some job starts (at most `default`)."""
    waits = [(job.schedule.next_slot(now) - now).total_seconds() for job in REGISTRY.values()]
    return max(0.5, min([default, *waits]))


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"


def run_scheduler(*, stop: threading.Event, worker_id: str | None = None, interval: float = SCHEDULER_INTERVAL) -> None:
    """The scheduler loop: `tick()` until `stop` is set. Several may run at once (any machine)."""
    worker_id = worker_id or new_worker_id()
    autodiscover()
    logger.info("Scheduler %s started with %d periodic jobs", worker_id, len(REGISTRY))
    try:
        while not stop.is_set():
            try:
                tick(worker_id=worker_id)
            except Exception:
                logger.exception("Scheduler tick failed; retrying")
            finally:
                close_old_connections()
            stop.wait(seconds_until_next_slot(timezone.now(), default=interval))
    finally:
        connections.close_all()


def make_db_worker(*, worker_id: str, interval: float = 1.0, queue_names: Iterable[str] = ("*",),
                   batch: bool = False, max_tasks: int | None = None, startup_delay: bool = False):
    """A django-tasks-db worker (the loop of its `db_worker` command)."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=list(queue_names),
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=startup_delay,
        max_tasks=max_tasks,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
    )


class InProcessWorker:
    """The task worker and the scheduler running as daemon threads of the current process
    (what `zhidu demo` uses, so the demo needs no second process)."""

    def __init__(self, *, scheduler: bool = True, interval: float = 1.0,
                 scheduler_interval: float = SCHEDULER_INTERVAL):
        self.worker_id = new_worker_id()
        self.stop_event = threading.Event()
        self.scheduler = scheduler
        self.interval = interval
        self.scheduler_interval = scheduler_interval
        self.db_worker = None
        self.threads: list[threading.Thread] = []

    def start(self) -> InProcessWorker:
        autodiscover()
        if self.scheduler:
            self._spawn("zhidu-scheduler", partial(
                run_scheduler, stop=self.stop_event, worker_id=self.worker_id, interval=self.scheduler_interval
            ))
        from django_tasks_db.backend import DatabaseBackend

        if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            self.db_worker = make_db_worker(worker_id=self.worker_id, interval=self.interval)
            self._spawn("zhidu-worker", self._run_db_worker)
        return self

    def _spawn(self, name: str, target: Callable) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _run_db_worker(self) -> None:
        try:
            self.db_worker.run()  # no signal handlers: only the main thread may install them
        except Exception:
            logger.exception("In-process task worker stopped")
        finally:
            connections.close_all()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.db_worker is not None:
            self.db_worker.running = False
        for thread in self.threads:
            thread.join(timeout)


def start_worker_thread(**kwargs) -> InProcessWorker:
    """Run the task worker and the scheduler in daemon threads of this process (`zhidu demo`)."""
    return InProcessWorker(**kwargs).start()
