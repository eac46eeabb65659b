"""Forms of the ledger (cards, categories, models, suppliers, locations, labels).

The asset form adds one field per entry of the category's `field_schema` (named
`attr_<key>`); the services validate the values and their messages land on those fields.
"""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import ZhiduForm, ZhiduModelForm
from zhidu.org.models import OrgUnit

from .choices import FieldType
from .labels import SHEETS
from .models import Asset, AssetCategory, AssetModel, Location, Supplier

ATTR_PREFIX = "attr_"


def attribute_fields(category: AssetCategory | None) -> dict[str, forms.Field]:
    """Form fields for the category's card fields (AST-01): `attr_<key>` → field."""
    fields = {}
    for spec in (category.field_schema if category else None) or []:
        kind = spec.get("type") or FieldType.TEXT
        label = spec.get("label") or spec["key"]
        required = bool(spec.get("required")) and kind != FieldType.BOOL
        if kind == FieldType.NUMBER:
            field = forms.DecimalField(label=label, required=required, max_digits=14, decimal_places=3)
        elif kind == FieldType.DATE:
            field = forms.DateField(label=label, required=required,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        elif kind == FieldType.CHOICE:
            field = forms.ChoiceField(label=label, required=required,
                                      choices=[("", "—"), *[(c, c) for c in spec.get("choices") or []]])
        elif kind == FieldType.BOOL:
            field = forms.BooleanField(label=label, required=False)
        else:
            field = forms.CharField(label=label, required=required, max_length=500)
        fields[f"{ATTR_PREFIX}{spec['key']}"] = field
    return fields


class AssetForm(ZhiduModelForm):
    """The asset card (AST-02). Status and custodian are not here: they change through the
    issue / return / custodian-change procedures (AST-09)."""

    number = forms.CharField(label=_("Asset number"), required=False, max_length=40,
                             help_text=_("Leave empty to allocate the next number (ZC-YYYY-NNNNNN)."))

    class Meta:
        model = Asset
        fields = ("number", "name", "category", "model", "serial_number", "configuration", "supplier", "purchase_date",
                  "purchase_price", "warranty_end", "department", "location", "is_public", "is_classified",
                  "bundled_materials", "notes")

    def __init__(self, *args, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.restrict_choices("department")
        self.fields["department"].queryset = self.fields["department"].queryset.filter(is_active=True)
        self.fields["category"].queryset = AssetCategory.objects.filter(is_active=True)
        self.fields["model"].queryset = AssetModel.objects.filter(is_active=True).select_related("category")
        self.fields["supplier"].queryset = Supplier.objects.filter(is_active=True)
        self.fields["location"].queryset = Location.objects.filter(is_active=True)
        # htmx: reload the category's card fields when the category changes (AST-01)
        self.fields["category"].widget.attrs.update({
            "data-category-select": "1", "hx-get": reverse("assets:asset_fields"), "hx-trigger": "change",
            "hx-target": "#attribute-fields", "hx-include": "this", "hx-swap": "innerHTML"})
        if self.instance.pk:
            self.fields["number"].required = True
            self.initial.setdefault("number", self.instance.number)
        self.selected_category = category or self.resolve_category()
        self.attribute_names = []
        existing = self.instance.attributes if self.instance.pk else {}
        for name, field in attribute_fields(self.selected_category).items():
            self.fields[name] = field
            self.attribute_names.append(name)
            key = name[len(ATTR_PREFIX):]
            if key in (existing or {}):
                self.initial.setdefault(name, existing[key])

    def resolve_category(self) -> AssetCategory | None:
        raw = None
        if self.is_bound:
            raw = self.data.get(self.add_prefix("category"))
        if raw in (None, ""):
            raw = self.initial.get("category")
        if isinstance(raw, AssetCategory):
            return raw
        if raw not in (None, ""):
            try:
                return AssetCategory.objects.filter(pk=int(raw)).first()
            except (TypeError, ValueError):
                return None
        return self.instance.category if self.instance.pk else None

    @property
    def bound_base_fields(self):
        return [self[n] for n in self.fields if n not in self.attribute_names]

    @property
    def bound_attribute_fields(self):
        return [self[n] for n in self.attribute_names]

    def card_values(self) -> dict:
        """The cleaned card fields and the category fields, for the services."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.Meta.fields}
        attributes = {}
        for name in self.attribute_names:
            value = data.get(name)
            if value is not None and not isinstance(value, bool | str):
                value = value.isoformat() if hasattr(value, "isoformat") else str(value)
            attributes[name[len(ATTR_PREFIX):]] = value
        values["attributes"] = attributes
        return values


class AssetCategoryForm(ZhiduModelForm):
    field_schema_text = forms.CharField(
        label=_("Card fields"), required=False, widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        help_text=_('One field per line: key | label | type (text, number, date, choice, bool) | required (yes/no) | '
                    'choices separated by commas. Example: memory_gb | 内存(GB) | number | yes'),
    )

    class Meta:
        model = AssetCategory
        fields = ("code", "name", "kind", "depreciation_years", "residual_rate", "is_fixed_asset", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["field_schema_text"] = schema_to_text(self.instance.field_schema)

    def clean_field_schema_text(self):
        try:
            return text_to_schema(self.cleaned_data.get("field_schema_text") or "")
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def schema_to_text(schema) -> str:
    lines = []
    for spec in schema or []:
        parts = [spec.get("key", ""), spec.get("label", ""), spec.get("type", "text"),
                 "yes" if spec.get("required") else "no"]
        if spec.get("choices"):
            parts.append(", ".join(spec["choices"]))
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def text_to_schema(text: str) -> list[dict]:
    text = text.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(_("The card fields are not valid JSON: %(error)s") % {"error": error}) from None
    schema = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        parts += [""] * (5 - len(parts))
        spec = {"key": parts[0], "label": parts[1] or parts[0], "type": parts[2] or "text",
                "required": parts[3].lower() in ("yes", "y", "true", "1", "是", "必填")}
        if parts[4]:
            spec["choices"] = [c.strip() for c in parts[4].replace("，", ",").split(",") if c.strip()]
        schema.append(spec)
    return schema


class AssetModelForm(ZhiduModelForm):
    accessories_text = forms.CharField(label=_("Standard accessories"), required=False,
                                       help_text=_("Separated by commas, e.g. 电源适配器, 鼠标."))

    class Meta:
        model = AssetModel
        fields = ("category", "manufacturer", "name", "specification", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["accessories_text"] = ", ".join(self.instance.accessories or [])

    def clean_accessories_text(self):
        text = (self.cleaned_data.get("accessories_text") or "").replace("，", ",")
        return [a.strip() for a in text.split(",") if a.strip()]


class SupplierForm(ZhiduModelForm):
    class Meta:
        model = Supplier
        fields = ("name", "contact", "phone", "address", "notes", "is_active")


class LocationForm(ZhiduModelForm):
    class Meta:
        model = Location
        fields = ("code", "name", "parent", "unit", "is_public_area", "is_warehouse", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(is_active=True)


class LabelSheetForm(ZhiduForm):
    """Which label sheet to print on (A4 sheets and label-printer rolls)."""

    sheet = forms.ChoiceField(label=_("Label sheet"), choices=[(k, s.label) for k, s in SHEETS.items()],
                              initial="a4-3x8")
