"""ObjectDetailView: the page of one object (DESIGN "User interface": details, timeline of its
workflow, history, attachments, related objects, print view).

    class PurchaseRequestDetailView(ObjectDetailView):
        model = PurchaseRequest
        template_name = "procurement/purchaserequest_detail.html"   # {% extends "core/object_detail.html" %}
        select_related = ("department", "requester")
        edit_url_name = "procurement:request_edit"
        delete_url_name = "procurement:request_delete"
        print_url_name = "procurement:request_print"
        list_url_name = "procurement:request_list"

Tabs are loaded by htmx (`?tab=timeline|history|attachments`, answered with the tab alone) so
the page itself costs one object query; without htmx `?tab=` renders the whole page with that
tab open. Out of scope: 404.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import models
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from zhidu.core.forms import AttachmentForm
from zhidu.core.models import Attachment, ChangeLogEntry, TimelineEvent
from zhidu.core.templatetags.zhidu import format_date, format_datetime

from .mixins import ScopedObjectMixin, reverse_or_none

TABS_TARGET = "object-tabs"
EMPTY = "—"
SOURCE_LABELS = {
    "web": gettext_lazy("Web"),
    "api": gettext_lazy("API"),
    "import": gettext_lazy("Import"),
    "job": gettext_lazy("Background job"),
    "system": gettext_lazy("System"),
}


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    template: str | None = None  # None: the `details` block of the page template


DEFAULT_TABS = (
    Tab("details", gettext_lazy("Details")),
    Tab("timeline", gettext_lazy("Timeline"), "core/tabs/timeline.html"),
    Tab("history", gettext_lazy("History"), "core/tabs/history.html"),
    Tab("attachments", gettext_lazy("Attachments"), "core/tabs/attachments.html"),
)


class ObjectDetailView(ScopedObjectMixin, View):
    template_name = "core/object_detail.html"
    tabs: tuple[Tab, ...] = DEFAULT_TABS
    detail_fields: tuple[str, ...] | None = None  # for the default details block (None: all shown fields)
    edit_url_name: str | None = None
    delete_url_name: str | None = None
    print_url_name: str | None = None
    list_url_name: str | None = None
    history_per_page = 50

    # -- hooks -----------------------------------------------------------------------------
    def get_tabs(self) -> list[Tab]:
        return list(self.tabs)

    def get_tab_context(self, tab: Tab) -> dict:
        """Hook: context of a custom tab (the built-in ones are handled below)."""
        return {}

    def get_history_objects(self) -> list[models.Model]:
        """Hook: the objects whose change log the History tab shows (e.g. add the lines)."""
        return [self.object]

    def get_extra_context(self) -> dict:
        """Hook: more context for the page (related objects, approval panel …)."""
        return {}

    def get_actions(self) -> list[dict]:
        """Buttons of the page header: print, edit, delete (when the user may)."""
        actions = []
        pk = self.object.pk
        if self.print_url_name:
            url = reverse_or_none(self.print_url_name, pk=pk)
            if url:
                actions.append({"url": url, "label": _("Print"), "icon": "printer", "style": "btn-outline-secondary"})
        if self.edit_url_name and self.can(self.object, "change"):
            url = reverse_or_none(self.edit_url_name, pk=pk)
            if url:
                actions.append({"url": url, "label": _("Edit"), "icon": "edit", "style": "btn-primary"})
        if self.delete_url_name and self.can(self.object, "delete"):
            url = reverse_or_none(self.delete_url_name, pk=pk)
            if url:
                actions.append({"url": url, "label": _("Delete"), "icon": "trash", "style": "btn-outline-danger"})
        return actions

    # -- request ---------------------------------------------------------------------------
    def get_object(self):
        return self.get_scoped_object("view")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        tabs = self.get_tabs()
        by_key = {t.key: t for t in tabs}
        active = by_key.get(request.GET.get("tab") or "", tabs[0])
        htmx = getattr(request, "htmx", None)
        partial = bool(htmx) and htmx.target == TABS_TARGET and active.template is not None \
            and not htmx.history_restore_request
        context = self.get_context_data(tabs=tabs, active_tab=active, partial=partial)
        template = "core/_object_tabs.html" if partial else self.template_name
        response = TemplateResponse(request, template, context)
        response.headers["Vary"] = "HX-Request, HX-Target"
        return response

    def get_context_data(self, *, tabs, active_tab, partial):
        obj = self.object
        model = type(obj)
        context = {
            "view": self,
            "object": obj,
            "opts": model._meta,
            "tabs": tabs,
            "active_tab": active_tab,
            "tabs_target": TABS_TARGET,
            "list_url": reverse_or_none(self.list_url_name),
        }
        if active_tab.template:
            context.update(self.tab_context(active_tab))
        if not partial:
            context["actions"] = self.get_actions()
            if active_tab.template is None:
                context["fields"] = self.get_detail_fields()
            context.update(self.get_extra_context())
        return context

    def tab_context(self, tab: Tab) -> dict:
        if tab.key == "timeline":
            return timeline_context(self.object)
        if tab.key == "history":
            return history_context(self.get_history_objects(), page=self.request.GET.get("hpage"),
                                   per_page=self.history_per_page)
        if tab.key == "attachments":
            return attachments_context(self.object, can_upload=self.can(self.object, "change"),
                                       next_url=f"{self.request.path}?tab=attachments")
        return self.get_tab_context(tab)

    def get_detail_fields(self) -> list[dict]:
        """(label, value) of the object's fields for the default details block."""
        obj = self.object
        names = self.detail_fields
        fields = []
        for field in obj._meta.concrete_fields:
            if names is None:
                if field.primary_key or not field.editable or field.name in ("created", "updated"):
                    continue
            elif field.name not in names:
                continue
            fields.append(field)
        if names is not None:
            fields.sort(key=lambda f: names.index(f.name))
        return [{"name": f.name, "label": capfirst(f.verbose_name), "value": display_field_value(obj, f)} for f in fields]


def display_field_value(obj, field) -> str:
    if field.choices:
        value = getattr(obj, f"get_{field.name}_display")()
    elif field.is_relation:
        value = getattr(obj, field.name)
    else:
        value = getattr(obj, field.attname)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


# -- tab contexts (also used by the attachment views) ---------------------------------------


def _ct_and_id(obj):
    return ContentType.objects.get_for_model(obj, for_concrete_model=False), str(obj.pk)


def timeline_template_name() -> str:
    """core/_timeline.html (the approvals engineer's include) when it exists, else a plain list."""
    return select_template(["core/_timeline.html", "core/_timeline_fallback.html"]).template.name


def timeline_context(obj) -> dict:
    ct, object_id = _ct_and_id(obj)
    events = list(
        TimelineEvent.objects.filter(content_type=ct, object_id=object_id).select_related("actor__person")
        .order_by("time", "id")
    )
    return {"events": events, "timeline_template": timeline_template_name()}


def attachments_context(obj, *, can_upload: bool, next_url: str) -> dict:
    ct, object_id = _ct_and_id(obj)
    return {
        "attachments": list(Attachment.objects.filter(content_type=ct, object_id=object_id)
                            .select_related("uploaded_by")),
        "can_upload": can_upload,
        "attachment_form": AttachmentForm() if can_upload else None,
        "attachment_ct": ct.pk,
        "attachment_object_id": object_id,
        "next_url": next_url,
    }


def history_context(objects, *, page=None, per_page: int = 50) -> dict:
    """The change-log entries of the objects, newest first, with readable changes."""
    condition = models.Q(pk__in=[])
    for obj in objects:
        ct, object_id = _ct_and_id(obj)
        condition |= models.Q(content_type=ct, object_id=object_id)
    queryset = ChangeLogEntry.objects.filter(condition).order_by("-id")
    paginator = Paginator(queryset, per_page)
    page_obj = paginator.get_page(page)
    entries = list(page_obj.object_list)
    return {"history": describe_entries(entries), "history_page": page_obj,
            "history_paginated": paginator.num_pages > 1}


def describe_entries(entries: list[ChangeLogEntry]) -> list[dict]:
    """Each entry with its changed fields as (verbose name, before, after), foreign keys named.

    Foreign keys are resolved with one query per related model for the whole page.
    """
    ct_ids = {e.content_type_id for e in entries}
    models_by_ct = {ct_id: ContentType.objects.get_for_id(ct_id).model_class() for ct_id in ct_ids}
    wanted: dict[type, set] = defaultdict(set)
    for entry in entries:
        model = models_by_ct.get(entry.content_type_id)
        if model is None or entry.action == ChangeLogEntry.Action.EVENT:
            continue
        fields = _fields_by_attname(model)
        for data in (entry.before or {}, entry.after or {}):
            for attname, value in data.items():
                field = fields.get(attname)
                if field is not None and field.is_relation and value not in (None, ""):
                    wanted[field.related_model].add(value)
    names: dict[type, dict] = {}
    for related, ids in wanted.items():
        try:
            names[related] = {str(o.pk): str(o) for o in related._default_manager.filter(pk__in=list(ids))}
        except (ValueError, TypeError):
            names[related] = {}
    rows = []
    for entry in entries:
        model = models_by_ct.get(entry.content_type_id)
        rows.append({
            "entry": entry,
            "time": entry.time,
            "actor": entry.actor_name or _("System"),
            "source": SOURCE_LABELS.get(entry.source, entry.source),
            "action": entry.get_action_display(),
            "action_code": entry.action,
            "object_repr": entry.object_repr,
            "model_name": model._meta.verbose_name if model else "",
            "changes": _changes(entry, model, names),
        })
    return rows


def _fields_by_attname(model) -> dict:
    return {f.attname: f for f in model._meta.concrete_fields}


def _changes(entry, model, names) -> list[dict]:
    before = entry.before or {}
    after = entry.after or {}
    if entry.action == ChangeLogEntry.Action.EVENT:
        return [{"label": str(k), "before": None, "after": _plain(v)} for k, v in after.items()]
    fields = _fields_by_attname(model) if model else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    changes = []
    for key in keys:
        field = fields.get(key)
        label = capfirst(field.verbose_name) if field is not None else key
        changes.append({
            "label": label,
            "before": _display(field, before.get(key), names) if key in before else None,
            "after": _display(field, after.get(key), names) if key in after else None,
        })
    return changes


def _plain(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _display(field, value, names) -> str:
    if value is None or value == "":
        return EMPTY
    if field is None:
        return _plain(value)
    if field.is_relation:
        return names.get(field.related_model, {}).get(str(value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        return format_datetime(parsed) if parsed else value
    if isinstance(field, models.DateField) and isinstance(value, str):
        parsed = parse_date(value)
        return format_date(parsed) if parsed else value
    return _plain(value)
