"""API representations of consumables. Writes go through the services; serializers validate shape."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ..choices import ConsumableCategory, PeriodKind, PlanVariant, RecycleCondition
from ..models import ConsumableItem, Movement, Need, PlanLine, PurchasePlan, Quota, StockBalance


class ConsumablesRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ConsumableItemSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=ConsumableCategory.choices)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"), required=False)

    class Meta:
        model = ConsumableItem
        fields = ("id", "code", "name", "category", "category_display", "unit", "specification", "reorder_level",
                  "unit_price", "fits", "is_active", "created", "updated")
        read_only_fields = ("created", "updated")


class LowStockSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    stock = serializers.IntegerField(read_only=True)
    reorder_level = serializers.IntegerField(read_only=True)


class StockBalanceSerializer(serializers.ModelSerializer):
    item = ConsumablesRefSerializer(read_only=True)
    location = ConsumablesRefSerializer(read_only=True)

    class Meta:
        model = StockBalance
        fields = ("id", "item", "location", "quantity", "updated")


class MovementSerializer(serializers.ModelSerializer):
    item = ConsumablesRefSerializer(read_only=True)
    location = ConsumablesRefSerializer(read_only=True)
    department = ConsumablesRefSerializer(read_only=True, allow_null=True)
    person = ConsumablesRefSerializer(read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Movement
        fields = ("id", "number", "kind", "kind_display", "status", "item", "location", "quantity", "department",
                  "person", "occurred_at", "over_quota", "quota_note", "condition", "transfer_key", "stock_in_line",
                  "unit_price", "note", "created")


class MovementInputSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=ConsumableItem.objects.all())
    location = serializers.IntegerField()
    quantity = serializers.IntegerField()
    department = serializers.IntegerField(required=False, allow_null=True)
    person = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                          min_value=Decimal("0"))
    condition = serializers.ChoiceField(choices=RecycleCondition.choices, required=False,
                                        default=RecycleCondition.EMPTY)
    target = serializers.IntegerField(required=False, allow_null=True, help_text="Target location (transfer).")


class QuotaSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=ConsumableCategory.choices, required=False, allow_blank=True,
                                       default="")
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
    quantity = serializers.IntegerField(min_value=0)

    class Meta:
        model = Quota
        fields = ("id", "department", "item", "category", "period_kind", "period_start", "quantity", "note",
                  "created", "updated")
        read_only_fields = ("created", "updated")
        validators = []


class NeedSerializer(serializers.ModelSerializer):
    quantity = serializers.IntegerField(min_value=1)

    class Meta:
        model = Need
        fields = ("id", "department", "item", "period_kind", "period_start", "quantity", "requested_by", "note",
                  "created")
        read_only_fields = ("requested_by", "created")


class PlanLineSerializer(serializers.ModelSerializer):
    item = ConsumablesRefSerializer(read_only=True)

    class Meta:
        model = PlanLine
        fields = ("id", "item", "monthly_average", "expected_use", "requested", "stock", "proposed", "quantity",
                  "unit_price")
        read_only_fields = ("monthly_average", "expected_use", "requested", "stock", "proposed", "unit_price")


class PurchasePlanSerializer(serializers.ModelSerializer):
    lines = PlanLineSerializer(many=True, read_only=True)
    prepared_by = ConsumablesRefSerializer(read_only=True, allow_null=True)
    purchase_request_number = serializers.CharField(source="purchase_request.number", read_only=True, default=None,
                                                    allow_null=True)

    class Meta:
        model = PurchasePlan
        fields = ("id", "number", "variant", "period_kind", "period_start", "title", "status", "average_months",
                  "prepared_by", "auto_generated", "purchase_request", "purchase_request_number", "notes", "lines",
                  "created", "updated")
        read_only_fields = fields


class PlanDraftSerializer(serializers.Serializer):
    variant = serializers.ChoiceField(choices=PlanVariant.choices, required=False)
    period_start = serializers.DateField(required=False)


class PlanUpdateSerializer(serializers.Serializer):
    quantities = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False, default=dict,
                                       help_text="Plan line id → quantity to buy.")
    notes = serializers.CharField(required=False, allow_blank=True)
