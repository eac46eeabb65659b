"""Forms and filtersets of stock-takes and patrol inspections. They only collect input; the
services decide (DESIGN rule 1)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.filtersets import ZhiduFilterSet
from zhidu.core.forms import ZhiduForm
from zhidu.org.models import OrgUnit, Person

from .models import Asset, AssetCategory, InspectionRound, Location, StocktakeAdjustment, StocktakePlan
from .models.stocktake import (
    ADJUSTMENT_KINDS_FOR,
    AdjustmentKind,
    FindingResult,
    InspectionStatus,
    StocktakeKind,
    StocktakeStatus,
)


def _locations():
    return Location.objects.filter(is_active=True).order_by("code")


def _units():
    return OrgUnit.objects.filter(is_active=True).order_by("tree_key")


class StocktakePlanForm(ZhiduForm):
    """Plan a stock-take by location and/or department and/or category (AST-17)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=StocktakeKind.choices, initial=StocktakeKind.PERIODIC)
    location = forms.ModelChoiceField(label=_("Location (with sub-locations)"), queryset=Location.objects.none(),
                                      required=False)
    department = forms.ModelChoiceField(label=_("Department (with sub-units)"), queryset=OrgUnit.objects.none(),
                                        required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=AssetCategory.objects.none(), required=False)
    planned_on = forms.DateField(label=_("Planned date"), required=False)
    leader = forms.ModelChoiceField(label=_("Responsible person"), queryset=Person.objects.none(), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False,
                            help_text=_("Leave all three criteria empty for a full count of the ledger "
                                        "(semester-end count, SCH-06)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _locations()
        self.fields["department"].queryset = _units()
        self.restrict_choices("department")
        self.fields["category"].queryset = AssetCategory.objects.filter(is_active=True)
        self.fields["leader"].queryset = Person.objects.select_related("department").order_by("employee_no")
        self.restrict_choices("leader")

    @classmethod
    def initial_from(cls, plan) -> dict:
        return {name: getattr(plan, name) for name in cls.base_fields}


class ScanForm(ZhiduForm):
    """One scan (the JS posts the decoded QR text or the typed number)."""

    payload = forms.CharField(label=_("Asset number or label"), max_length=500)
    location = forms.ModelChoiceField(label=_("Counting at"), queryset=Location.objects.none(), required=False)
    seal_number = forms.CharField(label=_("Seal number (封记)"), max_length=60, required=False)
    configuration_complete = forms.NullBooleanField(label=_("Configuration complete"), required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _locations()


class AdjustmentForm(ZhiduForm):
    kind = forms.ChoiceField(label=_("Adjustment"), choices=AdjustmentKind.choices)
    to_location = forms.ModelChoiceField(label=_("New location"), queryset=Location.objects.none(), required=False)
    to_department = forms.ModelChoiceField(label=_("New department"), queryset=OrgUnit.objects.none(),
                                           required=False)
    category = forms.ModelChoiceField(label=_("Category of the new card"), queryset=AssetCategory.objects.none(),
                                      required=False)
    name = forms.CharField(label=_("Name of the new card"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)

    def __init__(self, *args, adjustment: StocktakeAdjustment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_location"].queryset = _locations()
        self.fields["to_department"].queryset = _units()
        self.fields["category"].queryset = AssetCategory.objects.filter(is_active=True)
        if adjustment is not None:
            allowed = ADJUSTMENT_KINDS_FOR[adjustment.difference]
            self.fields["kind"].choices = [(k.value, k.label) for k in allowed]


class InspectionForm(ZhiduForm):
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    inspected_on = forms.DateField(label=_("Inspection date"), initial=timezone.localdate)
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=Person.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=OrgUnit.objects.none(), required=False,
                                        help_text=_("The unit that cooperates; default: the location's unit."))
    summary = forms.CharField(label=_("Summary and follow-up"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _locations()
        self.fields["department"].queryset = _units()
        self.restrict_choices("department")
        self.fields["inspector"].queryset = Person.objects.order_by("employee_no")
        self.restrict_choices("inspector")


class FindingForm(ZhiduForm):
    asset_number = forms.CharField(label=_("Asset number"), max_length=40, required=False,
                                   help_text=_("Empty: a finding about the place itself."))
    result = forms.ChoiceField(label=_("Result"), choices=FindingResult.choices, initial=FindingResult.OK)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    follow_up = forms.CharField(label=_("Follow-up action"), max_length=255, required=False)

    def clean_asset_number(self):
        number = (self.cleaned_data.get("asset_number") or "").strip()
        if not number:
            return None
        asset = Asset.objects.filter(number=number).first()
        if asset is None:
            raise forms.ValidationError(_("No asset has the number %(number)s.") % {"number": number})
        return asset


class CompleteInspectionForm(ZhiduForm):
    summary = forms.CharField(label=_("Summary and follow-up"), widget=forms.Textarea, required=False)


class StocktakePlanFilterSet(ZhiduFilterSet):
    search_fields = ("number", "title")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=StocktakeStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=StocktakeKind.choices)

    class Meta:
        model = StocktakePlan
        fields = ["q", "status", "kind"]


class InspectionFilterSet(ZhiduFilterSet):
    search_fields = ("number", "location__name", "summary")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=InspectionStatus.choices)
    inspected_after = django_filters.DateFilter(label=_("From"), field_name="inspected_on", lookup_expr="gte")
    inspected_before = django_filters.DateFilter(label=_("Until"), field_name="inspected_on", lookup_expr="lte")

    class Meta:
        model = InspectionRound
        fields = ["q", "status", "inspected_after", "inspected_before"]
