"""The append-only, hash-chained change log (DESIGN "Change log")."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeLogHead(models.Model):
    """A single row holding the hash of the newest entry.

    Appending locks this row, so entries are chained in commit order even when many
    transactions write at once (PostgreSQL row lock; SQLite serialises writers anyway).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="")
    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("change-log head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="core_changelog_head_singleton")]

    def __str__(self):
        return f"#{self.last_id} {self.last_hash[:12]}"


class ChangeLogEntry(models.Model):
    """One change to one object: who, when, from where, and the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        EVENT = "event", _("Event")

    time = models.DateTimeField(_("time"), db_index=True)
    # PROTECT: the actor id is part of the entry's hash, so a user who changed something is
    # deactivated, never deleted (SET_NULL would make every entry of theirs look tampered with).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=10)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("change-log entry")
        verbose_name_plural = _("change log")
        ordering = ["-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-id"], name="core_changelog_obj_idx")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.action} {self.object_repr}"
