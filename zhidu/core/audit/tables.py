"""The change-log table (page and exports)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import ChangeLogEntry
from zhidu.core.tables import ZhiduTable

from .filtersets import SOURCE_LABELS

ACTION_COLORS = {"create": "green", "update": "blue", "delete": "red", "event": "purple"}


def local_time(value) -> str:
    """Seconds matter in an audit trail: "2026-01-05 14:30:07" in Asia/Shanghai."""
    if value is None:
        return ""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}"


def object_type_label(entry: ChangeLogEntry) -> str:
    model = entry.content_type.model_class()
    if model is None:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"
    return capfirst(str(model._meta.verbose_name))


class ChangeLogTable(ZhiduTable):
    id = tables.Column(verbose_name="#")
    time = tables.Column(verbose_name=_("Time"))
    actor_name = tables.Column(verbose_name=_("Actor"), default=_("System"))
    source = tables.Column(verbose_name=_("Source"))
    action = tables.Column(verbose_name=_("Action"))
    object_type = tables.Column(verbose_name=_("Object type"), accessor="content_type", orderable=False)
    object_repr = tables.Column(verbose_name=_("Object"))
    request_id = tables.Column(verbose_name=_("Request id"), orderable=False)

    class Meta(ZhiduTable.Meta):
        model = ChangeLogEntry
        fields = ("id", "time", "actor_name", "source", "action", "object_type", "object_repr", "request_id")
        order_by = ("-id",)
        row_attrs = {"data-entry": lambda record: record.pk}

    required_columns = ("id",)

    def render_id(self, value, record):
        return format_html('<a href="{}">#{}</a>', reverse("audit:entry", args=[record.pk]), value)

    def render_time(self, value):
        return local_time(value)

    def value_time(self, value):
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    def render_actor_name(self, value):
        return value or _("System")

    def value_actor_name(self, value):
        return value or str(_("System"))

    def render_source(self, value):
        return SOURCE_LABELS.get(value, value)

    def value_source(self, value):
        return str(SOURCE_LABELS.get(value, value))

    def render_action(self, value, record):
        return format_html(
            '<span class="badge bg-{}-lt">{}</span>', ACTION_COLORS.get(record.action, "secondary"),
            record.get_action_display(),
        )

    def value_action(self, value, record):
        return str(record.get_action_display())

    def render_object_type(self, value, record):
        return object_type_label(record)

    def value_object_type(self, value, record):
        return object_type_label(record)

    def render_object_repr(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("audit:entry", args=[record.pk]), value)

    def value_object_repr(self, value):
        return value

    def render_request_id(self, value):
        return format_html('<code title="{}">{}</code>', value, value[:8]) if value else ""

    def value_request_id(self, value):
        return value
