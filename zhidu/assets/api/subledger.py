"""REST API of sub-ledgers (分帐, SCH-08, AST-24) and handover lists (设备交接清单, SCH-10).

    /api/assets/subledgers/                    list, create, retrieve, update, delete
    /api/assets/subledgers/{id}/assets/        GET: the sub-ledger's cards (paginated)
    /api/assets/subledgers/{id}/totals/        GET: count, original value, net value
    /api/assets/subledgers/{id}/reconciliation/  GET: cards where 帐、物、签 do not agree
    /api/assets/subledgers/{id}/handover/      POST {"to_keeper", "notes"}: draw up a handover list
    /api/assets/subledgers/summary/            GET: general ledger vs sub-ledgers
    /api/assets/handovers/                     list, retrieve (with lines)
    /api/assets/handovers/{id}/check/          POST {"line", "present", "condition"}
    /api/assets/handovers/{id}/mark-present/   POST   /confirm/ POST   /cancel/ POST
    /api/assets/instrument-usage/              list, create, retrieve, delete (效益管理, SCH-03)
    /api/assets/instrument-usage/utilisation/  GET ?semester=2026S&min_price=10000: per instrument

Scope: `restrict(user, action)` everywhere (out of scope 404, not permitted 403); rules 400,
state conflicts 409.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhidu.core.api.views import ScopedModelViewSet, ScopedViewSetMixin
from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import has_perm_anywhere, user_person_id
from zhidu.org.models import OrgUnit, Person

from .. import forms_subledger as filtersets
from ..models import Asset, AssetCategory, InstrumentUsage, Location
from ..models.subledger import HandoverLine, SubLedger, SubLedgerHandover
from ..services import subledger as services
from ..services import usage as usage_services
from ..views.subledger import card_base

SUBLEDGER_FIELDS = ("code", "name", "department", "keeper", "categories", "locations", "departments", "notes",
                    "is_active")


class SubLedgerSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    keeper = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    categories = serializers.PrimaryKeyRelatedField(queryset=AssetCategory.objects.all(), many=True, required=False)
    locations = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), many=True, required=False)
    departments = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), many=True, required=False)

    class Meta:
        model = SubLedger
        fields = ("id", "code", "name", "department", "keeper", "categories", "locations", "departments", "notes",
                  "is_active")
        extra_kwargs = {"code": {"validators": []}}


class TotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=16, decimal_places=2)
    value = serializers.DecimalField(max_digits=16, decimal_places=2)


class CardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Asset
        fields = ("id", "number", "name", "category", "department", "location", "custodian", "status",
                  "purchase_price", "label_number", "label_printed_at")


class ReconciliationRowSerializer(CardSerializer):
    count_state = serializers.CharField()
    label_state = serializers.CharField()

    class Meta(CardSerializer.Meta):
        fields = (*CardSerializer.Meta.fields, "count_state", "label_state")


class HandoverLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandoverLine
        fields = ("id", "asset", "asset_number", "asset_name", "present", "condition")


class HandoverSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lines = HandoverLineSerializer(many=True, read_only=True)

    class Meta:
        model = SubLedgerHandover
        fields = ("id", "number", "subledger", "from_keeper", "to_keeper", "status", "status_display", "notes",
                  "outgoing_confirmed_at", "incoming_confirmed_at", "completed_at", "lines")


class HandoverStartSerializer(serializers.Serializer):
    to_keeper = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class HandoverCheckSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    present = serializers.BooleanField()
    condition = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


def _check_unit(request, unit):
    if unit is not None and not OrgUnit.objects.restrict(request.user, "view").filter(pk=unit.pk).exists():
        raise RuleViolation(_("Unknown department %(id)s.") % {"id": unit.pk}, code="invalid")


class SubLedgerViewSet(ScopedModelViewSet):
    """Sub-ledgers (分帐) and their cards, totals and 帐、物、签 check."""

    queryset = SubLedger.objects.all()
    serializer_class = SubLedgerSerializer
    filterset_class = filtersets.SubLedgerFilterSet
    ordering = ("code",)

    def get_queryset(self):
        return (super().get_queryset().select_related("keeper", "department")
                .prefetch_related("categories", "locations", "departments"))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # the handover action checks keeper-or-manager itself (a keeper may not "add" sub-ledgers)
        self.object_action = "view" if self.action == "handover" else None

    def _data(self, serializer, instance=None):
        data = {k: serializer.validated_data.get(k, getattr(instance, k, None) if instance else None)
                for k in SUBLEDGER_FIELDS}
        for key in ("categories", "locations", "departments"):
            if key not in serializer.validated_data:
                data[key] = list(getattr(instance, key).all()) if instance else []
        data["notes"] = data["notes"] or ""
        data["is_active"] = True if data["is_active"] is None else data["is_active"]
        _check_unit(self.request, data["department"])
        return data

    def perform_create(self, serializer):
        serializer.instance = services.save_subledger(actor=self.request.user, **self._data(serializer))

    def perform_update(self, serializer):
        instance = serializer.instance
        serializer.instance = services.save_subledger(actor=self.request.user, subledger=instance,
                                                      **self._data(serializer, instance))

    def perform_destroy(self, instance):
        services.delete_subledger(subledger=instance, actor=self.request.user)

    def _cards(self, subledger):
        return services.subledger_assets(subledger, card_base(self.request.user, subledger))

    @extend_schema(responses=CardSerializer(many=True), summary="The cards of the sub-ledger")
    @action(detail=True, methods=["get"])
    def assets(self, request, pk=None):
        cards = self._cards(self.get_object()).order_by("number")
        page = self.paginate_queryset(cards)
        return self.get_paginated_response(CardSerializer(page, many=True).data)

    @extend_schema(responses=TotalsSerializer, summary="Count, original value and net value")
    @action(detail=True, methods=["get"])
    def totals(self, request, pk=None):
        return Response(TotalsSerializer(services.ledger_totals(self._cards(self.get_object()))).data)

    @extend_schema(responses=ReconciliationRowSerializer(many=True),
                   summary="Cards where account, item and label do not agree (帐、物、签相符)")
    @action(detail=True, methods=["get"])
    def reconciliation(self, request, pk=None):
        rows = services.reconciliation_queryset(self._cards(self.get_object())).filter(services.MISMATCH)
        page = self.paginate_queryset(rows.order_by("number"))
        return self.get_paginated_response(ReconciliationRowSerializer(page, many=True).data)

    @extend_schema(request=HandoverStartSerializer, responses={201: HandoverSerializer},
                   summary="Draw up the handover list for a new keeper (SCH-10)")
    @action(detail=True, methods=["post"])
    def handover(self, request, pk=None):
        subledger = self.get_object()
        is_keeper = subledger.keeper_id and subledger.keeper_id == user_person_id(request.user)
        if not is_keeper and not SubLedger.objects.restrict(request.user, "change").filter(pk=subledger.pk).exists():
            raise exceptions.PermissionDenied(_("Only the keeper or the sub-ledger's managers draw up a handover "
                                                "list."))
        serializer = HandoverStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.start_handover(subledger=subledger, actor=request.user, **serializer.validated_data)
        return Response(HandoverSerializer(handover).data, status=201)

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="General ledger vs sub-ledgers")
    @action(detail=False, methods=["get"])
    def summary(self, request):
        if not has_perm_anywhere(request.user, SubLedger, "view"):
            raise exceptions.PermissionDenied()
        summary = services.ledger_summary(self.get_queryset().filter(is_active=True),
                                          Asset.objects.restrict(request.user, "view"))
        return Response({
            "general": TotalsSerializer(summary["general"]).data,
            "unassigned": TotalsSerializer(summary["unassigned"]).data,
            "subledgers": [{"id": r["subledger"].pk, "code": r["subledger"].code, "name": r["subledger"].name,
                            **TotalsSerializer(r).data} for r in summary["subledgers"]],
        })


HANDOVER_OBJECT_ACTIONS = {"check_item": "change", "mark_present": "change", "confirm": "view", "cancel": "delete"}


class HandoverViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Handover lists (设备交接清单): check items, confirm by both keepers, cancel."""

    queryset = SubLedgerHandover.objects.all()
    serializer_class = HandoverSerializer
    filterset_class = filtersets.HandoverFilterSet
    ordering = ("-id",)

    def get_queryset(self):
        return super().get_queryset().select_related("subledger").prefetch_related("lines")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.object_action = HANDOVER_OBJECT_ACTIONS.get(self.action)

    def _answer(self, handover):
        handover = self.get_queryset().get(pk=handover.pk)
        return Response(HandoverSerializer(handover).data)

    @extend_schema(request=HandoverCheckSerializer, responses=HandoverSerializer,
                   summary="Check one item: present or absent, with its condition")
    @action(detail=True, methods=["post"], url_path="check")
    def check_item(self, request, pk=None):
        handover = self.get_object()
        serializer = HandoverCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line = handover.lines.filter(pk=data["line"]).first()
        if line is None:
            raise exceptions.NotFound(_("No such item on this handover list."))
        services.check_handover_line(line=line, actor=request.user, present=data["present"],
                                     condition=data["condition"])
        return self._answer(handover)

    def _step(self, service):
        handover = self.get_object()
        with transaction.atomic():
            getattr(services, service)(handover=handover, actor=self.request.user)
        return self._answer(handover)

    @extend_schema(request=None, responses=HandoverSerializer, summary="Mark every unchecked item present")
    @action(detail=True, methods=["post"], url_path="mark-present")
    def mark_present(self, request, pk=None):
        return self._step("mark_unchecked_present")

    @extend_schema(request=None, responses=HandoverSerializer,
                   summary="Confirm as the outgoing or the incoming keeper (the second completes the handover)")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._step("confirm_handover")

    @extend_schema(request=None, responses=HandoverSerializer, summary="Cancel an open handover")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step("cancel_handover")


class UsageSerializer(serializers.ModelSerializer):
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    used_by = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        model = InstrumentUsage
        fields = ("id", "asset", "used_on", "hours", "used_by", "class_name", "purpose")


class UtilisationRowSerializer(serializers.ModelSerializer):
    hours = serializers.DecimalField(max_digits=9, decimal_places=1)
    uses = serializers.IntegerField()
    days = serializers.IntegerField()
    users = serializers.IntegerField()
    classes = serializers.IntegerField()

    class Meta:
        model = Asset
        fields = ("id", "number", "name", "category", "department", "purchase_price", "hours", "uses", "days",
                  "users", "classes")


class InstrumentUsageViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The usage log of valuable and precision instruments (效益管理, SCH-03)."""

    queryset = InstrumentUsage.objects.all()
    serializer_class = UsageSerializer
    filterset_class = filtersets.UsageFilterSet
    ordering = ("-used_on", "-id")

    def get_queryset(self):
        return super().get_queryset().select_related("asset", "used_by")

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        asset = data.pop("asset")
        if not Asset.objects.restrict(self.request.user, "view").filter(pk=asset.pk).exists():
            raise RuleViolation(_("Unknown asset %(id)s.") % {"id": asset.pk}, code="invalid")
        serializer.instance = usage_services.record_usage(asset=asset, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        usage_services.delete_usage(usage=instance, actor=self.request.user)

    @extend_schema(responses=UtilisationRowSerializer(many=True),
                   parameters=[OpenApiParameter("semester", str, description="e.g. 2026S or 2026A"),
                               OpenApiParameter("min_price", float, description="valuable from (CNY)")],
                   summary="Utilisation per instrument in a semester (idle valuable ones included)")
    @action(detail=False, methods=["get"])
    def utilisation(self, request):
        if not has_perm_anywhere(request.user, InstrumentUsage, "view"):
            raise exceptions.PermissionDenied()
        key = request.query_params.get("semester") or usage_services.semester_choices()[0][0]
        start, end = usage_services.semester_bounds(key)
        try:
            min_price = Decimal(request.query_params.get("min_price") or usage_services.DEFAULT_MIN_PRICE)
        except (ArithmeticError, InvalidOperation, ValueError):
            raise RuleViolation(_("min_price must be a number."), code="invalid") from None
        if not min_price.is_finite() or min_price < 0:
            raise RuleViolation(_("min_price must be a number."), code="invalid")
        rows = usage_services.utilisation_queryset(Asset.objects.restrict(request.user, "view"), start=start,
                                                   end=end, min_price=min_price).order_by("-hours", "number")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(UtilisationRowSerializer(page, many=True).data)


ROUTES = [
    ("subledgers", SubLedgerViewSet, "assets-subledger"),
    ("handovers", HandoverViewSet, "assets-handover"),
    ("instrument-usage", InstrumentUsageViewSet, "assets-instrument-usage"),
]
