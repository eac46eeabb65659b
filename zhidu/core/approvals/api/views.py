"""API of the approval engine.

/api/approvals/tasks/                 my open tasks (GET); /tasks/{id}/ any task I may see
/api/approvals/tasks/{id}/decide/     POST {"decision": "approve|reject|return", "opinion", "choice"}
/api/approvals/tasks/{id}/transfer/   POST {"to_person": id, "reason"}
/api/approvals/requests/{id}/         a request with its steps and tasks; /withdraw/ POST {"reason"}
/api/approvals/policies/              administrators: list, create, /{id}/versions/ (GET, POST), /apply-preset/
/api/approvals/delegations/           my delegations; POST creates one; /{id}/end/ POST

Errors: 400 bad input or a refused rule, 403 not permitted, 404 out of scope, 409 a closed task.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from zhidu.core.api.views import ScopedReadOnlyViewSet

from .. import selectors, services
from ..models import ApprovalPolicy, ApprovalRequest, ApprovalTask, Delegation
from ..views import can_edit_policies, can_view_policies
from . import serializers as s


class TaskViewSet(ScopedReadOnlyViewSet):
    queryset = ApprovalTask.objects.all()
    serializer_class = s.TaskSerializer
    object_action = "view"  # deciding is checked by the service (only the assignee), answering 403
    search_fields = ["request__subject_label", "step_name"]
    ordering_fields = ["due_at", "created", "id"]

    def base_queryset(self):
        return ApprovalTask.objects.select_related(
            "request", "request__content_type", "request__requester", "assignee", "acting_for")

    def get_queryset(self):
        if self.action == "list":
            return selectors.open_tasks_for(self.request.user).select_related("assignee")
        return super().get_queryset()

    @extend_schema(request=s.DecisionSerializer, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        task = self.get_object()
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.decide(task=task, actor=request.user, **data.validated_data)
        return Response(s.TaskSerializer(self.base_queryset().get(pk=task.pk)).data)

    @extend_schema(request=s.TransferSerializer, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        task = self.get_object()
        data = s.TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_task = services.transfer(task=task, actor=request.user, to_person=data.validated_data["to_person"],
                                     reason=data.validated_data["reason"])
        return Response(s.TaskSerializer(self.base_queryset().get(pk=new_task.pk)).data,
                        status=status.HTTP_201_CREATED)


class RequestViewSet(ScopedReadOnlyViewSet):
    queryset = ApprovalRequest.objects.all()
    serializer_class = s.RequestSerializer
    object_action = "view"
    search_fields = ["subject_label"]
    ordering_fields = ["submitted_at", "id"]
    filterset_fields = ["status", "process_key"]

    def base_queryset(self):
        from django.db.models import Prefetch

        tasks = ApprovalTask.objects.select_related("assignee", "acting_for", "request", "request__content_type")
        return ApprovalRequest.objects.select_related("policy_version", "requester", "content_type").prefetch_related(
            Prefetch("tasks", queryset=tasks.order_by("step_index", "id")))

    @extend_schema(request=s.WithdrawSerializer, responses=s.RequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        approval = self.get_object()
        data = s.WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.withdraw(approval=approval, actor=request.user, reason=data.validated_data["reason"])
        return Response(s.RequestSerializer(self.base_queryset().get(pk=approval.pk)).data)


class PolicyPermission(BasePermission):
    """Administrators only: reading needs core.view_approvalpolicy (or change), writing core.change_approvalpolicy."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return can_view_policies(user)
        return can_edit_policies(user)


class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ApprovalPolicy.objects.select_related("current_version", "current_version__author").order_by(
        "process_key", "name")
    serializer_class = s.PolicySerializer
    permission_classes = [IsAuthenticated, PolicyPermission]
    filterset_fields = ["process_key", "is_active"]
    search_fields = ["name", "process_key"]
    ordering_fields = ["process_key", "name", "id"]

    @extend_schema(request=s.PolicyCreateSerializer, responses=s.PolicySerializer)
    def create(self, request):
        data = s.PolicyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.create_policy(actor=request.user, **data.validated_data)
        return Response(s.PolicySerializer(self.get_queryset().get(pk=policy.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=s.PolicyVersionSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.NewVersionSerializer, responses=s.PolicyVersionSerializer)
    # Not paginated: pagination_class=None also keeps the schema from describing a paginated list.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def versions(self, request, pk=None):
        policy = self.get_object()
        if request.method == "GET":
            versions = policy.versions.select_related("author").order_by("-number")
            return Response(s.PolicyVersionSerializer(versions, many=True).data)
        data = s.NewVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.save_policy_version(policy=policy, actor=request.user, **data.validated_data)
        return Response(s.PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ApplyPresetSerializer, responses=s.PolicyVersionSerializer)
    @action(detail=False, methods=["post"], url_path="apply-preset")
    def apply_preset(self, request):
        data = s.ApplyPresetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.apply_preset(data.validated_data["process_key"], data.validated_data["variant"],
                                        request.user)
        return Response(s.PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DelegationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = s.DelegationSerializer
    ordering_fields = ["start", "id"]

    def get_queryset(self):
        person = services.person_of(self.request.user)
        qs = Delegation.objects.restrict(self.request.user, "view").select_related("person", "delegate")
        if self.action == "list" and person is not None:
            qs = qs.filter(Q(person=person) | Q(delegate=person))
        return qs.order_by("-start", "-id")

    def create(self, request, *args, **kwargs):
        person = services.person_of(request.user)
        if person is None:
            raise exceptions.PermissionDenied(_("Your account is not linked to a person."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        delegation = services.create_delegation(
            person=person, delegate=data["delegate"], start=data["start"], end=data["end"],
            process_keys=data.get("process_keys") or [], reason=data.get("reason", ""), actor=request.user)
        return Response(self.get_serializer(delegation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.DelegationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        delegation = services.end_delegation(delegation=self.get_object(), actor=request.user)
        return Response(self.get_serializer(delegation).data)
