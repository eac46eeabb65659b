"""The edit form of one regulation parameter: a widget by kind, and a required note."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .registry import Kind, Parameter


class ParameterForm(forms.Form):
    value = forms.CharField(label=_("Value"))
    note = forms.CharField(label=_("Reason for the change"), max_length=500,
                           help_text=_("Kept in the parameter's history, e.g. the decision or meeting that set it."))

    def __init__(self, *args, parameter: Parameter, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parameter = parameter
        field = self.fields["value"]
        field.label = parameter.label
        field.help_text = parameter.help
        if parameter.kind == Kind.CHOICE:
            self.fields["value"] = forms.ChoiceField(label=parameter.label, help_text=parameter.help,
                                                     choices=[(str(v), f"{v} · {label}") for v, label in
                                                              parameter.choices or []],
                                                     widget=forms.RadioSelect)
        elif parameter.kind == Kind.BOOL:
            self.fields["value"] = forms.ChoiceField(label=parameter.label, help_text=parameter.help,
                                                     choices=[("true", _("Yes")), ("false", _("No"))],
                                                     widget=forms.RadioSelect)
        elif parameter.kind == Kind.TEXT:
            self.fields["value"] = forms.CharField(label=parameter.label, help_text=parameter.help, required=False,
                                                   widget=forms.Textarea(attrs={"rows": 3}))
        elif parameter.kind in (Kind.MONEY, Kind.DECIMAL):
            field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
        else:
            field.widget = forms.NumberInput(attrs={"step": 1, "min": 0})
        if not self.is_bound and current is not None:
            self.initial["value"] = ("true" if current else "false") if parameter.kind == Kind.BOOL else str(current)

    def clean_value(self):
        raw = self.cleaned_data.get("value")
        try:
            return self.parameter.parse(raw)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
