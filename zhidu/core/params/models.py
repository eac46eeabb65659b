"""Stored values of regulation parameters and their history (issue #2 §3, catalogue §24/§26)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhidu.core.models.base import BaseModel


class ParameterValue(BaseModel):
    """The value an organisation chose for a declared parameter (absent: the default applies).

    Written only by `params.set_value`, which also appends a `ParameterChange` and bumps the
    `ParameterRevision` counter that keeps every process's cache correct.
    """

    key = models.CharField(_("parameter"), max_length=100, unique=True)
    value = models.JSONField(_("value"), null=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("changed by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("regulation parameter")
        verbose_name_plural = _("regulation parameters")
        ordering = ["key"]

    def __str__(self):
        return self.key


class ParameterChange(models.Model):
    """One change of a parameter: old and new value (JSON; null old = the default), who, when, why."""

    key = models.CharField(_("parameter"), max_length=100, db_index=True)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("changed by"),
    )
    actor_name = models.CharField(_("changed by"), max_length=150, blank=True)
    time = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("parameter change")
        verbose_name_plural = _("parameter changes")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["key", "-time"], name="core_paramchange_key_time")]

    def __str__(self):
        return f"{self.key} @ {self.time:%Y-%m-%d %H:%M}"


class ParameterRevision(models.Model):
    """A single row counting parameter changes; `params.get` compares it with its cache.

    Incremented under a row lock in the same transaction as the change, so a process that
    reads revision N also reads every value committed with revision N.
    """

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("parameter revision")
        verbose_name_plural = _("parameter revisions")

    def __str__(self):
        return str(self.version)
