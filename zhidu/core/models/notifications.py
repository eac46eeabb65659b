"""In-app notifications: the bell in the navbar and the list at /notifications/."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """A notification is private to its recipient, whatever roles the user holds
        (not even a superuser reads someone else's inbox)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user: a new approval task, a reminder, a result of their request.

    Created by `zhidu.core.notifications.notify()`, which also e-mails users with an address.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"),
    )
    verb = models.CharField(_("kind"), max_length=60, blank=True)
    message = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="core_notif_recipient_read_idx"),
            models.Index(fields=["recipient", "-created"], name="core_notif_recipient_new_idx"),
        ]

    def __str__(self):
        return self.message[:60]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
