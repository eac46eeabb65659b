"""Changing a regulation parameter: validated, versioned, change-logged (issue #2 §3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import store
from .models import ParameterChange, ParameterRevision, ParameterValue
from .registry import definition


def set_value(*, key: str, value, actor, note: str = ""):
    """Store a new value for `key` and return the typed value.

    Validates against the declaration (ValidationError with an error on `value`), refuses a
    value equal to the current one, appends a `ParameterChange` row (old, new, actor, note),
    bumps the revision counter under a row lock (so every process's cache sees the change
    after commit), and runs the declaration's `on_change` hook inside the same transaction.
    """
    try:
        param = definition(key)
    except KeyError:
        raise ValidationError({"key": [_("Unknown parameter %(key)s.") % {"key": key}]}) from None
    try:
        new = param.parse(value)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from None
    note = (note or "").strip()[:500]
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        revision, _created = ParameterRevision.objects.select_for_update().get_or_create(pk=1)
        stored = ParameterValue.objects.select_for_update().filter(key=key).first()
        old_raw = stored.value if stored is not None else None
        try:
            old = param.to_python(old_raw) if old_raw is not None else param.default
        except ValidationError:  # a stored value that no longer fits the declaration
            old = None
        if old == new:
            raise ValidationError({"value": [_("The new value is the same as the current value.")]})
        revision.version += 1
        revision.save(update_fields=["version"])
        if stored is None:
            stored = ParameterValue(key=key)
        stored.value = param.to_json(new)
        stored.updated_by = user
        stored.note = note
        stored.save()
        ParameterChange.objects.create(
            key=key, old_value=old_raw, new_value=stored.value, actor=user,
            actor_name=(user.get_username() if user else "")[:150], note=note, revision=revision.version,
        )
        store.mark_dirty()
        if param.on_change is not None:
            param.on_change(parameter=param, old=old, new=new, actor=actor)
    return new
