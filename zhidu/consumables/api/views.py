"""REST API of consumables under /api/consumables/ (CON-01…09, VAR-02).

Every queryset goes through `restrict(user, action)`: out of scope 404, visible but not
permitted 403. Ledger actions are the consumables keeper's (CON-08): others get 403 with the
article. Rules refuse with 400, state conflicts (e.g. not enough stock) with 409.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhidu.core.api.views import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import has_perm_anywhere

from .. import selectors, services
from ..filtersets import ConsumableItemFilterSet, MovementFilterSet, PurchasePlanFilterSet, QuotaFilterSet
from ..models import ConsumableItem, Movement, Need, PurchasePlan, Quota, StockBalance
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Refused by a rule (detail, code, article)."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Not permitted (e.g. not the consumables keeper)."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found or out of scope."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="Not possible now (e.g. not enough stock)."),
}
MOVEMENT_ACTION = extend_schema(request=s.MovementInputSerializer,
                                responses={201: s.MovementSerializer, **ERRORS})
REPORT = extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 403: ERRORS[403]})


def _keeper(request):
    if not has_perm_anywhere(request.user, Movement, "issue"):
        raise exceptions.PermissionDenied(
            _("Only the consumables keeper (耗材管理员) may issue consumables and keep the ledger "
              "(专人负责耗材管理, 篇14 第十九条)."))


def _location(pk):
    from zhidu.assets.models import Location

    found = Location.objects.filter(pk=pk).first() if pk else None
    if found is None:
        raise RuleViolation(_("Unknown location %(id)s.") % {"id": pk}, code="invalid")
    return found


def _visible(model, request, pk, label):
    if not pk:
        return None
    found = model.objects.restrict(request.user, "view").filter(pk=pk).first()
    if found is None:
        raise RuleViolation(_("Unknown %(what)s %(id)s.") % {"what": label, "id": pk}, code="invalid")
    return found


def _may_act(user, perm, unit):
    from zhidu.org.selectors import can_act_in_unit

    if not can_act_in_unit(user, perm, unit):
        raise exceptions.PermissionDenied(_("You may not do this for %(unit)s.") % {"unit": unit})


class ConsumableItemViewSet(ScopedModelViewSet):
    queryset = ConsumableItem.objects.prefetch_related("fits").order_by("category", "code")
    serializer_class = s.ConsumableItemSerializer
    filterset_class = ConsumableItemFilterSet

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        fits = data.pop("fits", None)
        serializer.instance = services.save_item(actor=self.request.user, fits=fits, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        fits = data.pop("fits", None)
        serializer.instance = services.save_item(actor=self.request.user, item=serializer.instance, fits=fits, **data)

    def perform_destroy(self, instance):
        services.require_keeper(self.request.user)
        if instance.movements.exists():
            from zhidu.core.errors import Conflict

            raise Conflict(_("A consumable with ledger entries cannot be deleted; deactivate it instead."),
                           code="has_movements")
        instance.delete()


class StockBalanceViewSet(ScopedReadOnlyViewSet):
    queryset = StockBalance.objects.select_related("item", "location").order_by("item__code", "location__code")
    serializer_class = s.StockBalanceSerializer

    @REPORT
    @action(detail=False, methods=["get"])
    def verify(self, request):
        """Recompute every balance from the movements; `mismatches` lists the disagreements."""
        if not has_perm_anywhere(request.user, StockBalance, "view"):
            raise exceptions.PermissionDenied()
        problems = selectors.verify_balances()
        return Response({"ok": not problems, "mismatches": problems})

    @extend_schema(request=None, responses={200: s.LowStockSerializer(many=True), 403: ERRORS[403]})
    @action(detail=False, methods=["get"], url_path="low", pagination_class=None)
    def low(self, request):
        if not has_perm_anywhere(request.user, StockBalance, "view"):
            raise exceptions.PermissionDenied()
        return Response([{"id": i.pk, "code": i.code, "name": i.name, "stock": i.stock_total,
                          "reorder_level": i.reorder_level} for i in selectors.low_stock()])


class MovementViewSet(ScopedReadOnlyViewSet):
    """The ledger (read-only) and its actions: receipt, issue, return, recycle, adjust, transfer."""

    queryset = Movement.objects.select_related("item", "location", "department", "person")
    serializer_class = s.MovementSerializer
    filterset_class = MovementFilterSet

    def _input(self, request):
        serializer = s.MovementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        from zhidu.org.models import OrgUnit, Person

        data["location"] = _location(data["location"])
        data["department"] = _visible(OrgUnit, request, data.get("department"), _("department"))
        data["person"] = _visible(Person, request, data.get("person"), _("person"))
        return data

    def _answer(self, movement, code=status.HTTP_201_CREATED):
        return Response(s.MovementSerializer(movement).data, status=code)

    def get_serializer_class(self):
        if self.action in ("receipt", "issue", "return_", "recycle", "adjust", "transfer"):
            return s.MovementInputSerializer
        return super().get_serializer_class()

    @MOVEMENT_ACTION
    @action(detail=False, methods=["post"])
    def receipt(self, request):
        if not has_perm_anywhere(request.user, Movement, "add"):
            raise exceptions.PermissionDenied()
        d = self._input(request)
        return self._answer(services.receive(item=d["item"], location=d["location"], quantity=d["quantity"],
                                             actor=request.user, unit_price=d.get("unit_price"), note=d["note"]))

    @MOVEMENT_ACTION
    @action(detail=False, methods=["post"])
    def issue(self, request):
        _keeper(request)
        d = self._input(request)
        return self._answer(services.issue(item=d["item"], location=d["location"], quantity=d["quantity"],
                                           department=d["department"], person=d["person"], actor=request.user,
                                           note=d["note"]))

    @MOVEMENT_ACTION
    @action(detail=False, methods=["post"], url_path="return")
    def return_(self, request):
        _keeper(request)
        d = self._input(request)
        return self._answer(services.return_to_stock(item=d["item"], location=d["location"], quantity=d["quantity"],
                                                     department=d["department"], person=d["person"],
                                                     actor=request.user, note=d["note"]))

    @MOVEMENT_ACTION
    @action(detail=False, methods=["post"])
    def recycle(self, request):
        _keeper(request)
        d = self._input(request)
        return self._answer(services.recycle(item=d["item"], location=d["location"], quantity=d["quantity"],
                                             department=d["department"], person=d["person"],
                                             condition=d["condition"], actor=request.user, note=d["note"]))

    @MOVEMENT_ACTION
    @action(detail=False, methods=["post"])
    def adjust(self, request):
        _keeper(request)
        d = self._input(request)
        return self._answer(services.adjust(item=d["item"], location=d["location"], quantity=d["quantity"],
                                            reason=d["note"], actor=request.user))

    @extend_schema(request=s.MovementInputSerializer, responses={201: s.MovementSerializer(many=True), **ERRORS})
    @action(detail=False, methods=["post"])
    def transfer(self, request):
        _keeper(request)
        d = self._input(request)
        out, into = services.transfer(item=d["item"], source=d["location"], target=_location(d.get("target")),
                                      quantity=d["quantity"], actor=request.user, note=d["note"])
        return Response([s.MovementSerializer(out).data, s.MovementSerializer(into).data],
                        status=status.HTTP_201_CREATED)

    @REPORT
    @action(detail=False, methods=["get"], url_path="usage")
    def usage(self, request):
        """CON-06: usage by department × category for ?period_kind=month|quarter&period=YYYY-MM-DD."""
        from ..views import _period_from

        kind, start = _period_from(request, "month")
        rows = selectors.usage_by_department_category(start=start, end=selectors.period_end(kind, start),
                                                      movements=self.get_queryset())
        return Response({"period_kind": kind, "period_start": start, "rows": rows})


class QuotaViewSet(ScopedModelViewSet):
    queryset = Quota.objects.select_related("department", "item")
    serializer_class = s.QuotaSerializer
    filterset_class = QuotaFilterSet

    def _save(self, serializer):
        d = serializer.validated_data
        department = d.get("department", getattr(serializer.instance, "department", None))
        if department is None:
            raise RuleViolation(_("The department is required."), code="required")
        _may_act(self.request.user, "consumables.add_quota", department)
        serializer.instance = services.set_quota(
            department=department, item=d.get("item", getattr(serializer.instance, "item", None)),
            category=d.get("category", getattr(serializer.instance, "category", "")) or "",
            period_kind=d.get("period_kind", getattr(serializer.instance, "period_kind", None)),
            period_start=d.get("period_start", getattr(serializer.instance, "period_start", None)),
            quantity=d.get("quantity", getattr(serializer.instance, "quantity", 0)), note=d.get("note", ""),
            actor=self.request.user)

    def perform_create(self, serializer):
        _keeper(self.request)
        self._save(serializer)

    def perform_update(self, serializer):
        _keeper(self.request)
        self._save(serializer)

    def perform_destroy(self, instance):
        services.delete_quota(quota=instance, actor=self.request.user)

    @REPORT
    @action(detail=False, methods=["get"])
    def review(self, request):
        """CON-07: use against quota per department for ?period_kind=&period=."""
        from ..views import _period_from

        kind, start = _period_from(request)
        rows = selectors.quota_review(period_kind=kind, start=start, quotas=self.get_queryset())
        return Response({"period_kind": kind, "period_start": start, "rows": [
            {"quota": r["quota"].pk, "department": r["department"], "what": r["what"], "quota_quantity":
             r["quota_quantity"], "used": r["used"], "remaining": r["remaining"], "over": r["over"],
             "rate": r["rate"]} for r in rows]})


class NeedViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    queryset = Need.objects.select_related("department", "item")
    serializer_class = s.NeedSerializer

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        d = serializer.validated_data
        _may_act(self.request.user, "consumables.add_need", d["department"])
        serializer.instance = services.add_need(department=d["department"], item=d["item"],
                                                period_kind=d["period_kind"], period_start=d["period_start"],
                                                quantity=d["quantity"], actor=self.request.user,
                                                note=d.get("note", ""))


class PurchasePlanViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Plans: POST / drafts one (sized from averages, requests and stock), PATCH /{id}/ sets line
    quantities, POST /{id}/submit/ sends it for approval."""

    queryset = PurchasePlan.objects.select_related("prepared_by", "purchase_request").prefetch_related("lines__item")
    serializer_class = s.PurchasePlanSerializer
    filterset_class = PurchasePlanFilterSet

    def get_serializer_class(self):
        if self.action == "create":
            return s.PlanDraftSerializer
        if self.action == "partial_update":
            return s.PlanUpdateSerializer
        return super().get_serializer_class()

    @extend_schema(request=s.PlanDraftSerializer, responses={201: s.PurchasePlanSerializer, **ERRORS})
    def create(self, request):
        _keeper(request)
        serializer = s.PlanDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.draft_plan(actor=request.user, variant=serializer.validated_data.get("variant"),
                                   period_start=serializer.validated_data.get("period_start"))
        return Response(s.PurchasePlanSerializer(self.get_queryset().get(pk=plan.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanUpdateSerializer, responses={200: s.PurchasePlanSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        _keeper(request)
        serializer = s.PlanUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.update_plan(plan=plan, actor=request.user, quantities=serializer.validated_data["quantities"],
                             notes=serializer.validated_data.get("notes"))
        return Response(s.PurchasePlanSerializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(request=None, responses={200: s.PurchasePlanSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = self.get_object()
        _keeper(request)
        services.submit_plan(plan=plan, actor=request.user)
        return Response(s.PurchasePlanSerializer(self.get_queryset().get(pk=plan.pk)).data)
