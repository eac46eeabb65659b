"""Periodic jobs: declared in code, enqueued exactly once per slot however many workers run."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from zhidu.core import jobs
from zhidu.core.jobs import Schedule, periodic, tick
from zhidu.core.models import JobRun

SH = ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
QUARTER = "tests.jobs.quarter_hour"
NIGHTLY = "tests.jobs.nightly"

CALLS: list[str] = []
PINGED = threading.Event()


@periodic(name=QUARTER, every=timedelta(minutes=15))
def quarter_hour():
    """A test job every quarter of an hour."""
    CALLS.append("quarter")


@periodic(name=NIGHTLY, at=time(2, 0))
def nightly():
    CALLS.append("nightly")


@task
def ping():
    PINGED.set()


def not_a_job():
    pass


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()
    yield
    CALLS.clear()


# --- schedules -------------------------------------------------------------------------------


def test_every_slots_are_aligned_to_local_midnight():
    quarter = Schedule(every=timedelta(minutes=15))
    assert quarter.slot_start(local("2026-03-02 10:07:30")) == local("2026-03-02 10:00")
    assert quarter.slot_start(local("2026-03-02 10:15")) == local("2026-03-02 10:15")
    assert quarter.next_slot(local("2026-03-02 10:07")) == local("2026-03-02 10:15")
    daily = Schedule(every=timedelta(days=1))
    assert daily.slot_start(local("2026-03-02 07:59")) == local("2026-03-02 00:00")
    weekly = Schedule(every=timedelta(days=7))
    assert weekly.slot_start(local("2026-03-05 12:00")) == local("2026-03-02 00:00")  # a Monday


def test_daily_at_slots_start_at_local_time():
    two_am = Schedule(at=time(2, 0))
    assert two_am.slot_start(local("2026-03-02 01:59")) == local("2026-03-01 02:00")
    assert two_am.slot_start(local("2026-03-02 02:00")) == local("2026-03-02 02:00")
    assert two_am.slot_start(local("2026-03-02 23:00")) == local("2026-03-02 02:00")
    assert two_am.next_slot(local("2026-03-02 23:00")) == local("2026-03-03 02:00")
    assert str(two_am) == "daily at 02:00"


@pytest.mark.parametrize("kwargs", [{}, {"every": timedelta(minutes=5), "at": time(1)},
                                    {"every": timedelta(0)}, {"at": time(1, tzinfo=SH)}])
def test_bad_schedules_are_refused(kwargs):
    with pytest.raises(ImproperlyConfigured):
        Schedule(**kwargs)


def test_job_name_cannot_be_declared_twice_for_another_function():
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        periodic(name=QUARTER, every=timedelta(minutes=15))(not_a_job)


def test_periodic_returns_a_django_task():
    assert quarter_hour.module_path == "zhidu.core.tests.test_jobs.quarter_hour"
    assert jobs.REGISTRY[QUARTER].description == "A test job every quarter of an hour."
    quarter_hour.call()
    assert CALLS == ["quarter"]


def test_autodiscover_registers_core_housekeeping():
    assert "core.prune_job_history" in jobs.autodiscover()


# --- exactly once per slot -------------------------------------------------------------------


@pytest.mark.django_db
def test_two_ticks_in_one_slot_enqueue_once_and_a_new_slot_again(settings):
    settings.TASKS = DB_TASKS
    first = tick(now=local("2026-03-02 10:01"), names=[QUARTER], worker_id="worker-a")
    second = tick(now=local("2026-03-02 10:14:59"), names=[QUARTER], worker_id="worker-b")
    assert [run.worker_id for run in first] == ["worker-a"]
    assert second == []
    queued = DBTaskResult.objects.filter(task_path=quarter_hour.module_path)
    assert queued.count() == 1
    assert first[0].task_id == str(queued.get().id)

    third = tick(now=local("2026-03-02 10:15"), names=[QUARTER], worker_id="worker-b")
    assert len(third) == 1
    assert queued.count() == 2
    assert list(JobRun.objects.filter(name=QUARTER).order_by("slot_start").values_list("slot_start", flat=True)) == [
        local("2026-03-02 10:00"), local("2026-03-02 10:15"),
    ]
    assert CALLS == []  # the database backend only queues; a worker runs them


@pytest.mark.django_db
def test_daily_job_fires_once_a_day_and_catches_up_a_missed_slot(settings):
    settings.TASKS = DB_TASKS
    # The worker was down at 02:00; it comes back at 09:00 and runs today's slot once.
    assert len(tick(now=local("2026-03-02 09:00"), names=[NIGHTLY])) == 1
    assert tick(now=local("2026-03-02 23:59"), names=[NIGHTLY]) == []
    assert tick(now=local("2026-03-03 01:59"), names=[NIGHTLY]) == []
    assert len(tick(now=local("2026-03-03 02:00"), names=[NIGHTLY])) == 1
    assert DBTaskResult.objects.filter(task_path=nightly.module_path).count() == 2


@pytest.mark.django_db
def test_non_database_backend_enqueues_after_commit(django_capture_on_commit_callbacks):
    # The test settings use the immediate backend: the job runs when the claim commits.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        claimed = tick(now=local("2026-03-02 10:01"), names=[QUARTER])
        assert CALLS == []
    assert len(callbacks) == 1
    assert CALLS == ["quarter"]
    claimed[0].refresh_from_db()
    assert claimed[0].task_id
    with django_capture_on_commit_callbacks(execute=True):
        assert tick(now=local("2026-03-02 10:02"), names=[QUARTER]) == []
    assert CALLS == ["quarter"]


@pytest.mark.django_db(transaction=True)
def test_worker_runs_what_the_scheduler_enqueued(settings):
    settings.TASKS = DB_TASKS
    tick(now=local("2026-03-02 10:01"), names=[QUARTER, NIGHTLY])
    jobs.make_db_worker(worker_id="test-worker", batch=True).run()
    assert sorted(CALLS) == ["nightly", "quarter"]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_worker_command_once_runs_due_jobs(settings):
    settings.TASKS = DB_TASKS
    jobs.autodiscover()
    call_command("worker", "--once", "--worker-id", "cron")
    # Every registered job had a due slot; each ran once.
    assert {"quarter", "nightly"} <= set(CALLS)
    assert JobRun.objects.filter(worker_id="cron").count() == len(jobs.REGISTRY)
    assert not DBTaskResult.objects.ready().exists()


@pytest.mark.django_db
def test_jobs_command_lists_jobs(capsys):
    call_command("jobs")
    out = capsys.readouterr().out
    assert QUARTER in out and "every 0:15:00" in out
    assert "core.prune_job_history" in out


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_enqueue_once_per_slot(settings):
    """Several schedulers (threads with their own connections, as separate workers would be)
    tick the same slot at the same moment: exactly one enqueues. PostgreSQL only."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test runs on PostgreSQL (DATABASE_URL=postgresql://...)")
    settings.TASKS = DB_TASKS
    workers = 6
    barrier = threading.Barrier(workers)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def scheduler(index: int, now: datetime) -> None:
        try:
            barrier.wait(timeout=30)
            claimed = tick(now=now, names=[QUARTER], worker_id=f"w{index}")
            with lock:
                results.append(len(claimed))
        except BaseException as e:  # surfaced below
            errors.append(e)
        finally:
            connection.close()

    for now in (local("2026-03-02 10:01"), local("2026-03-02 10:02"), local("2026-03-02 10:16")):
        threads = [threading.Thread(target=scheduler, args=(i, now)) for i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
    assert sorted(results) == [0] * (3 * workers - 2) + [1, 1]
    assert JobRun.objects.filter(name=QUARTER).count() == 2
    assert DBTaskResult.objects.filter(task_path=quarter_hour.module_path).count() == 2


@pytest.mark.django_db(transaction=True)
def test_in_process_worker_runs_tasks_and_stops(settings):
    """What `zhidu demo` starts: a task worker and the scheduler in daemon threads."""
    if connection.vendor != "postgresql":
        pytest.skip("threads sharing the in-memory SQLite test database lock each other; runs on PostgreSQL")
    settings.TASKS = DB_TASKS
    PINGED.clear()
    worker = jobs.start_worker_thread(interval=0.1, scheduler_interval=0.5)
    try:
        assert {t.name for t in worker.threads} == {"zhidu-worker", "zhidu-scheduler"}
        ping.enqueue()
        assert PINGED.wait(timeout=60), "the in-process worker did not run the task"
    finally:
        worker.stop()
    assert not any(t.is_alive() for t in worker.threads)


@pytest.mark.django_db
def test_prune_job_history_keeps_recent_runs(settings):
    from django.utils import timezone

    now = timezone.now()
    JobRun.objects.create(name="x", slot_start=now - timedelta(days=100), claimed_at=now - timedelta(days=100))
    JobRun.objects.create(name="x", slot_start=now - timedelta(days=1), claimed_at=now - timedelta(days=1))
    from zhidu.core.jobs.housekeeping import prune_job_history

    assert prune_job_history.call() == {"job_runs": 1, "task_results": 0}
    assert JobRun.objects.count() == 1
