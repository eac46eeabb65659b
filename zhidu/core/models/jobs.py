"""The claim table of the periodic-job scheduler (`zhidu.core.jobs`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One periodic job enqueued for one slot of its schedule.

    The unique constraint on (name, slot_start) is what makes a job fire exactly once per slot
    however many workers run the scheduler: each worker tries to insert the row, the database
    lets exactly one insert succeed, and only that worker enqueues the task.
    """

    name = models.CharField(_("job"), max_length=100)
    slot_start = models.DateTimeField(_("slot"))
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    task_id = models.CharField(_("task result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")
        ordering = ["-slot_start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot_start"], name="core_jobrun_unique_slot"),
        ]
        indexes = [models.Index(fields=["claimed_at"], name="core_jobrun_claimed_idx")]

    def __str__(self):
        return f"{self.name} @ {self.slot_start:%Y-%m-%d %H:%M}"
