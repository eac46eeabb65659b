"""Forms of disposal. They only collect input; the services decide (DESIGN rule 1)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import ZhiduForm
from zhidu.org.models import Person

from . import services
from .choices import DisposalMethod, LineKind, SanitisationMethod, Verdict


class ScrapRequestForm(ZhiduForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.CharField(label=_("General reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Why the department applies for repair or renewal (DSP-02)."))


class AssetLineForm(forms.Form):
    asset_number = forms.CharField(
        label=_("Asset number"), max_length=40,
        widget=forms.TextInput(attrs={"list": "disposal-asset-options", "autocomplete": "off",
                                      "style": "min-width: 12rem", "data-asset-input": ""}),
        help_text=_("Type a number, name or serial to search the ledger in your scope."))
    reason = forms.CharField(label=_("Reason"), widget=forms.TextInput(attrs={"style": "min-width: 20rem"}),
                             help_text=_("Fault, wear, obsolescence … (DSP-02)."))


class SoftwareLineForm(forms.Form):
    software_name = forms.CharField(label=_("Software"), max_length=200,
                                    widget=forms.TextInput(attrs={"style": "min-width: 12rem"}))
    licence_key = forms.CharField(label=_("Licence key"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1,
                                  widget=forms.NumberInput(attrs={"min": "1", "style": "width: 6rem"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.TextInput(attrs={"style": "min-width: 16rem"}))


AssetLineFormSet = forms.formset_factory(AssetLineForm, extra=0, can_delete=True)
SoftwareLineFormSet = forms.formset_factory(SoftwareLineForm, extra=0, can_delete=True)


def lines_from_rows(user, asset_rows: list[dict], software_rows: list[dict]) -> list[services.LineInput]:
    """Service inputs from the formsets; an asset number outside the user's scope is "unknown"."""
    from zhidu.assets.models import Asset
    from zhidu.core.errors import RuleViolation

    numbers = [row["asset_number"].strip() for row in asset_rows]
    found = {a.number: a for a in Asset.objects.restrict(user, "view").filter(number__in=numbers)
             .select_related("category")}
    lines = []
    for row, number in zip(asset_rows, numbers, strict=True):
        if number not in found:
            raise RuleViolation(_("Unknown asset number %(number)s (or outside your scope).") % {"number": number},
                                code="invalid")
        lines.append(services.LineInput(kind=LineKind.HARDWARE, asset=found[number], reason=row["reason"]))
    for row in software_rows:
        lines.append(services.LineInput(kind=LineKind.SOFTWARE, software_name=row["software_name"],
                                        licence_key=row.get("licence_key", ""), quantity=row["quantity"],
                                        reason=row["reason"]))
    return lines


class AppraisalForm(forms.Form):
    """One verdict field and one notes field per item (DSP-02)."""

    def __init__(self, *args, lines=(), **kwargs):
        kwargs.pop("user", None)
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        choices = [(Verdict.REPAIR.value, Verdict.REPAIR.label), (Verdict.SCRAP.value, Verdict.SCRAP.label)]
        for line in self.lines:
            self.fields[f"verdict_{line.pk}"] = forms.ChoiceField(
                label=str(line), choices=choices, widget=forms.RadioSelect, initial=line.verdict or None)
            self.fields[f"notes_{line.pk}"] = forms.CharField(
                label=_("Appraisal notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                initial=line.appraisal_notes)

    def rows(self):
        return [{"line": line, "verdict": self[f"verdict_{line.pk}"], "notes": self[f"notes_{line.pk}"]}
                for line in self.lines]

    def verdicts(self) -> list[services.VerdictInput]:
        return [services.VerdictInput(line_id=line.pk, verdict=self.cleaned_data[f"verdict_{line.pk}"],
                                      notes=self.cleaned_data.get(f"notes_{line.pk}", "")) for line in self.lines]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.employee_no})"


class SanitisationForm(ZhiduForm):
    line = forms.ModelChoiceField(label=_("Item"), queryset=None)
    method = forms.ChoiceField(label=_("Method"), choices=SanitisationMethod.choices)
    performed_by = PersonChoiceField(label=_("Performed by"), queryset=Person.objects.none())
    verified_by = PersonChoiceField(label=_("Verified by"), queryset=Person.objects.none())
    performed_on = forms.DateField(label=_("Date"), initial=timezone.localdate,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        people = Person.objects.restrict(self.user, "view").filter(status="active").order_by("name") \
            if self.user is not None else Person.objects.none()
        self.fields["performed_by"].queryset = people
        self.fields["verified_by"].queryset = people


class DisposalForm(ZhiduForm):
    lines = forms.ModelMultipleChoiceField(label=_("Items"), queryset=None, widget=forms.CheckboxSelectMultiple)
    method = forms.ChoiceField(label=_("Disposal method"), choices=DisposalMethod.choices)
    recipient = forms.CharField(label=_("Recipient"), max_length=200,
                                help_text=_("Buyer, recycling company, beneficiary or supplier."))
    disposed_on = forms.DateField(label=_("Disposal date"), initial=timezone.localdate,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    proceeds = forms.DecimalField(label=_("Proceeds (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0"),
                                  initial=Decimal("0.00"), required=False,
                                  widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))
    certificate = forms.FileField(label=_("Certificate"), required=False,
                                  help_text=_("Recycling / destruction certificate or receipt (scan)."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = lines
        if not self.is_bound and lines is not None:
            self.initial.setdefault("lines", [line.pk for line in lines])


class ReasonForm(ZhiduForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
