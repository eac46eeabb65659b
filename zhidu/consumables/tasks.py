"""Periodic jobs of consumables: the plan drafted at the start of each period (VAR-02, N05,
N33) and low-stock alerts to the consumables keeper."""

from datetime import time

from zhidu.core import context
from zhidu.core.jobs import periodic


def draft_plan_now(now=None):
    from . import services

    with context.using(source=context.Source.JOB):
        return services.draft_periodic_plan(now=now)


def low_stock_now(now=None) -> int:
    from . import services

    with context.using(source=context.Source.JOB):
        return services.low_stock_alerts(now=now)


@periodic(name="consumables.draft_plan", at=time(7, 0))
def draft_plan_job():
    """Daily at 07:00: drafts the month's (A) or quarter's (B) plan on the period's first working
    day (or the first run after it); a no-op once the period has its plan."""
    draft_plan_now()


@periodic(name="consumables.low_stock", at=time(8, 0))
def low_stock_job():
    """Daily at 08:00: notify the consumables keeper of items at or below their reorder level."""
    low_stock_now()
