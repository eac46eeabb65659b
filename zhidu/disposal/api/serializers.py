"""API representations of disposal. Writes go through the services; serializers only validate shape."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ..choices import DisposalMethod, LineKind, SanitisationMethod, Verdict
from ..models import DisposalRecord, SanitisationRecord, ScrapLine, ScrapRequest


class DisposalNamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class DisposalAssetRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)


class SanitisationRecordSerializer(serializers.ModelSerializer):
    performed_by = DisposalNamedRefSerializer(read_only=True)
    verified_by = DisposalNamedRefSerializer(read_only=True)

    class Meta:
        model = SanitisationRecord
        fields = ("id", "line", "method", "performed_by", "verified_by", "performed_on", "notes", "created")
        read_only_fields = fields


class ScrapLineSerializer(serializers.ModelSerializer):
    asset = DisposalAssetRefSerializer(read_only=True, allow_null=True)  # software lines have none
    verdict = serializers.ChoiceField(choices=Verdict.choices, allow_blank=True, read_only=True)
    sanitisation = serializers.SerializerMethodField()

    class Meta:
        model = ScrapLine
        fields = ("id", "position", "kind", "asset", "software_name", "licence_key", "quantity", "reason", "verdict",
                  "appraisal_notes", "outcome", "disposal", "sanitisation")
        read_only_fields = fields

    def get_sanitisation(self, obj) -> int | None:
        record = getattr(obj, "sanitisation", None) if hasattr(obj, "sanitisation") else None
        return record.pk if record else None


class LineInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices, default=LineKind.HARDWARE)
    asset_id = serializers.IntegerField(required=False, allow_null=True)
    software_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    licence_key = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    quantity = serializers.IntegerField(required=False, min_value=1, default=1)
    reason = serializers.CharField()


class ScrapRequestListSerializer(serializers.ModelSerializer):
    requester = DisposalNamedRefSerializer(read_only=True)
    department = DisposalNamedRefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ScrapRequest
        fields = ("id", "number", "title", "requester", "department", "status", "status_display", "routing_variant",
                  "submitted_at", "closed_at", "created", "updated")
        read_only_fields = fields


class DisposalRecordSerializer(serializers.ModelSerializer):
    request = serializers.PrimaryKeyRelatedField(read_only=True)
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = DisposalRecord
        fields = ("id", "request", "method", "recipient", "disposed_on", "proceeds", "notes", "lines", "created")
        read_only_fields = fields


class ScrapRequestFullSerializer(ScrapRequestListSerializer):
    lines = ScrapLineSerializer(many=True, read_only=True)
    disposals = DisposalRecordSerializer(many=True, read_only=True)
    appraised_by = DisposalNamedRefSerializer(read_only=True, allow_null=True)

    class Meta(ScrapRequestListSerializer.Meta):
        fields = (*ScrapRequestListSerializer.Meta.fields, "reason", "appraised_at", "appraised_by", "decided_at",
                  "recovered_at", "lines", "disposals")
        read_only_fields = fields


class ScrapRequestWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True)


class ScrapReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VerdictSerializer(serializers.Serializer):
    line_id = serializers.IntegerField()
    verdict = serializers.ChoiceField(choices=Verdict.choices, help_text="repair or scrap")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AppraisalSerializer(serializers.Serializer):
    verdicts = VerdictSerializer(many=True)


class SanitiseSerializer(serializers.Serializer):
    line_id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=SanitisationMethod.choices)
    performed_by_id = serializers.IntegerField()
    verified_by_id = serializers.IntegerField()
    performed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class DisposeSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DisposalMethod.choices)
    recipient = serializers.CharField(max_length=200)
    disposed_on = serializers.DateField()
    proceeds = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"), required=False,
                                        default=Decimal("0.00"))
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    line_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None,
                                     help_text="Recovered items to dispose of; omit for all of them.")


class CertificateSerializer(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
