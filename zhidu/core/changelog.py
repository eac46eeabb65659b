"""Writing and verifying the hash-chained change log.

Every save and delete of a `BaseModel` is recorded by the signal handlers below (DESIGN rule
5: signals only for cross-cutting infrastructure). Services record non-field events with
`record_event`. `verify_chain` is what `zhidu check-audit` runs.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import context
from .models.base import BaseModel
from .models.changelog import ChangeLogEntry, ChangeLogHead

GENESIS = "0" * 64


def _jsonable(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict:
    """Concrete field values as JSON-ready data (foreign keys by id)."""
    exclude = set(getattr(instance, "changelog_exclude", ()))
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def _loaded_snapshot(instance) -> dict | None:
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None:
        return None
    exclude = set(getattr(instance, "changelog_exclude", ()))
    by_attname = {f.attname: f for f in instance._meta.concrete_fields}
    result = {}
    for attname, value in loaded.items():
        field = by_attname.get(attname)
        if field is None or field.name in exclude:
            continue
        result[attname] = _jsonable(field.to_python(value) if value is not None else None)
    return result


def entry_digest(entry: ChangeLogEntry, prev_hash: str) -> str:
    """The hash of an entry: every recorded fact plus the previous hash."""
    payload = {
        "prev": prev_hash,
        "time": entry.time.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "request_id": entry.request_id,
        "source": entry.source,
        "ip": entry.ip,
        "ct": entry.content_type_id,
        "object_id": entry.object_id,
        "repr": entry.object_repr,
        "action": entry.action,
        "before": entry.before,
        "after": entry.after,
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def append(*, obj: models.Model, action: str, before: dict | None, after: dict | None) -> ChangeLogEntry:
    """Append one entry to the chain, under the head-row lock."""
    ctx = context.current()
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = ChangeLogHead.objects.select_for_update().get_or_create(id=1)
        entry = ChangeLogEntry(
            time=timezone.now(),
            actor=user,
            actor_name=(user.get_username() if user else "")[:150],
            request_id=ctx.request_id[:32],
            source=ctx.source,
            ip=ctx.ip,
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            action=action,
            before=before,
            after=after,
            prev_hash=head.last_hash or GENESIS,
        )
        entry.hash = entry_digest(entry, entry.prev_hash)
        entry.save()
        head.last_hash = entry.hash
        head.last_id = entry.pk
        head.save(update_fields=["last_hash", "last_id"])
    return entry


def record_event(obj: models.Model, *, data: dict) -> ChangeLogEntry:
    """Record a non-field change (a decision, a print, an export) against an object."""
    return append(obj=obj, action=ChangeLogEntry.Action.EVENT, before=None, after=data)


@receiver(post_save)
def _on_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, BaseModel):
        return
    after = snapshot(instance)
    if created:
        append(obj=instance, action=ChangeLogEntry.Action.CREATE, before=None, after=after)
    else:
        before = _loaded_snapshot(instance)
        if before is not None:
            changed = {k for k in after if before.get(k) != after[k]}
            if not changed:
                instance._loaded_values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
                return
            before = {k: before.get(k) for k in changed}
            after = {k: after[k] for k in changed}
        append(obj=instance, action=ChangeLogEntry.Action.UPDATE, before=before, after=after)
    instance._loaded_values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@receiver(post_delete)
def _on_delete(sender, instance, **kwargs):
    if not isinstance(instance, BaseModel):
        return
    append(obj=instance, action=ChangeLogEntry.Action.DELETE, before=snapshot(instance), after=None)


def verify_chain(*, batch_size: int = 2000) -> list[str]:
    """Recompute every hash in id order; return the problems found (empty when intact)."""
    problems: list[str] = []
    prev = GENESIS
    last_id = 0
    qs = ChangeLogEntry.objects.order_by("id")
    for entry in qs.iterator(chunk_size=batch_size):
        if entry.prev_hash != prev:
            problems.append(f"#{entry.pk}: previous-hash link broken (an entry before it was removed or altered)")
        expected = entry_digest(entry, entry.prev_hash)
        if expected != entry.hash:
            problems.append(f"#{entry.pk}: content does not match its hash (entry was edited)")
        prev = entry.hash
        last_id = entry.pk
    head = ChangeLogHead.objects.filter(id=1).first()
    if head and (head.last_id != last_id or (last_id and head.last_hash != prev)):
        problems.append("the newest entries were removed (chain head does not match the last entry)")
    return problems
