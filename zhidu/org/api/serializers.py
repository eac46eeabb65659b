"""Serializers of the organisation API. Writes go through `org.services` (the viewsets call them
with the validated data); related objects are limited to what the requesting user may see."""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the user may only point at objects they may see (else "does not exist")."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "restrict"):
            queryset = queryset.restrict(request.user, "view")
        return queryset


class PermissionField(serializers.SlugRelatedField):
    """A permission written as "app_label.codename"."""

    default_error_messages = {
        "does_not_exist": _("Unknown permission “{value}”."),
        "invalid": _("Write a permission as app_label.codename."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="codename", queryset=Permission.objects.select_related("content_type"), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "." not in data:
            self.fail("invalid")
        app_label, codename = data.split(".", 1)
        permission = self.get_queryset().filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            self.fail("does_not_exist", value=data)
        return permission

    def to_representation(self, obj):
        return f"{obj.content_type.app_label}.{obj.codename}"


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = ScopedRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False)
    head = ScopedRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    member_count = serializers.SerializerMethodField(help_text=_("Current people directly in the unit."))

    class Meta:
        model = OrgUnit
        fields = ("id", "code", "name", "kind", "kind_display", "parent", "path", "depth", "is_it_authority", "head",
                  "sort_order", "is_active", "member_count")
        read_only_fields = ("path", "depth", "is_active")

    def get_member_count(self, obj) -> int | None:
        return getattr(obj, "member_count", None)


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ("id", "name", "description")


class PersonSerializer(serializers.ModelSerializer):
    department = ScopedRelatedField(queryset=OrgUnit.objects.all())
    manager = ScopedRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), allow_null=True, required=False)
    department_name = serializers.CharField(source="department.name", read_only=True)
    # Methods, not CharField(source="position.name", default=None): DRF leaves a field with a default
    # out of the answer of a PATCH (partial) when the relation is empty, and the schema requires it.
    position_name = serializers.SerializerMethodField()
    manager_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    username = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ("id", "employee_no", "name", "department", "department_name", "position", "position_name", "title",
                  "manager", "manager_name", "status", "status_display", "email", "phone", "hire_date", "leave_date",
                  "username")
        read_only_fields = ("leave_date",)
        extra_kwargs = {"employee_no": {"validators": []}}  # uniqueness is the service's rule (clear message)

    def get_position_name(self, obj) -> str | None:
        return obj.position.name if obj.position_id else None

    def get_manager_name(self, obj) -> str | None:
        return obj.manager.name if obj.manager_id else None

    def get_username(self, obj) -> str | None:
        return obj.user.username if obj.user_id else None


class PersonStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Person._meta.get_field("status").choices)
    date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PersonTransferSerializer(serializers.Serializer):
    department = ScopedRelatedField(queryset=OrgUnit.objects.all())
    date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PersonLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(required=False, allow_blank=True, write_only=True, style={"input_type": "password"})


class RoleSerializer(serializers.ModelSerializer):
    permissions = PermissionField(many=True, required=False)
    aliases = serializers.SlugRelatedField(slug_field="term", many=True, read_only=True)

    class Meta:
        model = Role
        fields = ("id", "code", "name", "generic_code", "description", "default_scope", "is_builtin", "permissions",
                  "aliases")
        read_only_fields = ("is_builtin",)
        extra_kwargs = {"code": {"validators": []}}


class RoleAssignmentSerializer(serializers.ModelSerializer):
    person = ScopedRelatedField(queryset=Person.objects.all())
    unit = ScopedRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False,
                              help_text=_("Empty: the whole organisation."))
    person_name = serializers.CharField(source="person.name", read_only=True)
    role_code = serializers.CharField(source="role.code", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)
    unit_name = serializers.SerializerMethodField()  # a method: see PersonSerializer.position_name
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ("id", "person", "person_name", "role", "role_code", "role_name", "unit", "unit_name",
                  "include_subtree", "scope", "valid_from", "valid_until", "note")
        validators = []  # duplicates and dates are the service's rules (clear messages)

    def get_unit_name(self, obj) -> str | None:
        return obj.unit.name if obj.unit_id else None

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("person", "role", "unit"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: _("Cannot be changed: revoke the assignment and assign the role again.")}
                    )
        return attrs


class RoleAliasSerializer(serializers.ModelSerializer):
    role_code = serializers.CharField(source="role.code", read_only=True)

    class Meta:
        model = RoleAlias
        fields = ("id", "term", "role", "role_code", "note")
        extra_kwargs = {"term": {"validators": []}}
