"""/api/audit/log/: the global change log, read-only, for superusers and org-wide auditors."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, permissions, serializers, viewsets

from zhidu.core.auth.permissions import can_view_global_log
from zhidu.core.models import ChangeLogEntry

from .filtersets import ChangeLogFilterSet
from .tables import object_type_label


class CanViewGlobalLog(permissions.BasePermission):
    def has_permission(self, request, view):
        return can_view_global_log(request.user)


class ChangeLogEntrySerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField(help_text='"app_label.model", e.g. "org.orgunit"')
    object_type_label = serializers.SerializerMethodField()

    class Meta:
        model = ChangeLogEntry
        fields = (
            "id", "time", "actor", "actor_name", "source", "request_id", "ip", "action",
            "object_type", "object_type_label", "object_id", "object_repr", "before", "after",
            "prev_hash", "hash",
        )
        read_only_fields = fields

    def get_object_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_object_type_label(self, obj) -> str:
        return object_type_label(obj)


class ChangeLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Every change of every object (create/update/delete/event), newest first.

    Filters: `time_after`, `time_before` (dates), `actor`, `object_type` ("org.orgunit"),
    `object_id`, `action`, `source`, `request_id`, `q` (object name).
    """

    queryset = ChangeLogEntry.objects.select_related("content_type").order_by("-id")
    serializer_class = ChangeLogEntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanViewGlobalLog]
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = ChangeLogFilterSet
    ordering_fields = ["id", "time"]
    ordering = ["-id"]
