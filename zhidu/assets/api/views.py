"""REST API of the ledger under /api/assets/ (issue #3 §7).

Every queryset goes through `restrict(user, action)`: out of scope 404, visible but not
permitted 403. Writes call the services: a rule that refuses answers 400 (with per-field
errors for the category fields, keyed `attr_<key>`), a state conflict 409. The asset's
status and custodian cannot be written here (400, AST-09).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.response import Response

from zhidu.core.api.views import ScopedModelViewSet
from zhidu.core.errors import RuleViolation

from .. import services
from ..filtersets import (
    AssetCategoryFilterSet,
    AssetFilterSet,
    AssetModelFilterSet,
    LocationFilterSet,
    SupplierFilterSet,
)
from ..models import Asset, AssetCategory, AssetModel, Location, Supplier
from ..selectors import units_for
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Refused by a rule or invalid (detail, code, errors)."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Visible but not permitted."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found or out of scope."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="Not possible in the current state."),
}


@extend_schema_view(
    list=extend_schema(summary="Assets in the user's scope (filters as on the ledger page)"),
    retrieve=extend_schema(summary="An asset card", responses={200: s.AssetSerializer, 404: ERRORS[404]}),
    create=extend_schema(summary="Register an asset card (in stock)", request=s.AssetWriteSerializer,
                         responses={201: s.AssetSerializer, 400: ERRORS[400], 403: ERRORS[403]}),
    update=extend_schema(summary="Edit an asset card (not its status or custodian)", request=s.AssetWriteSerializer,
                         responses={200: s.AssetSerializer, **ERRORS}),
    partial_update=extend_schema(summary="Edit an asset card (not its status or custodian)",
                                 request=s.AssetWriteSerializer, responses={200: s.AssetSerializer, **ERRORS}),
    destroy=extend_schema(summary="Delete a card registered by mistake", responses={204: None, **ERRORS}),
)
class AssetViewSet(ScopedModelViewSet):
    queryset = Asset.objects.all()
    serializer_class = s.AssetSerializer
    filterset_class = AssetFilterSet
    ordering_fields = ("number", "name", "purchase_date", "purchase_price", "warranty_end", "status", "created")
    ordering = ("-id",)

    def get_queryset(self):
        return super().get_queryset().select_related("category", "model", "supplier", "department", "custodian",
                                                     "location")

    def _reject_custody_fields(self, request):
        if isinstance(request.data, dict) and {"status", "custodian"} & set(request.data):
            raise RuleViolation(_("The status and the custodian change only through issue, return or the "
                                  "custodian-change procedure (AST-09), not by editing the card."),
                                code="not_editable", article="AST-09")

    def _check_department(self, department, action):
        if department is not None and not units_for(self.request.user, action).filter(pk=department.pk).exists():
            raise exceptions.PermissionDenied(_("You may not keep assets in %(unit)s.") % {"unit": department})

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        self._reject_custody_fields(request)
        serializer = s.AssetWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        self._check_department(d["department"], "add")
        asset = services.create_asset(actor=request.user, **{f: d[f] for f in s.AssetWriteSerializer.FIELDS
                                                             if f in d})
        return Response(s.AssetSerializer(self.get_queryset().get(pk=asset.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        asset = self.get_object()
        self._reject_custody_fields(request)
        serializer = s.AssetWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        if "department" in d and d["department"].pk != asset.department_id:
            self._check_department(d["department"], "change")
        changes = {f: d[f] for f in s.AssetWriteSerializer.FIELDS if f in d}
        if not changes.get("number"):
            changes.pop("number", None)
        asset = services.update_asset(asset=asset, actor=request.user, **changes)
        return Response(s.AssetSerializer(self.get_queryset().get(pk=asset.pk)).data)

    def perform_destroy(self, instance):
        services.delete_asset(asset=instance, actor=self.request.user)


class CatalogueViewSet(ScopedModelViewSet):
    """Categories, models, suppliers, locations: saved through `save_fn` (validated, change-logged)."""

    save_fn = None
    instance_kwarg = ""
    ordering = ("id",)

    def perform_create(self, serializer):
        serializer.instance = type(self).save_fn(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = type(self).save_fn(actor=self.request.user, **{self.instance_kwarg: serializer.instance},
                                                 **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_catalogue_entry(obj=instance, actor=self.request.user)


class AssetCategoryViewSet(CatalogueViewSet):
    queryset = AssetCategory.objects.all()
    serializer_class = s.AssetCategorySerializer
    filterset_class = AssetCategoryFilterSet
    save_fn = staticmethod(services.save_category)
    instance_kwarg = "category"


class AssetModelViewSet(CatalogueViewSet):
    queryset = AssetModel.objects.select_related("category")
    serializer_class = s.AssetModelSerializer
    filterset_class = AssetModelFilterSet
    save_fn = staticmethod(services.save_model)
    instance_kwarg = "asset_model"


class SupplierViewSet(CatalogueViewSet):
    queryset = Supplier.objects.all()
    serializer_class = s.SupplierSerializer
    filterset_class = SupplierFilterSet
    save_fn = staticmethod(services.save_supplier)
    instance_kwarg = "supplier"


class LocationViewSet(CatalogueViewSet):
    queryset = Location.objects.all()
    serializer_class = s.LocationSerializer
    filterset_class = LocationFilterSet
    save_fn = staticmethod(services.save_location)
    instance_kwarg = "location"
