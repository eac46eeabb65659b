"""API representations of approvals: tasks, requests, decisions, policies and delegations."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from zhidu.core.validators import validate_plausible_datetime
from zhidu.org.models import Person

from ..choices import Decision
from ..models import ApprovalPolicy, ApprovalPolicyVersion, ApprovalRequest, ApprovalTask, Delegation
from ..policy import tr


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "employee_no", "name"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    assignee = PersonRefSerializer(read_only=True)
    acting_for = PersonRefSerializer(read_only=True, allow_null=True)
    approval = serializers.IntegerField(source="request_id", read_only=True)
    subject = serializers.CharField(source="request.subject_label", read_only=True)
    subject_type = serializers.SerializerMethodField()
    subject_id = serializers.CharField(source="request.object_id", read_only=True)
    process = serializers.CharField(source="request.process_key", read_only=True)
    requester = PersonRefSerializer(source="request.requester", read_only=True)
    amount = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalTask
        fields = ["id", "approval", "process", "subject", "subject_type", "subject_id", "requester", "amount",
                  "step_index", "step_key", "step_name", "assignee", "acting_for", "origin", "status", "opinion",
                  "choice", "due_at", "overdue", "decided_at", "created"]
        read_only_fields = fields

    def get_subject_type(self, obj) -> str:
        ct = obj.request.content_type
        return f"{ct.app_label}.{ct.model}"

    def get_amount(self, obj) -> str | None:
        return (obj.request.context_data or {}).get("amount")

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.now())


class StepSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.SerializerMethodField()
    resolver = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    mode = serializers.CharField()
    deadline_hours = serializers.IntegerField(allow_null=True)
    opinion_required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.DictField())

    def get_name(self, obj) -> str:
        return tr(obj.get("name"))


class RequestSerializer(serializers.ModelSerializer):
    requester = PersonRefSerializer(read_only=True)
    subject_type = serializers.SerializerMethodField()
    policy = serializers.IntegerField(source="policy_version.policy_id", read_only=True)
    policy_version = serializers.IntegerField(source="policy_version.number", read_only=True)
    steps = serializers.SerializerMethodField()
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = ["id", "process_key", "subject_label", "subject_type", "object_id", "status", "policy",
                  "policy_version", "rule_index", "rule_name", "current_step", "choice", "requester", "submitted_at",
                  "finished_at", "context_data", "steps", "tasks"]
        read_only_fields = fields

    def get_subject_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_steps(self, obj) -> list[dict]:
        return StepSerializer(obj.steps, many=True).data


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    choice = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")


class TransferSerializer(serializers.Serializer):
    to_person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.filter(status="active"))
    reason = serializers.CharField(max_length=500)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PolicyVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ApprovalPolicyVersion
        fields = ["id", "number", "definition", "author", "note", "preset", "created"]
        read_only_fields = fields


class PolicySerializer(serializers.ModelSerializer):
    current_version = PolicyVersionSerializer(read_only=True)

    class Meta:
        model = ApprovalPolicy
        fields = ["id", "process_key", "name", "description", "is_active", "current_version"]
        read_only_fields = ["id", "is_active", "current_version"]


class PolicyCreateSerializer(serializers.Serializer):
    process_key = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    definition = serializers.JSONField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class NewVersionSerializer(serializers.Serializer):
    definition = serializers.JSONField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None)


class ApplyPresetSerializer(serializers.Serializer):
    process_key = serializers.CharField(max_length=60)
    variant = serializers.CharField(max_length=10)


class DelegationSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    delegate = PersonRefSerializer(read_only=True)
    delegate_id = serializers.PrimaryKeyRelatedField(source="delegate", queryset=Person.objects.filter(status="active"),
                                                     write_only=True)

    class Meta:
        model = Delegation
        fields = ["id", "person", "delegate", "delegate_id", "start", "end", "process_keys", "reason", "is_active"]
        read_only_fields = ["id", "person", "delegate", "is_active"]
        extra_kwargs = {"start": {"validators": [validate_plausible_datetime]},
                        "end": {"validators": [validate_plausible_datetime]}}
