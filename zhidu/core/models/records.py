"""Records shared by every domain: document numbers, timeline events, attachments."""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentSequence(models.Model):
    """The last number issued for a document series in a year (DESIGN rule 8).

    Incremented under a row lock inside the caller's transaction, so numbers have no gaps
    (a rolled-back document gives its number back) and no duplicates.
    """

    key = models.CharField(_("series"), max_length=40)
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document sequence")
        verbose_name_plural = _("document sequences")
        constraints = [
            models.UniqueConstraint(fields=["key", "year"], name="core_docseq_unique_key_year"),
        ]

    def __str__(self):
        return f"{self.key}-{self.year}: {self.last}"


class TimelineEvent(models.Model):
    """One event on an object's timeline: submitted, approved by X with opinion Y, returned…"""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    time = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(_("event"), max_length=40)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["time", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "time"], name="core_timeline_obj_idx")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.verb}"


def attachment_path(instance, filename):
    return f"attachments/{instance.content_type.app_label}/{instance.content_type.model}/{instance.object_id}/{filename}"


class Attachment(models.Model):
    """A file attached to any object (quotation scan, signed letter, certificate…)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded = models.DateTimeField(_("uploaded"), auto_now_add=True)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_attachment_obj_idx")]

    def __str__(self):
        return self.name

    def compute_sha256(self):
        digest = hashlib.sha256()
        for chunk in self.file.chunks():
            digest.update(chunk)
        return digest.hexdigest()
