"""The global change log (DESIGN "Change log"): a filterable list and an entry page with the
values before and after side by side. Superusers and org-wide auditors only (403 otherwise).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from zhidu.core.auth.permissions import can_view_global_log
from zhidu.core.changelog import entry_is_intact
from zhidu.core.models import ChangeLogEntry
from zhidu.core.views import ObjectListView

from .filtersets import SOURCE_LABELS, ChangeLogFilterSet
from .tables import ACTION_COLORS, ChangeLogTable, local_time, object_type_label


class AuditorRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_global_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChangeLogListView(ObjectListView):
    """/audit/log/: every change of every object, newest first, with filters, sorting, column
    choice and xlsx/csv export (the generic list, DESIGN "User interface").

    The change log is not a scoped model: who may see it is decided once, in `dispatch`
    (superusers and org-wide auditors). A fixed number of queries whatever the page size:
    the count and the rows with their content type.
    """

    model = ChangeLogEntry
    table_class = ChangeLogTable
    filterset_class = ChangeLogFilterSet
    select_related = ("content_type",)
    template_name = "audit/log_list.html"
    title = _("Change log")
    per_page_choices = (50, 100, 200)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_global_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return ChangeLogEntry.objects.defer("before", "after", "prev_hash", "hash").order_by("-id")

    def restricted(self, action: str = "view"):
        return self.get_base_queryset()


def _field_map(model) -> dict:
    if model is None:
        return {}
    return {f.attname: f for f in model._meta.concrete_fields} | {f.name: f for f in model._meta.many_to_many}


def _display(field, value):
    """A readable value: choice labels, related objects by name, JSON pretty-printed."""
    if value is None:
        return ""
    if field is not None and getattr(field, "flatchoices", None) and not field.is_relation:
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return f"{labels[str(value)]} ({value})"
    if field is not None and field.is_relation and field.related_model is not None:
        manager = field.related_model._default_manager
        ids = value if isinstance(value, list) else [value]
        found = {str(o.pk): str(o) for o in manager.filter(pk__in=ids[:50])}
        names = [f"{found.get(str(i), '?')} (#{i})" for i in ids]
        return ", ".join(names)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=2)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


class ChangeLogEntryView(AuditorRequiredMixin, DetailView):
    """/audit/log/<id>/: who, when, from where; the values before and after side by side."""

    template_name = "audit/log_detail.html"
    context_object_name = "entry"
    queryset = ChangeLogEntry.objects.select_related("content_type", "actor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        model = entry.content_type.model_class()
        fields = _field_map(model)
        before = entry.before if isinstance(entry.before, dict) else ({} if entry.before is None else {"": entry.before})
        after = entry.after if isinstance(entry.after, dict) else ({} if entry.after is None else {"": entry.after})
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        rows = []
        for key in keys:
            field = fields.get(key)
            label = str(field.verbose_name) if field is not None else key
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "before": _display(field, before.get(key)) if key in before else None,
                    "after": _display(field, after.get(key)) if key in after else None,
                    "changed": before.get(key) != after.get(key),
                }
            )
        target = None
        if model is not None and entry.action != ChangeLogEntry.Action.DELETE:
            target = model._default_manager.filter(pk=entry.object_id).first() if _pk_ok(model, entry.object_id) else None
        context.update(
            rows=rows,
            type_label=object_type_label(entry),
            time_label=local_time(entry.time),
            source_label=SOURCE_LABELS.get(entry.source, entry.source),
            action_color=ACTION_COLORS.get(entry.action, "secondary"),
            intact=entry_is_intact(entry),
            target_url=_object_url(target),
            object_history_query=urlencode(
                {"object_type": f"{entry.content_type.app_label}.{entry.content_type.model}", "object_id": entry.object_id}
            ),
            request_query=urlencode({"request_id": entry.request_id}) if entry.request_id else "",
        )
        return context


def _pk_ok(model, value) -> bool:
    try:
        model._meta.pk.to_python(value)
    except Exception:  # noqa: BLE001
        return False
    return not isinstance(model._meta.pk, models.AutoField | models.BigAutoField) or str(value).isdigit()


def _object_url(obj) -> str:
    if obj is None or not hasattr(obj, "get_absolute_url"):
        return ""
    try:
        return obj.get_absolute_url()
    except Exception:  # noqa: BLE001 - a missing page must not break the audit page
        return ""
