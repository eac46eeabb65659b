"""Filters of the global change log, shared by /audit/log/ and /api/audit/log/."""

from __future__ import annotations

import django_filters
from django.apps import apps
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from zhidu.core.context import Source
from zhidu.core.filtersets import ZhiduFilterSet
from zhidu.core.models import ChangeLogEntry

SOURCE_CHOICES = [
    (Source.WEB, _("Web")),
    (Source.API, _("API")),
    (Source.IMPORT, _("Import")),
    (Source.JOB, _("Background job")),
    (Source.SYSTEM, _("System")),
]
SOURCE_LABELS = dict(SOURCE_CHOICES)

#: Models outside the zhidu apps that get entries too (account events, export events).
EXTRA_MODELS = ("auth.user", "contenttypes.contenttype")


def object_type_choices():
    """"app_label.model" → verbose name, for every model that can have entries (no query)."""
    choices = []
    for model in apps.get_models():
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        if model.__module__.startswith("zhidu.") or key in EXTRA_MODELS:
            if model is ChangeLogEntry:
                continue
            choices.append((key, capfirst(str(model._meta.verbose_name))))
    return sorted(choices, key=lambda c: str(c[1]))


class ChangeLogFilterSet(ZhiduFilterSet):
    """Time range, actor, object type, action, source, request id and `q` on the object's name."""

    search_fields = ("object_repr",)

    time = django_filters.DateFromToRangeFilter(
        field_name="time",
        label=_("Time"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    actor = django_filters.CharFilter(method="filter_actor", label=_("Actor"))
    object_type = django_filters.ChoiceFilter(
        method="filter_object_type", label=_("Object type"), choices=object_type_choices
    )
    object_id = django_filters.CharFilter(field_name="object_id", label=_("Object id"))
    action = django_filters.ChoiceFilter(choices=ChangeLogEntry.Action.choices, label=_("Action"))
    source = django_filters.ChoiceFilter(choices=SOURCE_CHOICES, label=_("Source"))
    request_id = django_filters.CharFilter(method="filter_request_id", label=_("Request id"))

    class Meta:
        model = ChangeLogEntry
        fields: list[str] = []

    def filter_actor(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_name__icontains=value) | Q(actor__person__name__icontains=value))

    def filter_object_type(self, queryset, name, value: str):
        app_label, _sep, model = (value or "").partition(".")
        if not model:
            return queryset
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_request_id(self, queryset, name, value):
        value = "".join((value or "").split()).lower()
        return queryset.filter(request_id=value) if value else queryset
