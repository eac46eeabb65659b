"""Background part of notifications: the e-mail copy."""

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _


def _address(user) -> str:
    if user.email:
        return user.email
    person = getattr(user, "person", None)
    return getattr(person, "email", "") or ""


def _absolute(link: str) -> str:
    if not link or "://" in link:
        return link
    base = getattr(settings, "ZHIDU_BASE_URL", "").rstrip("/")
    return f"{base}{link}" if base else link


@task
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient if the recipient has an address; returns how
    many were sent. Notifications already e-mailed are skipped, so a retry sends no duplicates."""
    from zhidu.core.models import Notification

    pending = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient", "recipient__person")
        .order_by("pk")
    )
    messages, sent_ids = [], []
    for notification in pending:
        address = _address(notification.recipient)
        if not address:
            continue
        first_line = notification.message.strip().splitlines()[0] if notification.message.strip() else ""
        body = notification.message
        if notification.link:
            body += "\n\n" + _absolute(notification.link)
        messages.append(EmailMessage(
            subject=f"[{_('Zhidu')}] {first_line[:80]}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        ))
        sent_ids.append(notification.pk)
    if not messages:
        return 0
    mailers.default.send_messages(messages)
    Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())
    return len(messages)
