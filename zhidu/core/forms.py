"""Base forms and Tabler rendering helpers.

Any Django form renders Tabler-styled with the template tags of `zhidu.core.templatetags.zhidu`:

    {% load zhidu %}
    {% render_form form %}              {# every field: label, required marker, help, errors in place #}
    {% form_field form.title %}         {# one field #}
    {% render_formset formset %}        {# line items as table rows with "add line" #}

`ZhiduForm` / `ZhiduModelForm` add: the requesting user (`self.user`, passed by ObjectFormView),
`restrict_choices()` to limit a choice field to what the user may see (DESIGN rule 6), and
HTML5 date inputs.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

TEXT_CLASS = "form-control"
SELECT_CLASS = "form-select"
CHECK_CLASS = "form-check-input"


def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


def is_multi_choice(bound_field) -> bool:
    """Radio buttons and checkbox lists are rendered option by option."""
    return isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


def widget_class(bound_field) -> str:
    """The Tabler CSS class for the field's widget (plus is-invalid when it has errors)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = CHECK_CLASS
    elif isinstance(widget, forms.Select | forms.SelectMultiple | forms.NullBooleanSelect):
        css = SELECT_CLASS
    else:
        css = TEXT_CLASS
    existing = widget.attrs.get("class", "")
    if existing:
        css = f"{existing} {css}"
    form = bound_field.form
    if form.is_bound and bound_field.errors:
        css += " is-invalid"
    return css


def render_widget(bound_field, extra_attrs: dict | None = None):
    attrs = {"class": widget_class(bound_field)}
    if bound_field.field.required and not isinstance(bound_field.field.widget, forms.CheckboxInput):
        attrs.setdefault("aria-required", "true")
    if extra_attrs:
        attrs.update(extra_attrs)
    return bound_field.as_widget(attrs=attrs)


class UserFormMixin:
    """Accepts `user=` (the requesting user); ObjectFormView passes it."""

    accepts_user = True

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(field, forms.DateField) and type(widget) is forms.DateInput:
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(field, forms.DateTimeField) and type(widget) is forms.DateTimeInput:
                widget.input_type = "datetime-local"
                widget.format = "%Y-%m-%dT%H:%M"
            if isinstance(widget, forms.Textarea) and "rows" not in widget.attrs:
                widget.attrs["rows"] = 3
            if user is not None and hasattr(field, "for_user"):
                field.for_user(user)  # fields scoped to the user, e.g. zhidu.org.forms.PersonPickerField

    def restrict_choices(self, field_name: str, action: str = "view"):
        """Limit a ModelChoiceField to objects the user may `action` (scoping, DESIGN rule 6)."""
        field = self.fields.get(field_name)
        if field is None or not hasattr(field, "queryset"):
            return
        qs = field.queryset
        if self.user is not None and hasattr(qs, "restrict"):
            field.queryset = qs.restrict(self.user, action)


class ZhiduForm(UserFormMixin, forms.Form):
    pass


class ZhiduModelForm(UserFormMixin, forms.ModelForm):
    pass


class ConfirmForm(forms.Form):
    """An empty form: the confirmation of a delete or another one-click action."""


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


def model_from_label(label):
    return apps.get_model(label) if isinstance(label, str) else label
