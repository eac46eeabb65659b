"""Forms of consumables. They only validate input; the views call the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import ZhiduForm, ZhiduModelForm

from .choices import ConsumableCategory, PeriodKind, PlanVariant, RecycleCondition
from .models import ConsumableItem, Quota


def _locations():
    from zhidu.assets.models import Location

    return Location.objects.filter(is_active=True).order_by("code")


def _items():
    return ConsumableItem.objects.filter(is_active=True).order_by("category", "code")


class ItemForm(ZhiduModelForm):
    class Meta:
        model = ConsumableItem
        fields = ("code", "name", "category", "unit", "specification", "reorder_level", "unit_price", "fits",
                  "is_active")
        widgets = {"fits": forms.SelectMultiple(attrs={"size": 8})}


class _MovementForm(ZhiduForm):
    item = forms.ModelChoiceField(label=_("Consumable"), queryset=ConsumableItem.objects.none())
    location = forms.ModelChoiceField(label=_("Location"), queryset=ConsumableItem.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = _items()
        self.fields["location"].queryset = _locations()


class ReceiptForm(_MovementForm):
    unit_price = forms.DecimalField(label=_("Unit price"), required=False, max_digits=14, decimal_places=2, min_value=0)


class _ToDepartmentForm(_MovementForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=ConsumableItem.objects.none())
    person = forms.ModelChoiceField(label=_("Person"), queryset=ConsumableItem.objects.none())

    def __init__(self, *args, **kwargs):
        from zhidu.org.models import OrgUnit, Person

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = OrgUnit.objects.filter(is_active=True).order_by("tree_key")
        self.fields["person"].queryset = Person.objects.filter(status="active").order_by("name")
        self.restrict_choices("department")
        self.restrict_choices("person")


class IssueForm(_ToDepartmentForm):
    """Issue (CON-04); the page shows the department's quota use live (htmx)."""

    field_order = ("item", "department", "person", "quantity", "location", "note")


class ReturnForm(_ToDepartmentForm):
    field_order = ("item", "department", "person", "quantity", "location", "recycle", "condition", "note")

    recycle = forms.BooleanField(label=_("Empties or broken items for recycling (CON-09)"), required=False)
    condition = forms.ChoiceField(label=_("Condition"), choices=RecycleCondition.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].required = False


class AdjustForm(_MovementForm):
    quantity = forms.IntegerField(label=_("Quantity (+/−)"))
    note = forms.CharField(label=_("Reason"), max_length=500)


class TransferForm(_MovementForm):
    target = forms.ModelChoiceField(label=_("To location"), queryset=ConsumableItem.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].label = _("From location")
        self.fields["target"].queryset = _locations()


class QuotaForm(ZhiduModelForm):
    class Meta:
        model = Quota
        fields = ("department", "item", "category", "period_kind", "period_start", "quantity", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restrict_choices("department")
        self.fields["category"].choices = [("", "—"), *ConsumableCategory.choices]


class PlanDraftForm(ZhiduForm):
    variant = forms.ChoiceField(label=_("Variant"), choices=PlanVariant.choices)
    period_start = forms.DateField(label=_("Period (any day in it)"))


class NeedForm(ZhiduForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=ConsumableItem.objects.none())
    item = forms.ModelChoiceField(label=_("Consumable"), queryset=ConsumableItem.objects.none())
    period_kind = forms.ChoiceField(label=_("Cycle"), choices=PeriodKind.choices)
    period_start = forms.DateField(label=_("Period (any day in it)"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        from zhidu.org.models import OrgUnit

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = OrgUnit.objects.filter(is_active=True).order_by("tree_key")
        self.restrict_choices("department")
        self.fields["item"].queryset = _items()
