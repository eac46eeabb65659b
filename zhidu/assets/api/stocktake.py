"""REST API of stock-takes and patrol inspections under /api/assets/ (AST-16, AST-17, SCH-06, AUD-01).

    /api/assets/stocktakes/                 list, create (draft plan), retrieve, update (draft), delete (draft)
    /api/assets/stocktakes/{id}/start/      POST: snapshot the expected assets, start counting
    /api/assets/stocktakes/{id}/scan/       POST {"payload", "location", "seal_number", "note"}: one scan
    /api/assets/stocktakes/{id}/finish/     POST: end counting (differences get proposed adjustments)
    /api/assets/stocktakes/{id}/results/    GET: found / missing / misplaced / unknown with counts
    /api/assets/stocktakes/{id}/propose/    POST   /submit/ POST (review)   /close/ POST
    /api/assets/stocktakes/due/             GET: departments/locations due after reallocations (AST-17)
    /api/assets/stocktake-adjustments/      list, retrieve, PATCH (a proposed one)
    /api/assets/inspections/                list, create, retrieve; {id}/findings/ POST; {id}/complete/ POST
    /api/assets/inspections/overdue/        GET: locations overdue for a patrol

Scope: `restrict(user, action)` everywhere; rules refuse with 400, state conflicts 409.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhidu.core.api.views import ScopedModelViewSet, ScopedViewSetMixin
from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import has_perm_anywhere
from zhidu.org.models import OrgUnit, Person

from .. import forms_stocktake as forms
from ..models import (
    Asset,
    AssetCategory,
    InspectionFinding,
    InspectionRound,
    Location,
    StocktakeAdjustment,
    StocktakeLine,
    StocktakePlan,
)
from ..models.stocktake import AdjustmentKind, FindingResult, StocktakeStatus
from ..services import stocktake as services

# --------------------------------------------------------------------------- serializers


class StocktakePlanSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), allow_null=True, required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False)
    category = serializers.PrimaryKeyRelatedField(queryset=AssetCategory.objects.all(), allow_null=True,
                                                  required=False)
    leader = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StocktakePlan
        fields = ("id", "number", "title", "kind", "location", "department", "category", "planned_on", "leader",
                  "notes", "status", "status_display", "expected_count", "started_at", "counted_at", "closed_at",
                  "created", "updated")
        read_only_fields = ("number", "status", "expected_count", "started_at", "counted_at", "closed_at",
                            "created", "updated")


class StocktakeLineSerializer(serializers.ModelSerializer):
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    asset_name = serializers.CharField(source="asset.name", read_only=True, default="")

    class Meta:
        model = StocktakeLine
        fields = ("id", "plan", "asset", "asset_number", "asset_name", "payload", "result", "result_display",
                  "expected_location", "found_location", "seal_number", "configuration_complete", "note",
                  "counted_by", "counted_at")
        read_only_fields = fields


class StocktakeScanSerializer(serializers.Serializer):
    payload = serializers.CharField(max_length=500, help_text="The decoded QR text or the typed asset number.")
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), allow_null=True, required=False)
    seal_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    configuration_complete = serializers.BooleanField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class StocktakeScanResultSerializer(StocktakeLineSerializer):
    created = serializers.BooleanField(read_only=True)

    class Meta(StocktakeLineSerializer.Meta):
        fields = (*StocktakeLineSerializer.Meta.fields, "created")
        read_only_fields = fields


class StocktakeExpectedRowSerializer(serializers.Serializer):
    asset = serializers.IntegerField(source="asset_id")
    asset_number = serializers.CharField(source="asset.number")
    asset_name = serializers.CharField(source="asset.name")
    location = serializers.IntegerField(source="location_id", allow_null=True)
    custodian = serializers.IntegerField(source="custodian_id", allow_null=True)


class StocktakeResultsSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    found = StocktakeLineSerializer(many=True)
    missing = StocktakeExpectedRowSerializer(many=True)
    misplaced = StocktakeLineSerializer(many=True)
    unknown = StocktakeLineSerializer(many=True)


class StocktakeAdjustmentSerializer(serializers.ModelSerializer):
    to_location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), allow_null=True,
                                                     required=False)
    to_department = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True,
                                                       required=False)
    category = serializers.PrimaryKeyRelatedField(queryset=AssetCategory.objects.all(), allow_null=True,
                                                  required=False)
    kind = serializers.ChoiceField(choices=AdjustmentKind.choices)

    class Meta:
        model = StocktakeAdjustment
        fields = ("id", "plan", "difference", "asset", "line", "asset_number", "kind", "status", "to_location",
                  "to_department", "category", "name", "note", "applied_at", "created_asset")
        read_only_fields = ("plan", "difference", "asset", "line", "asset_number", "status", "applied_at",
                            "created_asset")


class InspectionFindingSerializer(serializers.ModelSerializer):
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), allow_null=True, required=False)
    result = serializers.ChoiceField(choices=FindingResult.choices, default=FindingResult.OK)

    class Meta:
        model = InspectionFinding
        fields = ("id", "asset", "result", "description", "follow_up")


class InspectionRoundSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False)
    inspector = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    findings = InspectionFindingSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionRound
        fields = ("id", "number", "location", "department", "inspector", "inspected_on", "status", "summary",
                  "completed_at", "findings")
        read_only_fields = ("number", "status", "completed_at", "findings")


class InspectionOverdueSerializer(serializers.Serializer):
    location = serializers.IntegerField(source="location.pk")
    location_name = serializers.CharField(source="location.name")
    last = serializers.DateField(allow_null=True)
    due = serializers.DateField(allow_null=True)
    days_overdue = serializers.IntegerField(allow_null=True)


# --------------------------------------------------------------------------- viewsets

PLAN_FIELDS = ("title", "kind", "location", "department", "category", "planned_on", "leader", "notes")
OBJECT_ACTIONS = {"start": "reconcile", "finish": "reconcile", "propose": "reconcile", "submit": "reconcile",
                  "close": "reconcile", "scan": "count", "results": "view"}


def _check_visible_unit(request, unit):
    if unit is not None and not OrgUnit.objects.restrict(request.user, "view").filter(pk=unit.pk).exists():
        raise RuleViolation(_("Unknown department %(id)s.") % {"id": unit.pk}, code="invalid")


class StocktakePlanViewSet(ScopedModelViewSet):
    """Stock-take plans (清查/盘点) and their workflow actions."""

    queryset = StocktakePlan.objects.all()
    serializer_class = StocktakePlanSerializer
    filterset_class = forms.StocktakePlanFilterSet
    ordering_fields = ("number", "planned_on", "status", "closed_at")
    ordering = ("-id",)

    def get_queryset(self):
        return super().get_queryset().select_related("location", "department", "category", "leader")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.object_action = OBJECT_ACTIONS.get(self.action)

    def perform_create(self, serializer):
        data = {k: serializer.validated_data.get(k) for k in PLAN_FIELDS}
        _check_visible_unit(self.request, data["department"])
        data["title"] = data["title"] or ""
        data["kind"] = data["kind"] or "periodic"
        data["notes"] = data["notes"] or ""
        serializer.instance = services.create_plan(actor=self.request.user, **data)

    def perform_update(self, serializer):
        plan = serializer.instance
        data = {k: serializer.validated_data.get(k, getattr(plan, k)) for k in PLAN_FIELDS}
        _check_visible_unit(self.request, data["department"])
        serializer.instance = services.update_plan(plan=plan, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        services.delete_plan(plan=instance, actor=self.request.user)

    def _step(self, service):
        plan = self.get_object()
        with transaction.atomic():
            getattr(services, service)(plan=plan, actor=self.request.user)
        plan.refresh_from_db()
        return Response(StocktakePlanSerializer(plan).data)

    @extend_schema(request=None, responses=StocktakePlanSerializer, summary="Start counting (snapshot)")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step("start_counting")

    @extend_schema(request=None, responses=StocktakePlanSerializer, summary="Finish counting")
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        return self._step("finish_counting")

    @extend_schema(request=None, responses=StocktakePlanSerializer, summary="Propose adjustments for differences")
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._step("propose_adjustments")

    @extend_schema(request=None, responses=StocktakePlanSerializer,
                   summary="Submit the proposed adjustments for review by the IT authority head")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step("submit_adjustments")

    @extend_schema(request=None, responses=StocktakePlanSerializer, summary="Close (all differences applied)")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step("close_plan")

    @extend_schema(request=StocktakeScanSerializer,
                   responses={201: StocktakeScanResultSerializer, 200: StocktakeScanResultSerializer},
                   summary="Record one scanned label or typed asset number (duplicates answer 200)")
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        plan = self.get_object()
        serializer = StocktakeScanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line, created = services.record_scan(plan=plan, payload=data["payload"], actor=request.user,
                                             location=data.get("location"), seal_number=data.get("seal_number", ""),
                                             configuration_complete=data.get("configuration_complete"),
                                             note=data.get("note", ""))
        line.created = created
        return Response(StocktakeScanResultSerializer(line).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses=StocktakeResultsSerializer, summary="found / missing / misplaced / unknown with counts")
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        plan = self.get_object()
        results = services.plan_results(plan)
        return Response(StocktakeResultsSerializer({"counts": results.counts(), "found": results.found,
                                           "missing": results.missing, "misplaced": results.misplaced,
                                           "unknown": results.unknown}).data)

    @extend_schema(responses=OpenApiTypes.OBJECT,
                   summary="Departments and locations with reallocations since their last closed stock-take")
    @action(detail=False, methods=["get"])
    def due(self, request):
        if not has_perm_anywhere(request.user, StocktakePlan, "add"):
            raise exceptions.PermissionDenied()
        due = services.stocktake_due()
        return Response({
            "departments": [{"department": r["unit"].pk, "name": r["unit"].name, "reallocations": r["count"],
                             "last_closed": r["last"]} for r in due["departments"]],
            "locations": [{"location": r["location"].pk, "name": r["location"].name, "reallocations": r["count"],
                           "last_closed": r["last"]} for r in due["locations"]],
        })


class StocktakeAdjustmentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                 mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Adjustments proposed for the differences of a stock-take; PATCH changes a proposed one."""

    queryset = StocktakeAdjustment.objects.all()
    serializer_class = StocktakeAdjustmentSerializer
    filterset_fields = ("plan", "status", "difference")
    ordering = ("plan_id", "id")
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("plan")

    def perform_update(self, serializer):
        adjustment = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.update_adjustment(
            adjustment=adjustment, actor=self.request.user, kind=data.get("kind", adjustment.kind),
            note=data.get("note", adjustment.note), to_location=data.get("to_location", adjustment.to_location),
            to_department=data.get("to_department", adjustment.to_department),
            category=data.get("category", adjustment.category), name=data.get("name", adjustment.name))


class InspectionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Patrol inspection rounds (巡检, AUD-01) with their findings."""

    queryset = InspectionRound.objects.all()
    serializer_class = InspectionRoundSerializer
    filterset_class = forms.InspectionFilterSet
    ordering = ("-inspected_on", "-id")

    def get_queryset(self):
        return super().get_queryset().select_related("location", "department", "inspector").prefetch_related(
            "findings")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action in ("findings", "complete"):
            self.object_action = "change"

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _check_visible_unit(request, data.get("department"))
        round_ = services.create_inspection(actor=request.user, location=data["location"],
                                            inspected_on=data["inspected_on"], inspector=data.get("inspector"),
                                            department=data.get("department"), summary=data.get("summary", ""))
        return Response(InspectionRoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InspectionFindingSerializer, responses={201: InspectionFindingSerializer},
                   summary="Record a finding")
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        round_ = self.get_object()
        serializer = InspectionFindingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        finding = services.record_finding(round=round_, actor=request.user, asset=data.get("asset"),
                                          result=data.get("result", FindingResult.OK),
                                          description=data.get("description", ""),
                                          follow_up=data.get("follow_up", ""))
        return Response(InspectionFindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InspectionRoundSerializer, summary="Complete the round")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        round_ = self.get_object()
        summary = request.data.get("summary") if hasattr(request.data, "get") else None
        round_ = services.complete_inspection(round=round_, actor=request.user,
                                              summary=str(summary) if summary is not None else None)
        return Response(InspectionRoundSerializer(round_).data)

    @extend_schema(responses=InspectionOverdueSerializer(many=True),
                   summary="Locations overdue for a patrol inspection")
    @action(detail=False, methods=["get"], pagination_class=None)
    def overdue(self, request):
        if not has_perm_anywhere(request.user, InspectionRound, "view"):
            raise exceptions.PermissionDenied()
        return Response(InspectionOverdueSerializer(services.inspection_overdue_locations(), many=True).data)


__all__ = ["InspectionViewSet", "StocktakeAdjustmentViewSet", "StocktakePlanViewSet", "StocktakeStatus"]
