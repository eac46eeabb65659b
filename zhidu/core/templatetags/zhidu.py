"""Template filters and tags shared by every page: `{% load zhidu %}`.

Filters
    money         Decimal -> "¥50,000.00" (CNY, 2 places; "-¥1,234.50" when negative)
    zdate         date -> "2026年1月5日" (zh-hans) / "2026-01-05" (en)
    zdatetime     datetime -> "2026年1月5日 14:30" in Asia/Shanghai / "2026-01-05 14:30"
    verbose_name  model or instance -> its verbose name; `obj|verbose_name:"plural"` for the plural
    field_label   `obj|field_label:"total_amount"` -> the field's verbose name
    filesize      bytes -> "1.2 MB"

Tags
    {% render_form form %}            every field, with non-field errors on top
    {% form_field form.title %}       one field: label (required marker), widget, help, errors in place
    {% render_formset formset %}      inline formset as table rows; "add line" clones the empty form
    {% form_errors form %}            non-field errors only
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms, template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

register = template.Library()

CENT = Decimal("0.01")


def format_money(value, symbol: str = "¥") -> str:
    """"¥50,000.00": CNY with thousands separators and exactly two places."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def _is_chinese() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def format_date(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if not isinstance(value, datetime.date):
        return str(value)
    if _is_chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def format_datetime(value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.datetime):
        return format_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{format_date(value.date())} {value:%H:%M}"


@register.filter
def money(value):
    return format_money(value)


@register.filter
def zdate(value):
    return format_date(value)


@register.filter
def zdatetime(value):
    return format_datetime(value)


@register.filter
def verbose_name(obj, plural=""):
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return ""
    return meta.verbose_name_plural if plural else meta.verbose_name


@register.filter
def field_label(obj, name):
    try:
        return obj._meta.get_field(name).verbose_name
    except Exception:
        return name


@register.filter
def filesize(value):
    try:
        size = float(value)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


# -- forms -------------------------------------------------------------------------------


@register.inclusion_tag("core/forms/field.html")
def form_field(bound_field, inline=False, label=True):
    from zhidu.core import forms as zforms

    hidden = bound_field.is_hidden
    ctx = {
        "field": bound_field,
        "hidden": hidden,
        "inline": inline,
        "show_label": label,
        "checkbox": zforms.is_checkbox(bound_field),
        "multi": zforms.is_multi_choice(bound_field),
        "required": bound_field.field.required,
    }
    if inline and not hidden and isinstance(bound_field.field.widget, forms.SelectMultiple) and not ctx["multi"]:
        # A tall multi-select breaks a filter row: offer the choices as checkboxes in a dropdown.
        selected = {str(v) for v in (bound_field.value() or [])}
        options = [(str(value), label, str(value) in selected) for value, label in bound_field.field.choices]
        ctx["dropdown_options"] = options
        ctx["dropdown_summary"] = "、".join(str(label) for _value, label, checked in options if checked)
        return ctx
    if not hidden and not ctx["multi"]:
        ctx["widget"] = zforms.render_widget(bound_field)
    elif hidden:
        ctx["widget"] = bound_field.as_widget()
    if ctx["multi"]:
        bound_field.field.widget.attrs["class"] = zforms.CHECK_CLASS  # this form's own copy
        ctx["check_type"] = (
            "checkbox" if isinstance(bound_field.field.widget, forms.CheckboxSelectMultiple) else "radio"
        )
    return ctx


@register.inclusion_tag("core/forms/form.html")
def render_form(form, inline=False):
    return {"form": form, "inline": inline}


@register.inclusion_tag("core/forms/errors.html")
def form_errors(form):
    return {"form": form}


@register.inclusion_tag("core/forms/formset.html")
def render_formset(formset, title=""):
    from zhidu.core import forms as zforms

    def cells(form):
        return [
            {"field": bf, "widget": zforms.render_widget(bf) if not bf.is_hidden else bf.as_widget(),
             "checkbox": zforms.is_checkbox(bf)}
            for bf in form.visible_fields()
        ]

    headers = [
        {"label": bf.label, "required": bf.field.required, "help": bf.help_text}
        for bf in formset.empty_form.visible_fields()
    ]
    rows = [{"form": f, "cells": cells(f)} for f in formset.forms]
    empty = {"form": formset.empty_form, "cells": cells(formset.empty_form)}
    return {"formset": formset, "headers": headers, "rows": rows, "empty": empty, "title": title}


@register.simple_tag
def field_widget(bound_field):
    """Only the styled widget of a field (for custom layouts)."""
    from zhidu.core import forms as zforms

    return mark_safe(zforms.render_widget(bound_field))  # noqa: S308 - Django widget output


@register.simple_tag
def object_url(obj):
    """`{% object_url obj as url %}`: the object's page, or "" when it has none yet."""
    from zhidu.core.tables import object_url as _object_url

    return _object_url(obj) or ""
