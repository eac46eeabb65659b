"""API representations of the ledger. Writes go through the services; serializers only validate shape.

The asset's `status` and `custodian` are read-only here: they change through the custody,
stock-take and disposal endpoints (AST-09).
"""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from zhidu.org.models import OrgUnit

from ..choices import AssetStatus
from ..models import Asset, AssetCategory, AssetModel, Location, Supplier
from ..services import CARD_FIELDS


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AssetSerializer(serializers.ModelSerializer):
    """The asset card as read."""

    category = RefSerializer(read_only=True)
    model = RefSerializer(read_only=True, allow_null=True)
    supplier = RefSerializer(read_only=True, allow_null=True)
    department = RefSerializer(read_only=True)
    custodian = RefSerializer(read_only=True, allow_null=True)
    location = RefSerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=AssetStatus.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Asset
        fields = ("id", "number", "name", "category", "model", "serial_number", "configuration", "attributes",
                  "supplier", "purchase_date", "purchase_price", "warranty_end", "status", "status_display",
                  "department", "custodian", "location", "is_public", "is_classified", "fixed_asset_number",
                  "capitalised_on", "label_number", "label_printed_at", "stock_in_line", "bundled_materials", "notes",
                  "created", "updated")
        read_only_fields = fields


class AssetWriteSerializer(serializers.Serializer):
    """Create / update a card (CARD_FIELDS and the number); no status or custodian."""

    number = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                   help_text="Empty: the next ZC-YYYY-NNNNNN.")
    name = serializers.CharField(max_length=200)
    category = serializers.PrimaryKeyRelatedField(queryset=AssetCategory.objects.filter(is_active=True))
    model = serializers.PrimaryKeyRelatedField(queryset=AssetModel.objects.all(), required=False, allow_null=True)
    serial_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    configuration = serializers.CharField(required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), required=False, allow_null=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    purchase_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"),
                                              required=False, allow_null=True)
    warranty_end = serializers.DateField(required=False, allow_null=True)
    department = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.filter(is_active=True))
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False, allow_null=True)
    is_public = serializers.BooleanField(required=False, default=False)
    is_classified = serializers.BooleanField(required=False, default=False)
    bundled_materials = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    FIELDS = ("number", *CARD_FIELDS)


class AssetCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = AssetCategory
        fields = ("id", "code", "name", "kind", "field_schema", "depreciation_years", "residual_rate",
                  "is_fixed_asset", "is_active")


class AssetModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssetModel
        fields = ("id", "category", "manufacturer", "name", "specification", "accessories", "is_active")


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = ("id", "name", "contact", "phone", "address", "notes", "is_active")


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ("id", "code", "name", "parent", "unit", "is_public_area", "is_warehouse", "is_active")
