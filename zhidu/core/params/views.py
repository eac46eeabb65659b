"""The regulation parameters page (issue #2 §3): every declared parameter grouped by area, with its
article, requirement ids, default, current value and last change; an edit form per parameter with
a note; and the full history of changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import has_perm_anywhere

from . import store
from .forms import ParameterForm
from .models import ParameterChange, ParameterValue
from .registry import definition, definitions


def can_view_params(user) -> bool:
    return user.is_superuser or has_perm_anywhere(user, ParameterValue, "view") or can_edit_params(user)


def can_edit_params(user) -> bool:
    return user.is_superuser or has_perm_anywhere(user, ParameterValue, "change")


def _require_view(user):
    if not can_view_params(user):
        raise PermissionDenied(_("Only administrators can see the regulation parameters."))


def _parameter(key):
    try:
        return definition(key)
    except KeyError:
        raise Http404 from None


def rows(stored=None) -> list[dict]:
    """Every declared parameter with its stored row (one query)."""
    stored = stored if stored is not None else {
        v.key: v for v in ParameterValue.objects.select_related("updated_by", "updated_by__person")}
    result = []
    for param in definitions():
        row = stored.get(param.key)
        try:
            value = param.to_python(row.value) if row is not None and row.value is not None else param.default
        except ValidationError:
            value = param.default
        result.append({"param": param, "value": value, "display": param.display(value),
                       "choice_label": param.choice_label(value) if param.kind == "choice" else "",
                       "default_display": param.display(param.default), "row": row,
                       "is_default": row is None or value == param.default})
    return result


@login_required
def parameter_list(request):
    _require_view(request.user)
    groups: dict[str, list] = {}
    for row in rows():
        groups.setdefault(str(row["param"].group or _("Other")), []).append(row)
    return render(request, "params/list.html", {"groups": sorted(groups.items()),
                                                "can_edit": can_edit_params(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def parameter_edit(request, key):
    if not can_edit_params(request.user):
        raise PermissionDenied(_("Only administrators can change the regulation parameters."))
    param = _parameter(key)
    current = store.get(key)
    form = ParameterForm(request.POST or None, parameter=param, current=current)
    if request.method == "POST" and form.is_valid():
        from .services import set_value

        try:
            set_value(key=key, value=form.cleaned_data["value"], actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except RuleViolation as exc:  # raised by an on_change hook (e.g. a preset that cannot apply)
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(label)s is now %(value)s.") % {
                "label": param.label, "value": param.display(store.get(key))})
            return redirect("params:list")
    history = list(ParameterChange.objects.filter(key=key).select_related("actor", "actor__person")[:20])
    for change in history:
        _decorate(change, param)
    return render(request, "params/edit.html", {
        "param": param, "form": form, "current": param.display(current), "default": param.display(param.default),
        "history": history,
    }, status=400 if request.method == "POST" else 200)


def _decorate(change, param):
    def show(raw):
        if raw is None:
            return _("default (%(value)s)") % {"value": param.display(param.default)}
        try:
            return param.display(param.to_python(raw))
        except ValidationError:
            return str(raw)

    change.old_display = show(change.old_value)
    change.new_display = show(change.new_value)
    return change


@login_required
def parameter_history(request, key=None):
    _require_view(request.user)
    qs = ParameterChange.objects.select_related("actor", "actor__person")
    param = None
    if key is not None:
        param = _parameter(key)
        qs = qs.filter(key=key)
    changes = list(qs[:500])
    for change in changes:
        try:
            _decorate(change, definition(change.key))
            change.label = definition(change.key).label
        except KeyError:  # a parameter no longer declared
            change.old_display, change.new_display, change.label = change.old_value, change.new_value, change.key
    return render(request, "params/history.html", {"param": param, "changes": changes})
