"""API representations of procurement. Writes go through the services; serializers only validate shape."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from zhidu.core.validators import validate_plausible_datetime

from ..choices import ApprovalChoice, LineCategory, RejectedAction, RequestKind
from ..models import (
    Acceptance,
    AcceptanceLine,
    PurchaseLine,
    PurchaseOrder,
    PurchaseRequest,
    QuotationWaiver,
    Reimbursement,
    SelfPurchaseFiling,
    StockIn,
    StockInLine,
    SupplierQuotation,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


def approval_choice_field():
    """The approvers' outcome (PRC-05, VAR-01 B): blank until decided. Declared, because DRF drops
    allow_blank from read-only model fields and the schema would then not allow ""."""
    return serializers.ChoiceField(choices=ApprovalChoice.choices, allow_blank=True, read_only=True)


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class PurchaseLineSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Existing line id (keep and update); omit for a new line.")
    category = serializers.ChoiceField(choices=LineCategory.choices, default=LineCategory.COMPUTER)
    quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))

    class Meta:
        model = PurchaseLine
        fields = ("id", "position", "item", "category", "specification", "quantity", "unit", "unit_price", "amount")
        read_only_fields = ("position", "amount")


class PurchaseRequestListSerializer(serializers.ModelSerializer):
    requester = NamedRefSerializer(read_only=True)
    department = NamedRefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    approval_choice = approval_choice_field()

    class Meta:
        model = PurchaseRequest
        fields = ("id", "number", "kind", "title", "requester", "department", "status", "status_display",
                  "total_amount", "routing_amount", "approval_choice", "needed_by", "submitted_at", "created",
                  "updated")
        read_only_fields = fields


class PurchaseRequestSerializer(serializers.ModelSerializer):
    """A request with its lines. Create/update (draft or returned only) replace the lines given."""

    requester = NamedRefSerializer(read_only=True)
    department = NamedRefSerializer(read_only=True)
    kind = serializers.ChoiceField(choices=RequestKind.choices, default=RequestKind.APPLICATION)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lines = PurchaseLineSerializer(many=True)
    expected_contract_amount = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False,
                                                        allow_null=True)
    contract_amount = serializers.DecimalField(**MONEY, read_only=True,
                                               help_text="Single-contract amount VAR-01 (A) routes on.")
    approval_choice = approval_choice_field()

    class Meta:
        model = PurchaseRequest
        fields = ("id", "number", "kind", "title", "requester", "department", "purpose", "software_needs",
                  "configuration_standard", "deviates_from_standard", "deviation_justification", "needed_by",
                  "expected_contract_amount", "contract_amount", "status", "status_display", "total_amount",
                  "routing_amount", "approval_choice", "submitted_at", "decided_at", "closed_at", "created",
                  "updated", "lines")
        read_only_fields = ("number", "status", "total_amount", "routing_amount", "approval_choice", "submitted_at",
                            "decided_at", "closed_at", "created", "updated")

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError("At least one line is required.")
        return value


class SupplierQuotationSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0"))

    class Meta:
        model = SupplierQuotation
        fields = ("id", "supplier_name", "contact", "amount", "quoted_on", "notes", "created")
        read_only_fields = ("created",)


class QuotationWaiverSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuotationWaiver
        fields = ("id", "reason", "created")
        read_only_fields = ("created",)


class PurchaseOrderSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    quotation = serializers.IntegerField(source="quotation_id", required=False, allow_null=True,
                                         help_text="Id of the chosen quotation of this request.")
    supplier_name = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = PurchaseOrder
        fields = ("id", "supplier_name", "contract_no", "amount", "signed_on", "quotation", "notes", "created")
        read_only_fields = ("created",)


class AcceptanceLineSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_id")
    accepted_quantity = serializers.IntegerField(min_value=0, default=0)
    rejected_quantity = serializers.IntegerField(min_value=0, default=0)
    rejected_action = serializers.ChoiceField(choices=RejectedAction.choices, required=False, allow_blank=True,
                                              default="")

    class Meta:
        model = AcceptanceLine
        fields = ("line", "accepted_quantity", "rejected_quantity", "rejected_action", "notes")


class AcceptanceSerializer(serializers.ModelSerializer):
    accepted_by = serializers.IntegerField(source="accepted_by_id", help_text="Person id.")
    accepted_at = serializers.DateTimeField(required=False, validators=[validate_plausible_datetime])
    lines = AcceptanceLineSerializer(many=True)

    class Meta:
        model = Acceptance
        fields = ("id", "accepted_by", "accepted_at", "notes", "lines", "created")
        read_only_fields = ("created",)


class StockInLineSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_id", read_only=True)
    item = serializers.CharField(source="line.item", read_only=True)
    category = serializers.CharField(source="line.category", read_only=True)
    specification = serializers.CharField(source="line.specification", read_only=True)
    unit_price = serializers.DecimalField(source="line.unit_price", max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = StockInLine
        fields = ("line", "item", "category", "specification", "quantity", "unit_price")
        read_only_fields = fields


class StockInSerializer(serializers.ModelSerializer):
    received_by = serializers.IntegerField(source="received_by_id", help_text="Person id.")
    received_at = serializers.DateTimeField(required=False, validators=[validate_plausible_datetime])
    request = serializers.IntegerField(source="request_id", read_only=True)
    lines = StockInLineSerializer(many=True, read_only=True)

    class Meta:
        model = StockIn
        fields = ("id", "number", "request", "location", "received_by", "received_at", "notes", "lines", "created")
        read_only_fields = ("number", "created")


class ReimbursementSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))

    class Meta:
        model = Reimbursement
        fields = ("id", "amount", "invoice_no", "reimbursed_on", "notes", "created")
        read_only_fields = ("created",)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PurchaseRequestFullSerializer(PurchaseRequestSerializer):
    """The detail view: everything that happened after approval too."""

    quotations = SupplierQuotationSerializer(many=True, read_only=True)
    quotation_waiver = QuotationWaiverSerializer(read_only=True, allow_null=True)
    order = PurchaseOrderSerializer(read_only=True, allow_null=True)
    acceptances = AcceptanceSerializer(many=True, read_only=True)
    stock_ins = StockInSerializer(many=True, read_only=True)
    reimbursement = ReimbursementSerializer(read_only=True, allow_null=True)

    class Meta(PurchaseRequestSerializer.Meta):
        fields = (*PurchaseRequestSerializer.Meta.fields, "quotations", "quotation_waiver", "order", "acceptances",
                  "stock_ins", "reimbursement")


class SelfPurchaseFilingSerializer(serializers.ModelSerializer):
    department = NamedRefSerializer(read_only=True)
    registered_by = NamedRefSerializer(read_only=True)
    category = serializers.ChoiceField(choices=LineCategory.choices, default=LineCategory.COMPUTER)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, default=1)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SelfPurchaseFiling
        fields = ("id", "number", "department", "registered_by", "item", "category", "model_name", "performance",
                  "manufacturer", "supplier", "purchase_date", "software_info", "quantity", "amount", "status",
                  "status_display", "filed_at", "filing_note", "created", "updated")
        read_only_fields = ("number", "status", "filed_at", "filing_note", "created", "updated")


class FileFilingSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
