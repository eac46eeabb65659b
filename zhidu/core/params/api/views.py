"""API of the regulation parameters: /api/params/ (list), /api/params/{key}/ (GET, PATCH by an
administrator: {"value": ..., "note": "..."}), /api/params/{key}/history/, /api/params/history/."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import ParameterChange, ParameterValue
from ..registry import definition
from ..views import can_edit_params, can_view_params, rows


class ParameterSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    article = serializers.CharField()
    requirement = serializers.CharField()
    help = serializers.CharField()
    choices = serializers.ListField(child=serializers.ListField(), allow_null=True)
    default = serializers.JSONField()
    value = serializers.JSONField()
    is_default = serializers.BooleanField()
    display = serializers.CharField()
    updated_by = serializers.CharField(allow_null=True)
    updated = serializers.DateTimeField(allow_null=True)


class ParameterUpdateSerializer(serializers.Serializer):
    value = serializers.JSONField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ParameterChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = ParameterChange
        fields = ["id", "key", "old_value", "new_value", "actor", "time", "note", "revision"]
        read_only_fields = fields


def _as_data(row) -> dict:
    param = row["param"]
    stored = row["row"]
    return {
        "key": param.key, "kind": param.kind, "label": str(param.label), "group": str(param.group or ""),
        "article": param.article, "requirement": param.requirement, "help": str(param.help or ""),
        "choices": [[v, str(label)] for v, label in param.choices] if param.choices else None,
        "default": param.to_json(param.default), "value": param.to_json(row["value"]), "is_default": row["is_default"],
        "display": row["display"],
        "updated_by": stored.updated_by.get_username() if stored is not None and stored.updated_by else None,
        "updated": stored.updated if stored is not None else None,
    }


class ParameterViewSet(viewsets.ViewSet):
    lookup_field = "key"
    lookup_value_regex = r"[A-Za-z0-9_.\-]+"
    serializer_class = ParameterSerializer

    def _check_view(self, request):
        if not can_view_params(request.user):
            raise exceptions.PermissionDenied()

    def _row(self, key):
        try:
            definition(key)
        except KeyError:
            raise Http404 from None
        stored = ParameterValue.objects.select_related("updated_by").filter(key=key).first()
        return next(r for r in rows({key: stored} if stored else {}) if r["param"].key == key)

    @extend_schema(responses=ParameterSerializer(many=True))
    def list(self, request):
        self._check_view(request)
        return Response([_as_data(r) for r in rows()])

    @extend_schema(responses=ParameterSerializer)
    def retrieve(self, request, key=None):
        self._check_view(request)
        return Response(_as_data(self._row(key)))

    @extend_schema(request=ParameterUpdateSerializer, responses=ParameterSerializer)
    def partial_update(self, request, key=None):
        self._check_view(request)
        if not can_edit_params(request.user):
            raise exceptions.PermissionDenied()
        self._row(key)
        data = ParameterUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        from ..services import set_value

        set_value(key=key, value=data.validated_data["value"], actor=request.user, note=data.validated_data["note"])
        return Response(_as_data(self._row(key)))

    @extend_schema(responses=ParameterChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, key=None):
        self._check_view(request)
        self._row(key)
        return Response(ParameterChangeSerializer(ParameterChange.objects.filter(key=key)[:500], many=True).data)
