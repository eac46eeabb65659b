"""Background work of the approval engine: reminders and escalation of overdue steps (SW-08)."""

from datetime import timedelta

from zhidu.core import context
from zhidu.core.jobs import periodic


def remind_overdue_tasks(now=None) -> dict:
    """Remind overdue steps once per deadline passage and escalate those still open after
    `approvals.escalation_after_hours` (see `services.remind_overdue`). Returns the counts."""
    from . import services

    with context.using(source=context.Source.JOB):
        return services.remind_overdue(now=now)


@periodic(name="approvals.remind_overdue", every=timedelta(minutes=15))
def remind_overdue_job():
    """Remind and escalate overdue approval steps (SW-08, 篇1 第十七条)."""
    remind_overdue_tasks()
