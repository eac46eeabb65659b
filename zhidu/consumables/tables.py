"""List tables of consumables."""

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

from .choices import PLAN_STATUS_COLORS
from .models import ConsumableItem, Movement, PurchasePlan, Quota, StockBalance


class ConsumableItemTable(ZhiduTable):
    code = ObjectLinkColumn(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    category = tables.Column(verbose_name=_("Category"))
    unit = tables.Column(verbose_name=_("Unit"))
    reorder_level = tables.Column(verbose_name=_("Reorder level"))
    unit_price = MoneyColumn(verbose_name=_("Reference unit price"))
    stock_total = tables.Column(verbose_name=_("In stock"), orderable=True)

    class Meta(ZhiduTable.Meta):
        model = ConsumableItem
        fields = ("code", "name", "category", "unit", "stock_total", "reorder_level", "unit_price")
        order_by = ("category", "code")

    default_columns = ("code", "name", "category", "unit", "stock_total", "reorder_level")
    required_columns = ("code",)


class StockBalanceTable(ZhiduTable):
    item = tables.Column(verbose_name=_("Consumable"), accessor="item__name", linkify=lambda record: record.item.get_absolute_url(),
                         order_by=("item__name",))
    category = tables.Column(verbose_name=_("Category"), accessor="item__category",
                             order_by=("item__category",))
    location = tables.Column(verbose_name=_("Location"), accessor="location__name", order_by=("location__name",))
    quantity = tables.Column(verbose_name=_("Quantity"))
    unit = tables.Column(verbose_name=_("Unit"), accessor="item__unit", orderable=False)

    class Meta(ZhiduTable.Meta):
        model = StockBalance
        fields = ("item", "category", "location", "quantity", "unit")
        order_by = ("item",)

    def render_category(self, record):
        return record.item.get_category_display()

    def value_category(self, record):
        return record.item.get_category_display()

    default_columns = ("item", "category", "location", "quantity", "unit")
    required_columns = ("item",)


class MovementTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    occurred_at = DateTimeColumn(verbose_name=_("Date"))
    kind = tables.Column(verbose_name=_("Kind"))
    item = tables.Column(verbose_name=_("Consumable"), accessor="item__name", order_by=("item__name",))
    quantity = tables.Column(verbose_name=_("Quantity"))
    location = tables.Column(verbose_name=_("Location"), accessor="location__name", order_by=("location__name",))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name",
                               order_by=("department__name",))
    person = tables.Column(verbose_name=_("Person"), accessor="person__name", order_by=("person__name",))
    status = tables.Column(verbose_name=_("Status"))
    over_quota = tables.BooleanColumn(verbose_name=_("Over quota"))
    note = tables.Column(verbose_name=_("Note"))

    class Meta(ZhiduTable.Meta):
        model = Movement
        fields = ("number", "occurred_at", "kind", "item", "quantity", "location", "department", "person", "status",
                  "over_quota", "note")
        order_by = ("-occurred_at",)

    def render_quantity(self, value, record):
        if record.kind == "recycle":  # stock-neutral (CON-09)
            return format_html('<span class="text-secondary">{}</span>', value)
        return format_html('<span class="{}">{}</span>', "text-red" if value < 0 else "text-green", f"{value:+d}")

    def value_quantity(self, value):
        return value

    def render_over_quota(self, value):
        return format_html('<span class="badge bg-red-lt">{}</span>', _("Over quota")) if value else ""

    default_columns = ("number", "occurred_at", "kind", "item", "quantity", "department", "person", "status",
                       "over_quota")
    required_columns = ("number",)


class QuotaTable(ZhiduTable):
    department = tables.Column(verbose_name=_("Department"), accessor="department__name",
                               order_by=("department__name",))
    item = tables.Column(verbose_name=_("Consumable"), accessor="item__name", order_by=("item__name",),
                         default="")
    category = tables.Column(verbose_name=_("Category"))
    period_kind = tables.Column(verbose_name=_("Cycle"))
    period_start = DateColumn(verbose_name=_("Period start"))
    quantity = tables.Column(verbose_name=_("Quota"))
    edit = tables.TemplateColumn(
        '{% load i18n %}<a href="{% url \'consumables:quota_edit\' record.pk %}">{% translate "Edit" %}</a>',
        verbose_name="", orderable=False, exclude_from_export=True)

    class Meta(ZhiduTable.Meta):
        model = Quota
        fields = ("department", "item", "category", "period_kind", "period_start", "quantity", "edit")
        order_by = ("-period_start",)

    default_columns = ("department", "item", "category", "period_kind", "period_start", "quantity", "edit")
    required_columns = ("department",)


class PurchasePlanTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    title = tables.Column(verbose_name=_("Title"))
    variant = tables.Column(verbose_name=_("Variant"))
    period_start = DateColumn(verbose_name=_("Period start"))
    status = BadgeColumn(PLAN_STATUS_COLORS, verbose_name=_("Status"))
    purchase_request = tables.Column(verbose_name=_("Purchase request"), accessor="purchase_request__number",
                                     default="")
    created = DateTimeColumn(verbose_name=_("Created"))

    class Meta(ZhiduTable.Meta):
        model = PurchasePlan
        fields = ("number", "title", "variant", "period_start", "status", "purchase_request", "created")
        order_by = ("-period_start",)

    default_columns = ("number", "title", "period_start", "status", "purchase_request")
    required_columns = ("number",)
