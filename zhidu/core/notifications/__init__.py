"""In-app notifications with an e-mail copy (issue #2: new approval tasks, reminders, results).

    from zhidu.core.notifications import notify

    notify(users=[task.assignee.user], verb="approval.task",
           message=_("%(requester)s asks for your approval: %(title)s") % {...},
           link=reverse("approvals:task", args=[task.pk]))

`notify()` runs inside the caller's transaction: the notifications appear only if it commits,
and the e-mails (for recipients with an address) are sent by a background task enqueued after
the commit (`transaction.on_commit`), through `settings.MAILERS["default"]` (the console backend
unless `ZHIDU_EMAIL_BACKEND` says otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core.errors import RuleViolation
from zhidu.core.models import Notification

__all__ = ["mark_all_read", "mark_read", "notify", "unread_count"]


def _as_users(users) -> list:
    """Users from users, people (anything with a `.user`), or a single one of those."""
    if users is None:
        return []
    if not isinstance(users, Iterable) or isinstance(users, str):
        users = [users]
    found, seen = [], set()
    for item in users:
        user = item if hasattr(item, "is_authenticated") else getattr(item, "user", None)
        if user is None or user.pk is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        found.append(user)
    return found


def notify(*, users, message, link: str = "", verb: str = "", email: bool = True) -> list[Notification]:
    """Notify `users` (users or people; inactive and duplicate ones are skipped).

    `message` is shown in the list and used as the e-mail text (pass it translated); `link`
    is a path in Zhidu (e.g. the approval task); `verb` says what happened, dotted
    ("approval.task", "approval.reminder") so it can be filtered. Returns the notifications.
    """
    recipients = _as_users(users)
    if not recipients:
        return []
    now = timezone.now()
    created = Notification.objects.bulk_create(
        Notification(recipient=user, verb=verb[:60], message=str(message), link=str(link)[:500], created=now)
        for user in recipients
    )
    if email:
        ids = [n.pk for n in created if n.pk is not None]
        if ids:
            transaction.on_commit(lambda: _enqueue_emails(ids))
    return created


def _enqueue_emails(ids: list[int]) -> None:
    from .tasks import send_notification_emails

    send_notification_emails.enqueue(ids)


def unread_count(user) -> int:
    return Notification.objects.restrict(user).unread().count()


@transaction.atomic
def mark_read(*, notification: Notification, actor) -> Notification:
    """Mark one of the actor's own notifications read (idempotent)."""
    if notification.recipient_id != actor.pk:
        raise RuleViolation(_("Only its recipient can mark a notification read."), code="not_recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.restrict(actor).unread().update(read_at=timezone.now())
