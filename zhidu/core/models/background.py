"""Background jobs: long work run as a django.tasks task (DESIGN "Long work … runs in the
background with a progress bar and a download when done").

A `BackgroundJob` is the user-facing record of one piece of long work (an import, an
export, a report): who started it, how far it is, its messages and row errors, and the
file it produced. It is deliberately not a `BaseModel`: progress is written hundreds of
times and is not a business change; the business effects of the job (imported rows, the
export event) are change-logged by the work itself.

Scope: a job and its file are visible to their owner only (and to superusers).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BackgroundJobQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """A job is its owner's: others (except superusers) never see it (→ 404)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(owner=user)


class BackgroundJob(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        REPORT = "report", _("Report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    handler = models.CharField(_("handler"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_jobs",
                              verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    result_file = models.FileField(_("result file"), upload_to="background/%Y/%m/", blank=True, max_length=300)
    result_filename = models.CharField(_("file name"), max_length=200, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    #: When the retention period deleted the job's files (`background.expire_old_files`).
    files_expired = models.DateTimeField(_("files expired"), null=True, blank=True)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["owner", "-created"], name="core_bgjob_owner_created_idx")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("background_job", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
