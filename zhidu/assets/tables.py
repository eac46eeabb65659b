"""List tables (django-tables2) of the ledger."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zhidu.core.tables import (
    BadgeColumn,
    BooleanColumn,
    DateColumn,
    MoneyColumn,
    ObjectLinkColumn,
    ZhiduTable,
)

from .choices import STATUS_COLORS
from .models import Asset, AssetCategory, AssetModel, Location, Supplier

LABEL_FORM_ID = "asset-label-form"


class AssetTable(ZhiduTable):
    """The ledger (资产台账, AST-02). The checkbox selects devices for the bulk "print labels"."""

    select = tables.CheckBoxColumn(accessor="pk", exclude_from_export=True, orderable=False,
                                   attrs={"input": {"form": LABEL_FORM_ID, "name": "asset", "class": "form-check-input",
                                                    "aria-label": _("Select")},
                                          "th__input": {"class": "form-check-input", "data-select-all": "asset",
                                                        "aria-label": _("Select all")}})
    number = ObjectLinkColumn(verbose_name=_("Asset number"))
    name = tables.Column(verbose_name=_("Name"))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", order_by=("category__name",))
    model = tables.Column(verbose_name=_("Model"), accessor="model__name", order_by=("model__name",))
    serial_number = tables.Column(verbose_name=_("Serial number"))
    status = BadgeColumn(STATUS_COLORS, verbose_name=_("Status"))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name",
                               order_by=("department__name",))
    custodian = tables.Column(verbose_name=_("Custodian"), accessor="custodian__name", order_by=("custodian__name",))
    location = tables.Column(verbose_name=_("Location"), accessor="location__name", order_by=("location__name",))
    supplier = tables.Column(verbose_name=_("Supplier"), accessor="supplier__name", order_by=("supplier__name",))
    purchase_date = DateColumn(verbose_name=_("Purchase date"))
    purchase_price = MoneyColumn(verbose_name=_("Purchase price"))
    warranty_end = DateColumn(verbose_name=_("Warranty ends"))
    fixed_asset_number = tables.Column(verbose_name=_("Fixed-asset card number"))
    is_public = BooleanColumn(verbose_name=_("Public"))
    is_classified = BooleanColumn(verbose_name=_("Classified"))

    class Meta(ZhiduTable.Meta):
        model = Asset
        fields = ("select", "number", "name", "category", "model", "serial_number", "status", "department",
                  "custodian", "location", "supplier", "purchase_date", "purchase_price", "warranty_end",
                  "fixed_asset_number", "is_public", "is_classified")

    default_columns = ("select", "number", "name", "category", "status", "department", "custodian", "location",
                       "warranty_end")
    required_columns = ("select", "number")


class MyAssetTable(ZhiduTable):
    """"My equipment": what is assigned to me (DESIGN "Users")."""

    number = ObjectLinkColumn(verbose_name=_("Asset number"))
    name = tables.Column(verbose_name=_("Name"))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", order_by=("category__name",))
    serial_number = tables.Column(verbose_name=_("Serial number"))
    status = BadgeColumn(STATUS_COLORS, verbose_name=_("Status"))
    location = tables.Column(verbose_name=_("Location"), accessor="location__name", order_by=("location__name",))
    warranty_end = DateColumn(verbose_name=_("Warranty ends"))

    class Meta(ZhiduTable.Meta):
        model = Asset
        fields = ("number", "name", "category", "serial_number", "status", "location", "warranty_end")

    required_columns = ("number",)


class AssetCategoryTable(ZhiduTable):
    name = ObjectLinkColumn(verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Code"))
    kind = tables.Column(verbose_name=_("Kind"))
    depreciation_years = tables.Column(verbose_name=_("Depreciation (years)"))
    residual_rate = tables.Column(verbose_name=_("Residual rate"))
    is_fixed_asset = BooleanColumn(verbose_name=_("Fixed asset"))
    field_count = tables.Column(verbose_name=_("Card fields"), accessor="field_schema", orderable=False)
    is_active = BooleanColumn(verbose_name=_("Active"))

    class Meta(ZhiduTable.Meta):
        model = AssetCategory
        fields = ("name", "code", "kind", "depreciation_years", "residual_rate", "is_fixed_asset", "field_count",
                  "is_active")

    required_columns = ("name",)

    def render_field_count(self, value):
        return ", ".join(f.get("label", f.get("key", "")) for f in value or []) or "—"

    def value_field_count(self, value):
        return ", ".join(f.get("label", f.get("key", "")) for f in value or [])


class AssetModelTable(ZhiduTable):
    name = ObjectLinkColumn(verbose_name=_("Model"))
    manufacturer = tables.Column(verbose_name=_("Manufacturer"))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", order_by=("category__name",))
    specification = tables.Column(verbose_name=_("Standard configuration"))
    is_active = BooleanColumn(verbose_name=_("Active"))

    class Meta(ZhiduTable.Meta):
        model = AssetModel
        fields = ("manufacturer", "name", "category", "specification", "is_active")

    required_columns = ("name",)


class SupplierTable(ZhiduTable):
    name = ObjectLinkColumn(verbose_name=_("Name"))
    contact = tables.Column(verbose_name=_("Contact person"))
    phone = tables.Column(verbose_name=_("Phone"))
    address = tables.Column(verbose_name=_("Address"))
    is_active = BooleanColumn(verbose_name=_("Active"))

    class Meta(ZhiduTable.Meta):
        model = Supplier
        fields = ("name", "contact", "phone", "address", "is_active")

    required_columns = ("name",)


class LocationTable(ZhiduTable):
    code = ObjectLinkColumn(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Name"))
    parent = tables.Column(verbose_name=_("Part of"), accessor="parent__name", order_by=("parent__name",))
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__name",))
    is_public_area = BooleanColumn(verbose_name=_("Public area / meeting room"))
    is_warehouse = BooleanColumn(verbose_name=_("Warehouse"))

    class Meta(ZhiduTable.Meta):
        model = Location
        fields = ("code", "name", "parent", "unit", "is_public_area", "is_warehouse")

    required_columns = ("code",)
