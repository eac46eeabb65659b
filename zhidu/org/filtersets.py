"""FilterSets of the organisation, shared by the list pages and the API (DESIGN "filtersets.py")."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.filtersets import IdFilter, ZhiduFilterSet, scoped_choices

from .choices import EmploymentStatus, RoleScope, UnitKind
from .models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment


def _subtree_filter(field: str | None):
    """Objects whose unit (`field`; None: the unit itself) is `value` or one of its sub-units."""

    def method(self, queryset, name, value: int):  # the type hint documents the API parameter (a unit id)
        if not value:
            return queryset
        if field is None:
            return queryset.filter(path__startswith=value.path)
        # `unit IN (subtree)` uses the foreign key's index (see zhidu.core.scoping)
        return queryset.filter(**{f"{field}__in": OrgUnit.objects.filter(path__startswith=value.path).values("pk")})

    return method


class OrgUnitFilterSet(ZhiduFilterSet):
    search_fields = ("name", "code")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=UnitKind.choices)
    is_it_authority = django_filters.BooleanFilter(label=_("IT authority"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    within = django_filters.ModelChoiceFilter(
        label=_("Within"), queryset=scoped_choices("org.OrgUnit"), method="filter_within",
        help_text=_("The unit and all its sub-units."),
    )

    filter_within = _subtree_filter(None)

    class Meta:
        model = OrgUnit
        fields = ("q", "kind", "is_it_authority", "is_active", "within")


class PersonFilterSet(ZhiduFilterSet):
    search_fields = ("name", "employee_no__istartswith", "email", "phone", "title")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=scoped_choices("org.OrgUnit"), method="filter_department",
        help_text=_("The department and its sub-units."),
    )
    status = django_filters.MultipleChoiceFilter(label=_("Employment status"), choices=EmploymentStatus.choices,
                                                distinct=False)
    position = django_filters.ModelChoiceFilter(label=_("Position"), queryset=Position.objects.all())
    manager = IdFilter(label=_("Line manager"), field_name="manager_id", widget=forms.HiddenInput)
    has_login = django_filters.BooleanFilter(label=_("Has a login"), method="filter_has_login")

    filter_department = _subtree_filter("department")

    def filter_has_login(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(user__isnull=not value)

    class Meta:
        model = Person
        fields = ("q", "department", "status", "position", "manager", "has_login")


class PositionFilterSet(ZhiduFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = Position
        fields = ("q",)


class RoleFilterSet(ZhiduFilterSet):
    search_fields = ("code", "name", "generic_code", "description")
    default_scope = django_filters.ChoiceFilter(label=_("Usual scope"), choices=RoleScope.choices)
    is_builtin = django_filters.BooleanFilter(label=_("Built-in"))

    class Meta:
        model = Role
        fields = ("q", "default_scope", "is_builtin")


class RoleAssignmentFilterSet(ZhiduFilterSet):
    search_fields = ("person__name", "person__employee_no", "role__name", "role__code", "unit__name")
    role = django_filters.ModelChoiceFilter(label=_("Role"), queryset=Role.objects.all())
    person = IdFilter(label=_("Person"), field_name="person_id", widget=forms.HiddenInput)
    unit = django_filters.ModelChoiceFilter(label=_("Scope unit"), queryset=scoped_choices("org.OrgUnit"))
    org_wide = django_filters.BooleanFilter(label=_("Whole organisation"), field_name="unit", lookup_expr="isnull")
    current = django_filters.BooleanFilter(label=_("Valid today"), method="filter_current")

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
        return queryset.filter(valid) if value else queryset.exclude(valid)

    class Meta:
        model = RoleAssignment
        fields = ("q", "role", "person", "unit", "org_wide", "current")


class RoleAliasFilterSet(ZhiduFilterSet):
    search_fields = ("term", "role__name", "role__code", "note")
    role = django_filters.ModelChoiceFilter(label=_("Role"), queryset=Role.objects.all())

    class Meta:
        model = RoleAlias
        fields = ("q", "role")
