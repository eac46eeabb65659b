"""Writing and verifying the hash-chained change log (DESIGN "Change log").

Every save and delete of a `BaseModel`, and every change of one of its many-to-many fields,
is recorded by the signal handlers below (DESIGN rule 5: signals only for cross-cutting
infrastructure). Services record non-field events with `record_event`. `verify_chain` is what
`zhidu check-audit` runs.

Not recorded (Django sends no signal): `QuerySet.update()`, `bulk_create()`, `bulk_update()`;
use them only for derived values (e.g. `OrgUnit.path`), never for facts a person changed —
except `bulk_create` followed by `record_created(objs)`, the fast path of bulk imports.

Hash stability. An entry's hash must be the same when it is recomputed from the row read back
from SQLite or PostgreSQL years later, so everything hashed is canonical:

* `before`/`after` are stored exactly as they were hashed: they go through a JSON round trip
  before hashing (Decimal → str, datetime → ISO 8601 in UTC, tuple → list, keys → str);
* numbers are hashed by value, not by spelling (PostgreSQL `jsonb` prints the float 1e16 as
  10000000000000000, which Python reads back as an int);
* the time is hashed in UTC with microseconds, the IP address in its canonical form (the
  `inet` type of PostgreSQL rewrites IPv6 spellings).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import hashlib
import ipaddress
import json
import math
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import context
from .bulk import insert_rows
from .models.base import BaseModel
from .models.changelog import ChangeLogEntry, ChangeLogHead

GENESIS = "0" * 64


# -- values ------------------------------------------------------------------------------------
def _jsonable(value):
    """A model value as JSON data (used for snapshots and as `json.dumps(default=...)`)."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "__html__") or type(value).__name__ == "__proxy__":  # SafeString, lazy text
        return str(value)
    return value


def _json_default(value):
    converted = _jsonable(value)
    if converted is value:
        return str(value)
    return converted


def normalize(data):
    """`data` exactly as it will be stored in a JSONField and read back (None stays None)."""
    if data is None:
        return None
    return json.loads(json.dumps(data, default=_json_default, ensure_ascii=False))


def _field_value(field, value):
    """One field's value in the form the change log keeps (comparable before/after)."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal | int | str | float):
        try:
            value = decimal.Decimal(str(value))
            if field.decimal_places is not None and value.is_finite():
                value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        except decimal.InvalidOperation:
            return str(value)
    return _jsonable(value)


def _tracked_fields(instance):
    exclude = set(getattr(instance, "changelog_exclude", ()))
    deferred = instance.get_deferred_fields() if instance.pk is not None else set()
    return [f for f in instance._meta.concrete_fields if f.name not in exclude and f.attname not in deferred]


def snapshot(instance: models.Model) -> dict:
    """Concrete field values as JSON-ready data (foreign keys by id); deferred fields are left out."""
    return {f.attname: _field_value(f, getattr(instance, f.attname)) for f in _tracked_fields(instance)}


def _loaded_snapshot(instance) -> dict | None:
    """The values the instance had when it was loaded (or last saved), in snapshot form."""
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None:
        return None
    exclude = set(getattr(instance, "changelog_exclude", ()))
    result = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.attname not in loaded:
            continue
        value = loaded[field.attname]
        if value is not None:
            with contextlib.suppress(Exception):  # keep the raw value rather than fail a save
                value = field.to_python(value)
        result[field.attname] = _field_value(field, value)
    return result


def _remember_loaded(instance, update_fields=None) -> None:
    """After a save the database holds these values: they are the next save's "before".

    With `update_fields` only those columns were written; the other remembered values stay.
    """
    deferred = instance.get_deferred_fields()
    previous = getattr(instance, "_loaded_values", None)
    values = dict(previous) if (update_fields and previous is not None) else {}
    for f in instance._meta.concrete_fields:
        if f.attname in deferred:
            continue
        if update_fields and previous is not None and f.name not in update_fields and f.attname not in update_fields:
            continue
        values[f.attname] = getattr(instance, f.attname)
    instance._loaded_values = values


# -- hashing -----------------------------------------------------------------------------------
def _canonical(value):
    """A type-tagged form of JSON data: numbers by value (see the module docstring), and a
    string can never be mistaken for a number or a list."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["n", str(value)]
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return ["n", str(int(value))]
        return ["n", repr(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, dict):
        return ["d", {str(k): _canonical(v) for k, v in value.items()}]
    if isinstance(value, list | tuple):
        return ["l", [_canonical(v) for v in value]]
    return ["s", str(value)]


def _canonical_ip(ip) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(str(ip)))
    except ValueError:
        return str(ip)


def _utc_time(value: datetime.datetime) -> str:
    if timezone.is_naive(value):  # USE_TZ=False databases hand back naive UTC
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def entry_digest(entry: ChangeLogEntry, prev_hash: str) -> str:
    """The hash of an entry: every recorded fact plus the previous hash."""
    payload = {
        "prev": prev_hash,
        "time": _utc_time(entry.time),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "request_id": entry.request_id,
        "source": entry.source,
        "ip": _canonical_ip(entry.ip),
        "ct": entry.content_type_id,
        "object_id": str(entry.object_id),
        "repr": entry.object_repr,
        "action": entry.action,
        "before": _canonical(entry.before),
        "after": _canonical(entry.after),
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def entry_is_intact(entry: ChangeLogEntry) -> bool:
    """Whether the entry's content still matches its own hash (shown on the entry page)."""
    return entry_digest(entry, entry.prev_hash) == entry.hash


# -- appending ---------------------------------------------------------------------------------
def append(*, obj: models.Model, action: str, before: dict | None, after: dict | None) -> ChangeLogEntry:
    """Append one entry to the chain (see `append_many`)."""
    return append_many([(obj, action, before, after)])[0]


def append_many(items) -> list[ChangeLogEntry]:
    """Append entries, in the given order, under one head-row lock: (obj, action, before,
    after) each. A bulk write (an import of 100,000 rows) costs a few queries per batch instead
    of three per entry; the entries of a batch are returned without their ids.

    The lock is held until the surrounding transaction commits, so ids are handed out in
    chain order and concurrent writers (PostgreSQL) form one chain. Entries are inserted in
    chain order and ids follow insertion order, which `verify` relies on.
    """
    items = list(items)
    if not items:
        return []
    ctx = context.current()
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    ip = _canonical_ip(ctx.ip)
    if ip is not None:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            ip = None
    common = {
        "actor": user, "actor_name": (user.get_username() if user else "")[:150],
        "request_id": (ctx.request_id or "")[:32], "source": (ctx.source or "")[:10], "ip": ip,
    }
    with transaction.atomic():
        head, _ = ChangeLogHead.objects.select_for_update().get_or_create(id=1)
        prev = head.last_hash or GENESIS
        now = timezone.now()
        entries = []
        for obj, action, before, after in items:
            entry = ChangeLogEntry(
                time=now, **common,
                content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
                object_id=str(obj.pk)[:64], object_repr=str(obj)[:200], action=action,
                before=normalize(before), after=normalize(after), prev_hash=prev,
            )
            entry.hash = prev = entry_digest(entry, prev)
            entries.append(entry)
        if len(entries) == 1:
            entries[0].save()  # the common case: a plain INSERT returns the id
            head.last_id = entries[0].pk
        else:  # bulk: entries come back without ids; under the head lock the newest row is ours
            insert_rows(ChangeLogEntry, entries)
            head.last_id = ChangeLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
        head.last_hash = entries[-1].hash
        head.save(update_fields=["last_hash", "last_id"])
    return entries


def record_created(objs) -> list[ChangeLogEntry]:
    """Log objects written by `bulk_create` (which sends no signal) exactly as the post_save
    handler would have: one "create" entry each, with the full snapshot."""
    objs = list(objs)
    entries = append_many((obj, ChangeLogEntry.Action.CREATE, None, snapshot(obj)) for obj in objs)
    for obj in objs:
        _remember_loaded(obj)
    return entries


def record_event(obj: models.Model, *, data: dict) -> ChangeLogEntry:
    """Record a non-field change (a decision, a print, an export) against an object."""
    return append(obj=obj, action=ChangeLogEntry.Action.EVENT, before=None, after=data)


@receiver(post_save)
def _on_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, BaseModel):
        return
    after = snapshot(instance)
    if update_fields and not created:  # only these columns were written
        written = {f.attname for f in instance._meta.concrete_fields if f.name in update_fields or f.attname in update_fields}
        after = {k: v for k, v in after.items() if k in written}
    if created:
        append(obj=instance, action=ChangeLogEntry.Action.CREATE, before=None, after=after)
    else:
        before = _loaded_snapshot(instance)
        if before is not None:
            changed = [k for k in after if k not in before or before[k] != after[k]]
            if not changed:
                _remember_loaded(instance, update_fields)
                return
            before = {k: before.get(k) for k in changed}
            after = {k: after[k] for k in changed}
        append(obj=instance, action=ChangeLogEntry.Action.UPDATE, before=before, after=after)
    _remember_loaded(instance, update_fields)


@receiver(post_delete)
def _on_delete(sender, instance, **kwargs):
    if not isinstance(instance, BaseModel):
        return
    append(obj=instance, action=ChangeLogEntry.Action.DELETE, before=snapshot(instance), after=None)


def _m2m_field_name(instance, through) -> str | None:
    for f in instance._meta.many_to_many:
        if f.remote_field.through is through:
            return f.name
    return None


@receiver(m2m_changed)
def _on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A many-to-many field of a BaseModel changed (e.g. a role's permissions): one UPDATE entry."""
    if reverse or not isinstance(instance, BaseModel) or instance.pk is None:
        return
    name = _m2m_field_name(instance, sender)
    if name is None or name in set(getattr(instance, "changelog_exclude", ())):
        return
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        pending = instance.__dict__.setdefault("_m2m_before", {})
        pending[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    before = instance.__dict__.get("_m2m_before", {}).pop(name, None)
    current = sorted(getattr(instance, name).values_list("pk", flat=True))
    if before == current:
        return
    append(obj=instance, action=ChangeLogEntry.Action.UPDATE, before={name: before}, after={name: current})


# -- verifying ---------------------------------------------------------------------------------
@dataclass
class ChainReport:
    """What `verify` found: how many entries it checked, and every problem."""

    checked: int = 0
    problems: list[str] = dataclass_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in id order and follow the links; compare the head row.

    Finds an edited entry (its hash no longer matches), a removed or reordered entry (the
    next entry's previous-hash link is broken) and removed newest entries (the head row names
    an entry that is gone). The head is read first: entries appended while verifying come
    after it and are checked as ordinary links.
    """
    report = ChainReport()
    head = ChangeLogHead.objects.filter(id=1).values("last_id", "last_hash").first()
    prev = GENESIS
    head_seen = False
    for entry in ChangeLogEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        report.checked += 1
        if entry.prev_hash != prev:
            report.problems.append(
                f"#{entry.pk}: previous-hash link broken (an entry before it was removed or altered)"
            )
        if entry_digest(entry, entry.prev_hash) != entry.hash:
            report.problems.append(f"#{entry.pk}: content does not match its hash (entry was edited)")
        if head and entry.pk == head["last_id"]:
            head_seen = True
            if entry.hash != head["last_hash"]:
                report.problems.append(f"#{entry.pk}: does not match the chain head (newest entry was altered)")
        prev = entry.hash
    if head is None:
        if report.checked:
            report.problems.append("the chain head row is missing")
    elif head["last_id"] and not head_seen:
        report.problems.append(
            f"the newest entries were removed (chain head names #{head['last_id']}, which no longer exists)"
        )
    return report


def verify_chain(*, batch_size: int = 2000) -> list[str]:
    """The problems found in the chain (empty when intact)."""
    return verify(batch_size=batch_size).problems
