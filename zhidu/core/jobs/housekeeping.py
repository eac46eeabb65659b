"""Periodic jobs of the core itself."""

from datetime import time, timedelta

from django.utils import timezone

from . import periodic

#: Claims of periodic jobs are kept this long (they show when each job last ran).
JOB_RUN_RETENTION = timedelta(days=90)
#: Finished results of background tasks (database backend) are kept this long.
TASK_RESULT_RETENTION = timedelta(days=30)


@periodic(name="core.prune_job_history", at=time(3, 30))
def prune_job_history():
    """Delete old periodic-job claims and old finished task results."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from zhidu.core.models import JobRun

    now = timezone.now()
    runs, _ = JobRun.objects.filter(claimed_at__lt=now - JOB_RUN_RETENTION).delete()
    results = 0
    if isinstance(prune_job_history.get_backend(), DatabaseBackend):
        results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULT_RETENTION).delete()
    return {"job_runs": runs, "task_results": results}


@periodic(name="core.expire_background_files", at=time(3, 45))
def expire_background_files():
    """Delete the files of background jobs older than the retention parameter (default 7 days)."""
    from zhidu.core import background

    return {"expired": background.expire_old_files()}
