"""Pages of 效益管理 (SCH-03, AST-24): the usage log of valuable and precision instruments and the
utilisation report per semester (篇12 信息技术专用室负责人(8)). Declarative; behaviour in services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import django_tables2 as tables
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.errors import RuleViolation
from zhidu.core.tables import DateColumn, MoneyColumn, ObjectLinkColumn, ZhiduTable
from zhidu.core.views import ObjectDeleteView, ObjectFormView, ObjectListView

from .. import forms_subledger as forms
from ..models import Asset, InstrumentUsage
from ..services import usage as services


class UsageTable(ZhiduTable):
    used_on = DateColumn(verbose_name=gettext_lazy("Date of use"))
    asset = tables.Column(verbose_name=gettext_lazy("Instrument"), accessor="asset__number",
                          order_by=("asset__number",), linkify=lambda record: record.asset.get_absolute_url())
    asset_name = tables.Column(verbose_name=gettext_lazy("Name"), accessor="asset__name", order_by=("asset__name",))
    hours = tables.Column(verbose_name=gettext_lazy("Hours"))
    used_by = tables.Column(verbose_name=gettext_lazy("Used by"), accessor="used_by__name", order_by=("used_by__name",))
    class_name = tables.Column(verbose_name=gettext_lazy("Class"))
    purpose = tables.Column(verbose_name=gettext_lazy("Purpose"))

    class Meta(ZhiduTable.Meta):
        model = InstrumentUsage
        fields = ("used_on", "asset", "asset_name", "hours", "used_by", "class_name", "purpose")

    required_columns = ("used_on", "asset")


class UtilisationTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=gettext_lazy("Asset number"))
    name = tables.Column(verbose_name=gettext_lazy("Name"))
    category = tables.Column(verbose_name=gettext_lazy("Category"), accessor="category__name",
                             order_by=("category__name",))
    department = tables.Column(verbose_name=gettext_lazy("Department"), accessor="department__name",
                               order_by=("department__name",))
    purchase_price = MoneyColumn(verbose_name=gettext_lazy("Purchase price"))
    hours = tables.Column(verbose_name=gettext_lazy("Hours"))
    uses = tables.Column(verbose_name=gettext_lazy("Uses"))
    days = tables.Column(verbose_name=gettext_lazy("Days used"))
    users = tables.Column(verbose_name=gettext_lazy("Users"))
    classes = tables.Column(verbose_name=gettext_lazy("Classes"))

    class Meta(ZhiduTable.Meta):
        model = Asset
        fields = ("number", "name", "category", "department", "purchase_price", "hours", "uses", "days", "users",
                  "classes")

    required_columns = ("number",)


class UsageListView(ObjectListView):
    model = InstrumentUsage
    table_class = UsageTable
    filterset_class = forms.UsageFilterSet
    select_related = ("asset", "used_by")
    create_url_name = "assets:usage_create"
    title = gettext_lazy("Instrument usage log")


class UsageFormView(ObjectFormView):
    model = InstrumentUsage
    form_class = forms.UsageForm
    success_url_name = "assets:usage_list"
    title = gettext_lazy("Log an instrument use")

    def get_initial(self):
        number = self.request.GET.get("asset_number")
        return {"asset_number": number} if number else {}

    def perform_save(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "asset_number"}
        return services.record_usage(asset=form.asset, actor=self.request.user, **data)


class UsageDeleteView(ObjectDeleteView):
    model = InstrumentUsage
    success_url_name = "assets:usage_list"

    def perform_delete(self, obj):
        services.delete_usage(usage=obj, actor=self.request.user)


class UtilisationReportView(ObjectListView):
    """Per instrument and semester: hours, uses, days, users and classes; idle valuable ones at 0."""

    model = Asset
    table_class = UtilisationTable
    filterset_class = forms.UtilisationFilterSet
    select_related = ("category", "department")
    require_permission = True

    def check_model_action(self, action):  # the report is about the usage log
        from zhidu.core.views.mixins import ScopedObjectMixin

        helper = ScopedObjectMixin()
        helper.model, helper.request = InstrumentUsage, self.request
        helper.check_model_action(action)

    def semester(self) -> str:
        key = self.request.GET.get("semester") or services.semester_choices()[0][0]
        try:
            services.semester_bounds(key)
        except RuleViolation:
            key = services.semester_choices()[0][0]
        return key

    def get_queryset(self):
        start, end = services.semester_bounds(self.semester())
        try:
            min_price = Decimal(self.request.GET.get("min_price") or services.DEFAULT_MIN_PRICE)
        except (ArithmeticError, InvalidOperation, ValueError):
            min_price = services.DEFAULT_MIN_PRICE
        assets = self.optimise(self.restricted("view"))
        return services.utilisation_queryset(assets, start=start, end=end, min_price=min_price).order_by(
            "-hours", "number")

    def get_title(self):
        labels = dict(services.semester_choices())
        key = self.semester()
        return _("Instrument utilisation · %(semester)s") % {"semester": labels.get(key, key)}


def urlpatterns():
    return [
        path("usage/", UsageListView.as_view(), name="usage_list"),
        path("usage/new/", UsageFormView.as_view(), name="usage_create"),
        path("usage/<int:pk>/delete/", UsageDeleteView.as_view(), name="usage_delete"),
        path("usage/utilisation/", UtilisationReportView.as_view(), name="usage_utilisation"),
    ]
