"""The organisation API (/api/org/): units, people, positions, roles, role assignments, aliases.

Reads are restricted by `restrict(user, "view")` (out of scope → 404); writes check the
matching action (visible but not permitted → 403) and go through `org.services`.
"""

from django.contrib.auth.models import Permission
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from zhidu.core.api.views import ScopedModelViewSet

from .. import selectors, services
from ..filtersets import (
    OrgUnitFilterSet,
    PersonFilterSet,
    PositionFilterSet,
    RoleAliasFilterSet,
    RoleAssignmentFilterSet,
    RoleFilterSet,
)
from ..models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment
from . import serializers as s


def _require_in_unit(user, perm: str, unit, what: str):
    if not selectors.can_act_in_unit(user, perm, unit):
        raise exceptions.PermissionDenied(
            _("You may not %(what)s in %(unit)s.") % {"what": what, "unit": unit or _("the whole organisation")}
        )


class OrgUnitViewSet(ScopedModelViewSet):
    """Org units (the tree, GOV-01). DELETE is refused while the unit has people or sub-units."""

    queryset = OrgUnit.objects.all()
    serializer_class = s.OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
    ordering_fields = ("tree_key", "name", "code")
    ordering = ("tree_key",)

    def base_queryset(self):
        return selectors.with_member_counts(OrgUnit.objects.all())

    def perform_create(self, serializer):
        data = serializer.validated_data
        _require_in_unit(self.request.user, "org.add_orgunit", data.get("parent"), _("add units"))
        serializer.instance = services.create_unit(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "parent" in data and data["parent"] != serializer.instance.parent:
            _require_in_unit(self.request.user, "org.add_orgunit", data["parent"], _("move units"))
        serializer.instance = services.update_unit(unit=serializer.instance, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        services.delete_unit(unit=instance, actor=self.request.user)

    @extend_schema(request=None, responses=s.OrgUnitSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Retire the unit (refused while it has current members or active sub-units)."""
        unit = self.get_object()
        unit = services.deactivate_unit(unit=unit, actor=request.user)
        return Response(self.get_serializer(unit).data)

    @extend_schema(request=None, responses=s.OrgUnitSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        unit = self.get_object()
        unit = services.reactivate_unit(unit=unit, actor=request.user)
        return Response(self.get_serializer(unit).data)

    def get_object(self):
        self.object_action = "change" if self.action in ("deactivate", "reactivate") else None
        return super().get_object()


class PositionViewSet(ScopedModelViewSet):
    queryset = Position.objects.all()
    serializer_class = s.PositionSerializer
    filterset_class = PositionFilterSet
    ordering_fields = ("name",)

    def perform_create(self, serializer):
        serializer.instance = services.create_position(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_position(
            position=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_position(position=instance, actor=self.request.user)


class PersonViewSet(ScopedModelViewSet):
    """People. Never deleted: a leaver's status becomes "left" (POST …/status/)."""

    queryset = Person.objects.all()
    serializer_class = s.PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ("employee_no", "name", "hire_date")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return Person.objects.select_related("department", "position", "manager", "user")

    def perform_create(self, serializer):
        data = serializer.validated_data
        _require_in_unit(self.request.user, "org.add_person", data["department"], _("add people"))
        serializer.instance = services.create_person(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "department" in data and data["department"] != serializer.instance.department:
            _require_in_unit(self.request.user, "org.change_person", data["department"], _("move people"))
        serializer.instance = services.update_person(person=serializer.instance, actor=self.request.user, **data)

    def get_object(self):
        if self.action in ("status", "transfer", "login"):
            self.object_action = "change"
        return super().get_object()

    @extend_schema(request=s.PersonStatusSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """A step of the employment lifecycle (joining → employed → leaving → left, re-hire)."""
        person = self.get_object()
        data = s.PersonStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.change_status(person=person, actor=request.user, **data.validated_data)
        return Response(s.PersonSerializer(person, context=self.get_serializer_context()).data)

    @extend_schema(request=s.PersonTransferSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Move the person to another department (recorded on the timeline)."""
        person = self.get_object()
        data = s.PersonTransferSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        _require_in_unit(request.user, "org.change_person", data.validated_data["department"], _("move people"))
        person = services.transfer_person(person=person, actor=request.user, **data.validated_data)
        return Response(s.PersonSerializer(person, context=self.get_serializer_context()).data)

    @extend_schema(request=s.PersonLoginSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def login(self, request, pk=None):
        """Create a login for the person (without a password: cannot sign in until one is set)."""
        person = self.get_object()
        data = s.PersonLoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.create_login(person=person, actor=request.user, username=data.validated_data["username"],
                              password=data.validated_data.get("password") or None)
        person.refresh_from_db()
        return Response(s.PersonSerializer(person, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class RoleViewSet(ScopedModelViewSet):
    """Roles (§25.1) with their permissions and aliases; writes for administrators."""

    queryset = Role.objects.all()
    serializer_class = s.RoleSerializer
    filterset_class = RoleFilterSet
    ordering_fields = ("code", "name")

    def base_queryset(self):
        return Role.objects.prefetch_related(
            Prefetch("permissions", queryset=Permission.objects.select_related("content_type")),
            "aliases",
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_role(actor=self.request.user, **data)

    def perform_update(self, serializer):
        serializer.instance = services.update_role(role=serializer.instance, actor=self.request.user,
                                                   **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_role(role=instance, actor=self.request.user)


class RoleAssignmentViewSet(ScopedModelViewSet):
    """Who holds which role in which scope. DELETE revokes the assignment."""

    queryset = RoleAssignment.objects.all()
    serializer_class = s.RoleAssignmentSerializer
    filterset_class = RoleAssignmentFilterSet
    ordering_fields = ("role__code", "person__employee_no", "valid_from")

    def base_queryset(self):
        return RoleAssignment.objects.select_related("person", "role", "unit")

    def perform_create(self, serializer):
        data = serializer.validated_data
        _require_in_unit(self.request.user, "org.add_roleassignment", data.get("unit"), _("assign roles"))
        serializer.instance = services.assign_role(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("person", "role", "unit")}
        serializer.instance = services.update_assignment(assignment=serializer.instance, actor=self.request.user,
                                                         **data)

    def perform_destroy(self, instance):
        services.revoke_role(assignment=instance, actor=self.request.user)


class RoleAliasViewSet(ScopedModelViewSet):
    """Regulation terms mapped to roles (GOV-11)."""

    queryset = RoleAlias.objects.all()
    serializer_class = s.RoleAliasSerializer
    filterset_class = RoleAliasFilterSet
    ordering_fields = ("term",)

    def base_queryset(self):
        return RoleAlias.objects.select_related("role")

    def perform_create(self, serializer):
        serializer.instance = services.create_alias(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_alias(alias=serializer.instance, actor=self.request.user,
                                                    **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_alias(alias=instance, actor=self.request.user)

