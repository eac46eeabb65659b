"""FilterSets of the ledger, shared by the list pages and the API (DESIGN "filtersets.py")."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.filtersets import IdFilter, ZhiduFilterSet
from zhidu.org.models import OrgUnit

from .choices import AssetStatus, CategoryKind
from .models import Asset, AssetCategory, AssetModel, Location, Supplier


def asset_units(request):
    """The department choices: units where the user may see assets (all units for the API schema)."""
    from .selectors import units_for

    if request is None:
        return OrgUnit.objects.all()
    return units_for(getattr(request, "user", None), "view")


class AssetFilterSet(ZhiduFilterSet):
    """The asset list (AST-02): search number / name / serial / custodian; filters below."""

    search_fields = ("number__icontains", "name", "serial_number__icontains", "custodian__name",
                     "fixed_asset_number__icontains")
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=AssetCategory.objects.all())
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=AssetStatus.choices, distinct=False)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=asset_units, method="filter_department",
        help_text=_("The department and its sub-units."),
    )
    location = django_filters.ModelChoiceFilter(label=_("Location"), queryset=Location.objects.all(),
                                                method="filter_location",
                                                help_text=_("The place and the places within it."))
    # a person id (links from a person's page; the search box finds custodians by name): a select
    # of every employee would not scale
    custodian = IdFilter(label=_("Custodian"), field_name="custodian_id", widget=forms.HiddenInput)
    supplier = django_filters.ModelChoiceFilter(label=_("Supplier"), queryset=Supplier.objects.all())
    model = django_filters.ModelChoiceFilter(label=_("Model"), queryset=AssetModel.objects.all())
    warranty_within = django_filters.NumberFilter(
        label=_("Warranty ends within (days)"), method="filter_warranty_within",
        widget=forms.NumberInput(attrs={"min": 0, "max": 3650}),
        help_text=_("Devices whose warranty ends between today and that many days from now."),
    )
    is_classified = django_filters.BooleanFilter(label=_("Classified (涉密)"))
    is_public = django_filters.BooleanFilter(label=_("Public equipment"))
    capitalised = django_filters.BooleanFilter(label=_("Capitalised"), field_name="capitalised_on",
                                               lookup_expr="isnull", exclude=True)

    class Meta:
        model = Asset
        fields = ("q", "category", "status", "department", "location", "custodian", "supplier", "model",
                  "warranty_within", "is_classified", "is_public", "capitalised")

    def filter_department(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(department__in=OrgUnit.objects.filter(path__startswith=value.path).values("pk"))

    def filter_location(self, queryset, name, value):
        if not value:
            return queryset
        ids = {value.pk}
        frontier = [value.pk]
        for _depth in range(6):  # buildings → floors → rooms: a shallow tree
            frontier = list(Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            if not frontier:
                break
            ids.update(frontier)
        return queryset.filter(location_id__in=ids)

    def filter_warranty_within(self, queryset, name, value):
        if value is None:
            return queryset
        days = max(0, min(int(value), 3650))
        today = timezone.localdate()
        return queryset.filter(warranty_end__gte=today, warranty_end__lte=today + datetime.timedelta(days=days))


class AssetCategoryFilterSet(ZhiduFilterSet):
    search_fields = ("name", "code")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CategoryKind.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = AssetCategory
        fields = ("q", "kind", "is_active")


class AssetModelFilterSet(ZhiduFilterSet):
    search_fields = ("manufacturer", "name")
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=AssetCategory.objects.all())
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = AssetModel
        fields = ("q", "category", "is_active")


class SupplierFilterSet(ZhiduFilterSet):
    search_fields = ("name", "contact", "phone")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Supplier
        fields = ("q", "is_active")


class LocationFilterSet(ZhiduFilterSet):
    search_fields = ("name", "code")
    parent = django_filters.ModelChoiceFilter(label=_("Part of"), queryset=Location.objects.all())
    is_public_area = django_filters.BooleanFilter(label=_("Public area / meeting room"))
    is_warehouse = django_filters.BooleanFilter(label=_("Warehouse"))

    class Meta:
        model = Location
        fields = ("q", "parent", "is_public_area", "is_warehouse")
