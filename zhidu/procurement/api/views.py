"""REST API of procurement under /api/procurement/ (issue #2 §4, §6).

Every queryset goes through `restrict(user, action)`: out of scope 404, visible but not
permitted 403. Writes call the services; a rule that refuses answers 400 with the reason and
the article, a state conflict 409 (zhidu.core.api.exceptions).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhidu.core.api.views import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from zhidu.core.errors import RuleViolation
from zhidu.org.selectors import require_person, visible_person

from .. import services
from ..filtersets import PurchaseRequestFilterSet, SelfPurchaseFilingFilterSet
from ..models import (
    Acceptance,
    AcceptanceLine,
    PurchaseLine,
    PurchaseRequest,
    SelfPurchaseFiling,
    StockIn,
    StockInLine,
)
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Refused by a rule (detail, code, article)."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Visible but not permitted."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found or out of scope."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="Not possible in the current status."),
}




def _lines(data) -> list[services.LineInput]:
    return [
        services.LineInput(id=row.get("id"), item=row["item"], category=row.get("category", "computer"),
                           specification=row.get("specification", ""), quantity=row["quantity"],
                           unit=row.get("unit", ""), unit_price=row["unit_price"])
        for row in data
    ]


REQUEST_FIELDS = ("kind", "title", "purpose", "software_needs", "configuration_standard", "deviates_from_standard",
                  "deviation_justification", "needed_by", "expected_contract_amount")

#: The scoping action each endpoint checks on the object (see workflows.TRANSITIONS).
OBJECT_ACTIONS = {
    "submit": "submit", "withdraw": "submit", "quotations": "process", "waiver": "process", "order": "process",
    "acceptance": "process", "stock_in": "process", "reimburse": "reimburse", "close": "process",
}


@extend_schema_view(
    list=extend_schema(summary="List purchase requests in the user's scope", responses=s.PurchaseRequestListSerializer),
    retrieve=extend_schema(summary="A purchase request with its lines and what followed approval",
                           responses={200: s.PurchaseRequestFullSerializer, 404: ERRORS[404]}),
    create=extend_schema(summary="Create a draft request (the user is the requester)",
                         request=s.PurchaseRequestSerializer,
                         responses={201: s.PurchaseRequestFullSerializer, 400: ERRORS[400], 403: ERRORS[403]}),
    update=extend_schema(summary="Replace a draft or returned request (lines replaced)",
                         responses={200: s.PurchaseRequestFullSerializer, **ERRORS}),
    partial_update=extend_schema(summary="Change a draft or returned request (lines replaced when given)",
                                 responses={200: s.PurchaseRequestFullSerializer, **ERRORS}),
    destroy=extend_schema(summary="Delete a never-submitted draft", responses={204: None, **ERRORS}),
)
class PurchaseRequestViewSet(ScopedModelViewSet):
    """《信息化配置申请》 / 《信息化配置需求计划》 (PRC-01, PRC-04, PRC-05) and their workflow actions."""

    queryset = PurchaseRequest.objects.all()
    filterset_class = PurchaseRequestFilterSet
    ordering_fields = ("number", "created", "submitted_at", "total_amount", "status", "needed_by")
    ordering = ("-id",)

    def get_queryset(self):
        qs = super().get_queryset().select_related("requester", "department")
        if self.action == "list":
            return qs
        return qs.select_related("order", "reimbursement", "quotation_waiver").prefetch_related(
            Prefetch("lines", queryset=PurchaseLine.objects.order_by("position", "id")),
            "quotations",
            Prefetch("acceptances", queryset=Acceptance.objects.prefetch_related(
                Prefetch("lines", queryset=AcceptanceLine.objects.all()))),
            Prefetch("stock_ins", queryset=StockIn.objects.prefetch_related(
                Prefetch("lines", queryset=StockInLine.objects.select_related("line")))),
        )

    def get_serializer_class(self):
        if self.action == "list":
            return s.PurchaseRequestListSerializer
        if self.action in ("create", "update", "partial_update"):
            return s.PurchaseRequestSerializer
        return s.PurchaseRequestFullSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.object_action = OBJECT_ACTIONS.get(self.action)

    def _full(self, obj, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(s.PurchaseRequestFullSerializer(fresh, context=self.get_serializer_context()).data,
                        status=code)

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = s.PurchaseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            obj = services.create_request(requester=require_person(request.user), actor=request.user,
                                          lines=_lines(data["lines"]),
                                          **{f: data[f] for f in REQUEST_FIELDS if f in data})
        return self._full(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self.get_object()
        serializer = s.PurchaseRequestSerializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {f: data[f] if f in data else getattr(obj, f) for f in REQUEST_FIELDS}
        if "lines" in data:
            lines = _lines(data["lines"])
        else:
            lines = [services.LineInput(id=pl.pk, item=pl.item, category=pl.category, specification=pl.specification,
                                        quantity=pl.quantity, unit=pl.unit, unit_price=pl.unit_price)
                     for pl in obj.lines.all()]
        services.update_request(request=obj, actor=request.user, lines=lines, **fields)
        return self._full(obj)

    def perform_destroy(self, instance):
        services.delete_draft(request=instance, actor=self.request.user)

    # -- workflow actions --------------------------------------------------------------
    @extend_schema(summary="Submit for approval (PRC-04: refused when mandatory content is missing)", request=None,
                   responses={200: s.PurchaseRequestFullSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        obj = self.get_object()
        services.submit_request(request=obj, actor=request.user)
        return self._full(obj)

    @extend_schema(summary="Withdraw (a draft, a returned request, or one in approval)", request=s.ReasonSerializer,
                   responses={200: s.PurchaseRequestFullSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        obj = self.get_object()
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.withdraw_request(request=obj, actor=request.user, reason=serializer.validated_data["reason"])
        return self._full(obj)

    @extend_schema(summary="Add a supplier quotation (货比三家, PRC-11)", request=s.SupplierQuotationSerializer,
                   responses={201: s.SupplierQuotationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def quotations(self, request, pk=None):
        obj = self.get_object()
        serializer = s.SupplierQuotationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        quotation = services.add_quotation(request=obj, actor=request.user, supplier_name=d["supplier_name"],
                                           contact=d.get("contact", ""), amount=d["amount"], quoted_on=d["quoted_on"],
                                           notes=d.get("notes", ""))
        return Response(s.SupplierQuotationSerializer(quotation).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record a waiver of the quotation minimum, with its reason (PRC-11)",
                   request=s.QuotationWaiverSerializer, responses={201: s.QuotationWaiverSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def waiver(self, request, pk=None):
        obj = self.get_object()
        serializer = s.QuotationWaiverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        waiver = services.waive_quotations(request=obj, actor=request.user,
                                           reason=serializer.validated_data["reason"])
        return Response(s.QuotationWaiverSerializer(waiver).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Create the order / contract (needs ≥ N quotations or a waiver; ≤ approved amount)",
                   request=s.PurchaseOrderSerializer, responses={201: s.PurchaseOrderSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        obj = self.get_object()
        serializer = s.PurchaseOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        quotation = None
        if d.get("quotation_id"):
            quotation = obj.quotations.filter(pk=d["quotation_id"]).first()
            if quotation is None:
                raise RuleViolation(_("The chosen quotation belongs to another request."), code="invalid")
        order = services.create_order(request=obj, actor=request.user, supplier_name=d.get("supplier_name", ""),
                                      contract_no=d["contract_no"], amount=d["amount"], signed_on=d["signed_on"],
                                      quotation=quotation, notes=d.get("notes", ""))
        return Response(s.PurchaseOrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record an acceptance of delivered goods, per line (PRC-12)",
                   request=s.AcceptanceSerializer, responses={201: s.AcceptanceSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def acceptance(self, request, pk=None):
        obj = self.get_object()
        serializer = s.AcceptanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        results = [services.AcceptanceInput(line_id=row["line_id"], accepted_quantity=row.get("accepted_quantity", 0),
                                            rejected_quantity=row.get("rejected_quantity", 0),
                                            rejected_action=row.get("rejected_action", ""),
                                            notes=row.get("notes", "")) for row in d["lines"]]
        acceptance = services.record_acceptance(
            request=obj, actor=request.user, accepted_by=visible_person(request.user, d["accepted_by_id"]),
            accepted_at=d.get("accepted_at"), notes=d.get("notes", ""), results=results)
        acceptance = Acceptance.objects.prefetch_related("lines").get(pk=acceptance.pk)
        return Response(s.AcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Stock in every accepted, not yet stocked item (入库单, PRC-13/PRC-17)",
                   request=s.StockInSerializer, responses={201: s.StockInSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="stock-in")
    def stock_in(self, request, pk=None):
        obj = self.get_object()
        serializer = s.StockInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        stock_in = services.create_stock_in(
            request=obj, actor=request.user, received_by=visible_person(request.user, d["received_by_id"]),
            location=d["location"], received_at=d.get("received_at"), notes=d.get("notes", ""))
        stock_in = StockIn.objects.prefetch_related(Prefetch("lines", queryset=StockInLine.objects.select_related(
            "line"))).get(pk=stock_in.pk)
        return Response(s.StockInSerializer(stock_in).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record reimbursement (refused before stock-in: PRC-13, 篇6 第三条(24))",
                   request=s.ReimbursementSerializer, responses={201: s.ReimbursementSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reimburse(self, request, pk=None):
        obj = self.get_object()
        serializer = s.ReimbursementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        reimbursement = services.record_reimbursement(request=obj, actor=request.user, amount=d["amount"],
                                                      invoice_no=d["invoice_no"], reimbursed_on=d["reimbursed_on"],
                                                      notes=d.get("notes", ""))
        return Response(s.ReimbursementSerializer(reimbursement).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Close a reimbursed purchase", request=None,
                   responses={200: s.PurchaseRequestFullSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        obj = self.get_object()
        services.close_request(request=obj, actor=request.user)
        return self._full(obj)


@extend_schema_view(
    list=extend_schema(summary="Stock-ins (入库单) in the user's scope"),
    retrieve=extend_schema(summary="A stock-in with its lines", responses={200: s.StockInSerializer,
                                                                           404: ERRORS[404]}),
)
class StockInViewSet(ScopedReadOnlyViewSet):
    """Warehouse receipts; the assets app reads them to create asset cards (issue #3)."""

    queryset = StockIn.objects.all()
    serializer_class = s.StockInSerializer
    ordering = ("-id",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            Prefetch("lines", queryset=StockInLine.objects.select_related("line")))


@extend_schema_view(
    list=extend_schema(summary="Self-purchase filings (PRC-02); ?status=unfiled lists those awaiting filing"),
    retrieve=extend_schema(summary="A self-purchase filing", responses={200: s.SelfPurchaseFilingSerializer,
                                                                         404: ERRORS[404]}),
    create=extend_schema(summary="Register a self-purchase for filing (PRC-07: all details mandatory)",
                         responses={201: s.SelfPurchaseFilingSerializer, 400: ERRORS[400], 403: ERRORS[403]}),
    partial_update=extend_schema(summary="Correct an unfiled self-purchase",
                                 responses={200: s.SelfPurchaseFilingSerializer, **ERRORS}),
    update=extend_schema(summary="Correct an unfiled self-purchase",
                         responses={200: s.SelfPurchaseFilingSerializer, **ERRORS}),
)
class SelfPurchaseFilingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    queryset = SelfPurchaseFiling.objects.all()
    serializer_class = s.SelfPurchaseFilingSerializer
    filterset_class = SelfPurchaseFilingFilterSet
    ordering_fields = ("number", "purchase_date", "created", "status")
    ordering = ("-id",)

    FIELDS = ("item", "category", "model_name", "performance", "manufacturer", "supplier", "purchase_date",
              "software_info", "quantity", "amount")

    def get_queryset(self):
        return super().get_queryset().select_related("department", "registered_by")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.object_action = "file" if self.action == "file" else None

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        filing = services.register_self_purchase(actor=request.user, registered_by=require_person(request.user),
                                                 **{f: d.get(f) for f in self.FIELDS})
        return Response(self.get_serializer(filing).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        filing = self.get_object()
        serializer = self.get_serializer(filing, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        filing = services.update_self_purchase(filing=filing, actor=request.user,
                                               **{f: d[f] if f in d else getattr(filing, f) for f in self.FIELDS})
        return Response(self.get_serializer(self.get_queryset().get(pk=filing.pk)).data)

    @extend_schema(summary="File the self-purchase (IT authority, 备案)", request=s.FileFilingSerializer,
                   responses={200: s.SelfPurchaseFilingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        filing = self.get_object()
        serializer = s.FileFilingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.file_self_purchase(filing=filing, actor=request.user, note=serializer.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=filing.pk)).data)
