"""FilterSets of consumables, shared by the list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from zhidu.core.filtersets import ZhiduFilterSet, scoped_choices

from .choices import ConsumableCategory, MovementKind, MovementStatus, PeriodKind, PlanStatus
from .models import ConsumableItem, Movement, PurchasePlan, Quota, StockBalance


class ConsumableItemFilterSet(ZhiduFilterSet):
    search_fields = ("code", "name", "specification")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=ConsumableCategory.choices)
    fits = django_filters.ModelChoiceFilter(label=_("Fits printer model"), queryset=scoped_choices("assets.AssetModel"))

    class Meta:
        model = ConsumableItem
        fields = ("q", "category", "fits", "is_active")


class StockBalanceFilterSet(ZhiduFilterSet):
    search_fields = ("item__code", "item__name", "location__name")
    category = django_filters.ChoiceFilter(label=_("Category"), field_name="item__category",
                                           choices=ConsumableCategory.choices)
    location = django_filters.ModelChoiceFilter(label=_("Location"), queryset=scoped_choices("assets.Location"))

    class Meta:
        model = StockBalance
        fields = ("q", "category", "location", "item")


class MovementFilterSet(ZhiduFilterSet):
    """Ledger filters: item, department, category, kind, date (CON-06)."""

    search_fields = ("number", "item__name", "item__code", "person__name", "note")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=MovementKind.choices, distinct=False)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MovementStatus.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), field_name="item__category",
                                           choices=ConsumableCategory.choices)
    item = django_filters.ModelChoiceFilter(label=_("Consumable"), queryset=scoped_choices(ConsumableItem))
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=scoped_choices("org.OrgUnit"))
    location = django_filters.ModelChoiceFilter(label=_("Location"), queryset=scoped_choices("assets.Location"))
    over_quota = django_filters.BooleanFilter(label=_("Over quota"))
    date_from = django_filters.DateFilter(label=_("From"), field_name="occurred_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("Until"), field_name="occurred_at", lookup_expr="date__lte")

    class Meta:
        model = Movement
        fields = ("q", "kind", "status", "category", "item", "department", "location", "over_quota", "date_from",
                  "date_to")


class QuotaFilterSet(ZhiduFilterSet):
    search_fields = ("department__name", "item__name", "note")
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=scoped_choices("org.OrgUnit"))
    period_kind = django_filters.ChoiceFilter(label=_("Cycle"), choices=PeriodKind.choices)
    period_start = django_filters.DateFilter(label=_("Period start"))

    class Meta:
        model = Quota
        fields = ("q", "department", "period_kind", "period_start")


class PurchasePlanFilterSet(ZhiduFilterSet):
    search_fields = ("number", "title")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlanStatus.choices)

    class Meta:
        model = PurchasePlan
        fields = ("q", "status", "variant", "period_kind")
