"""/api/notifications/: the user's own notifications; mark one or all read."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from zhidu.core.api.views import ScopedReadOnlyViewSet
from zhidu.core.models import Notification

from . import mark_all_read, mark_read


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "verb", "message", "link", "created", "read", "read_at"]
        read_only_fields = fields


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="only unread notifications")])
class NotificationViewSet(ScopedReadOnlyViewSet):
    """Notifications of the signed-in user, newest first (never anybody else's)."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    object_action = "view"
    ordering_fields = ["created"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.query_params.get("unread") in {"1", "true"}:
            queryset = queryset.unread()
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = mark_read(notification=self.get_object(), actor=request.user)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=MarkedReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": mark_all_read(actor=request.user)}, status=status.HTTP_200_OK)
