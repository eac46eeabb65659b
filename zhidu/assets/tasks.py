"""Periodic jobs of the equipment ledger (autodiscovered by zhidu.core.jobs). Add yours below."""

from datetime import time

from zhidu.core import context
from zhidu.core.jobs import periodic


def remind_overdue_loans_now(today=None) -> int:
    """Remind borrowers of overdue loans (AST-19); returns how many were reminded."""
    from .services.custody import remind_overdue_loans

    with context.using(source=context.Source.JOB):
        return remind_overdue_loans(today=today)


@periodic(name="assets.remind_overdue_loans", at=time(9, 0))
def remind_overdue_loans_job():
    """Remind borrowers of overdue equipment loans, once a day (AST-19)."""
    remind_overdue_loans_now()
