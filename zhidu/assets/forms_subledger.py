"""Forms and filtersets of sub-ledgers (分帐, SCH-08) and handover lists (设备交接清单, SCH-10).
They only collect input; the services decide (DESIGN rule 1)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.filtersets import IdFilter, ZhiduFilterSet
from zhidu.core.forms import ZhiduForm
from zhidu.org.models import OrgUnit, Person

from .models import AssetCategory, Location
from .models.subledger import HandoverStatus, SubLedger, SubLedgerHandover


class SubLedgerForm(ZhiduForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    department = forms.ModelChoiceField(label=_("Owner unit"), queryset=OrgUnit.objects.none(),
                                        help_text=_("Decides who sees the sub-ledger."))
    keeper = forms.ModelChoiceField(label=_("Keeper"), queryset=Person.objects.none(), required=False,
                                    help_text=_("E.g. the e-teaching teacher or the network classroom teacher. "
                                                "Once set, the keeper changes through a handover (SCH-10)."))
    categories = forms.ModelMultipleChoiceField(label=_("Categories"), queryset=AssetCategory.objects.none(),
                                                required=False)
    locations = forms.ModelMultipleChoiceField(label=_("Locations (with sub-locations)"),
                                               queryset=Location.objects.none(), required=False)
    departments = forms.ModelMultipleChoiceField(label=_("Departments (with sub-units)"),
                                                 queryset=OrgUnit.objects.none(), required=False,
                                                 help_text=_("A card belongs when it matches every criterion "
                                                             "that is filled in."))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(is_active=True).order_by("tree_key")
        self.fields["department"].queryset = units
        self.restrict_choices("department")
        self.fields["departments"].queryset = units
        self.fields["keeper"].queryset = Person.objects.select_related("department").order_by("employee_no")
        self.restrict_choices("keeper")
        self.fields["categories"].queryset = AssetCategory.objects.filter(is_active=True)
        self.fields["locations"].queryset = Location.objects.filter(is_active=True).order_by("code")

    @classmethod
    def initial_from(cls, subledger: SubLedger) -> dict:
        return {"code": subledger.code, "name": subledger.name, "department": subledger.department_id,
                "keeper": subledger.keeper_id, "notes": subledger.notes, "is_active": subledger.is_active,
                "categories": list(subledger.categories.values_list("pk", flat=True)),
                "locations": list(subledger.locations.values_list("pk", flat=True)),
                "departments": list(subledger.departments.values_list("pk", flat=True))}


class HandoverStartForm(ZhiduForm):
    to_keeper = forms.ModelChoiceField(label=_("Incoming keeper"), queryset=Person.objects.none())
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, subledger=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.select_related("department").order_by("employee_no")
        visible = people.restrict(self.user, "view") if self.user is not None else people.none()
        if subledger is not None:  # the keeper may not see the staff list: the owner unit's people
            visible = visible | people.filter(department__path__startswith=subledger.department.path)
        self.fields["to_keeper"].queryset = visible.distinct()


class HandoverLineForm(ZhiduForm):
    present = forms.TypedChoiceField(label=_("Present"), choices=[("1", _("Present")), ("0", _("Absent"))],
                                     coerce=lambda v: v == "1")
    condition = forms.CharField(label=_("Condition"), max_length=255, required=False)


class SubLedgerFilterSet(ZhiduFilterSet):
    search_fields = ("code__icontains", "name", "keeper__name")
    department = django_filters.ModelChoiceFilter(label=_("Owner unit"), queryset=OrgUnit.objects.all())
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = SubLedger
        fields = ("q", "department", "is_active")


class HandoverFilterSet(ZhiduFilterSet):
    search_fields = ("number__icontains", "subledger__name", "from_keeper__name", "to_keeper__name")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=HandoverStatus.choices)
    subledger = django_filters.ModelChoiceFilter(label=_("Sub-ledger"), queryset=SubLedger.objects.all())

    class Meta:
        model = SubLedgerHandover
        fields = ("q", "status", "subledger")


PROBLEMS = {
    "not_counted": (_("Not counted"), Q(count_state="not_counted")),
    "missing": (_("Missing in the latest stock-take"), Q(count_state="missing")),
    "label_not_printed": (_("Label not printed"), Q(label_state="not_printed")),
    "label_outdated": (_("Label outdated"), Q(label_state="outdated")),
}


class ReconciliationFilterSet(ZhiduFilterSet):
    """帐、物、签相符 report: which kind of mismatch (the queryset is annotated by the service)."""

    search_fields = ("number__icontains", "name", "custodian__name")
    problem = django_filters.ChoiceFilter(label=_("Mismatch"), method="filter_problem",
                                          choices=[(k, v[0]) for k, v in PROBLEMS.items()])

    class Meta:
        from .models import Asset

        model = Asset
        fields = ("q", "problem")

    def filter_problem(self, queryset, name, value):
        return queryset.filter(PROBLEMS[value][1]) if value in PROBLEMS else queryset


# --------------------------------------------------------------------------- 效益管理 (SCH-03)


class UsageForm(ZhiduForm):
    """One use of an instrument; the instrument by its asset number (as on the label)."""

    asset_number = forms.CharField(label=_("Asset number"), max_length=40)
    used_on = forms.DateField(label=_("Date of use"))
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1, min_value=0.1, max_value=24)
    used_by = forms.ModelChoiceField(label=_("Used by"), queryset=Person.objects.none(), required=False)
    class_name = forms.CharField(label=_("Class"), max_length=60, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["used_by"].queryset = Person.objects.select_related("department").order_by("employee_no")
        self.restrict_choices("used_by")

    def clean_asset_number(self):
        from .models import Asset

        number = self.cleaned_data["asset_number"].strip()
        asset = Asset.objects.restrict(self.user, "view").filter(number=number).first() if self.user else None
        if asset is None:
            raise forms.ValidationError(_("No asset %(number)s, or you may not see it.") % {"number": number})
        self.asset = asset
        return number


class UsageFilterSet(ZhiduFilterSet):
    search_fields = ("asset__number__icontains", "asset__name", "purpose", "class_name", "used_by__name")
    asset = IdFilter(label=_("Instrument"), field_name="asset_id", widget=forms.HiddenInput)
    used_from = django_filters.DateFilter(label=_("From"), field_name="used_on", lookup_expr="gte")
    used_until = django_filters.DateFilter(label=_("Until"), field_name="used_on", lookup_expr="lte")

    class Meta:
        from .models import InstrumentUsage

        model = InstrumentUsage
        fields = ("q", "asset", "used_from", "used_until")


def _semesters(request=None):
    from .services.usage import semester_choices

    return semester_choices()


class UtilisationFilterSet(ZhiduFilterSet):
    """The semester is read by the view (it shapes the sums); declared here for the filter form."""

    search_fields = ("number__icontains", "name")
    semester = django_filters.ChoiceFilter(label=_("Semester"), choices=_semesters, method="keep",
                                           empty_label=None)
    min_price = django_filters.NumberFilter(label=_("Valuable from (CNY)"), method="keep")
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=AssetCategory.objects.all())

    class Meta:
        from .models import Asset

        model = Asset
        fields = ("q", "semester", "min_price", "category")

    def keep(self, queryset, name, value):
        return queryset
