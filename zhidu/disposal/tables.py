"""List tables (django-tables2) of disposal."""

import django_tables2 as tables
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
from .models import DisposalRecord, ScrapRequest


class ScrapRequestTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    title = tables.Column(verbose_name=_("Title"))
    requester = tables.Column(verbose_name=_("Requester"), accessor="requester__name", order_by=("requester__name",))
    department = tables.Column(verbose_name=_("Using department"), accessor="department__name",
                               order_by=("department__name",))
    status = BadgeColumn(STATUS_COLORS, verbose_name=_("Status"))
    routing_variant = tables.Column(verbose_name=_("Routing"))
    submitted_at = DateTimeColumn(verbose_name=_("Submitted"))
    closed_at = DateTimeColumn(verbose_name=_("Closed"))
    created = DateTimeColumn(verbose_name=_("Created"))

    class Meta(ZhiduTable.Meta):
        model = ScrapRequest
        fields = ("number", "title", "requester", "department", "status", "routing_variant", "submitted_at",
                  "closed_at", "created")
        order_by = ("-number",)

    default_columns = ("number", "title", "requester", "department", "status", "submitted_at")
    required_columns = ("number",)


class DisposalRecordTable(ZhiduTable):
    request = tables.Column(verbose_name=_("Scrapping request"), accessor="request__number",
                            order_by=("request__number",), linkify=lambda record: record.get_absolute_url())
    department = tables.Column(verbose_name=_("Using department"), accessor="request__department__name",
                               order_by=("request__department__name",))
    method = tables.Column(verbose_name=_("Disposal method"))
    recipient = tables.Column(verbose_name=_("Recipient"))
    disposed_on = DateColumn(verbose_name=_("Disposal date"))
    proceeds = MoneyColumn(verbose_name=_("Proceeds"))

    class Meta(ZhiduTable.Meta):
        model = DisposalRecord
        fields = ("request", "department", "method", "recipient", "disposed_on", "proceeds")
        order_by = ("-disposed_on",)

    default_columns = ("request", "department", "method", "recipient", "disposed_on", "proceeds")
    required_columns = ("request",)
