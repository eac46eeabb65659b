"""List tables (django-tables2) of procurement."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from zhidu.core.tables import (
    BadgeColumn,
    DateColumn,
    DateTimeColumn,
    MoneyColumn,
    ObjectLinkColumn,
    ZhiduTable,
)

from .choices import STATUS_COLORS
from .models import PurchaseRequest, SelfPurchaseFiling


class PurchaseRequestTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    title = tables.Column(verbose_name=_("Title"))
    kind = tables.Column(verbose_name=_("Form"))
    requester = tables.Column(verbose_name=_("Requester"), accessor="requester__name", order_by=("requester__name",))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name",
                               order_by=("department__name",))
    status = BadgeColumn(STATUS_COLORS, verbose_name=_("Status"))
    total_amount = MoneyColumn(verbose_name=_("Total amount"))
    submitted_at = DateTimeColumn(verbose_name=_("Submitted"))
    needed_by = DateColumn(verbose_name=_("Needed by"))
    created = DateTimeColumn(verbose_name=_("Created"))

    class Meta(ZhiduTable.Meta):
        model = PurchaseRequest
        fields = ("number", "title", "kind", "requester", "department", "status", "total_amount", "submitted_at",
                  "needed_by", "created")
        order_by = ("-number",)

    default_columns = ("number", "title", "requester", "department", "status", "total_amount", "submitted_at")
    required_columns = ("number",)


class SelfPurchaseFilingTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    item = tables.Column(verbose_name=_("Item"))
    model_name = tables.Column(verbose_name=_("Model"))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name",
                               order_by=("department__name",))
    registered_by = tables.Column(verbose_name=_("Registered by"), accessor="registered_by__name",
                                  order_by=("registered_by__name",))
    manufacturer = tables.Column(verbose_name=_("Manufacturer"))
    supplier = tables.Column(verbose_name=_("Supplier"))
    purchase_date = DateColumn(verbose_name=_("Purchase date"))
    quantity = tables.Column(verbose_name=_("Quantity"))
    amount = MoneyColumn(verbose_name=_("Amount"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta(ZhiduTable.Meta):
        model = SelfPurchaseFiling
        fields = ("number", "item", "model_name", "department", "registered_by", "manufacturer", "supplier",
                  "purchase_date", "quantity", "amount", "status")

    default_columns = ("number", "item", "model_name", "department", "registered_by", "purchase_date", "status")
    required_columns = ("number",)

    def render_status(self, value, record):
        color = "green" if record.status == "filed" else "orange"
        return format_html('<span class="badge bg-{}-lt">{}</span>', color, record.get_status_display())

    def value_status(self, value, record):
        return record.get_status_display()
