"""Organisation: units (a tree), people, positions, roles with scope, role aliases (GOV)."""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel

from .choices import EmploymentStatus, UnitKind


class OrgUnit(BaseModel):
    """A unit of the organisation tree (GOV-01): company, branch, department, school unit.

    `path` is the materialised path of ids ("/1/4/9/"), so a subtree is one indexed
    `startswith` filter. Services keep it right when a unit moves (`org.services.move_unit`).
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_it_authority = models.BooleanField(
        _("IT authority"), default=False,
        help_text=_("The unit that runs IT management (综合管理部, 信息中心, 办公室 …), GOV-07."),
    )
    head = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("head")
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    scope_unit_field = "self"

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="org_unit_unique_name_in_parent",
                violation_error_message=_("A unit with this name already exists under the same parent."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Keep the materialised path right, for this unit and, after a move, its subtree."""
        old_path = self.path
        if self.parent_id and self.pk and str(self.pk) in self.parent.ancestor_ids_str():
            from django.core.exceptions import ValidationError

            raise ValidationError({"parent": _("A unit cannot be moved under itself or its own sub-unit.")})
        super().save(*args, **kwargs)
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path != old_path:
            self.path = new_path
            self.depth = new_path.count("/") - 2
            super().save(update_fields=["path", "depth"])
            if old_path:
                for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("depth"):
                    child.save(update_fields=None)

    def ancestor_ids_str(self) -> list[str]:
        return [p for p in self.path.strip("/").split("/") if p]

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(p) for p in self.path.strip("/").split("/") if p]


class Position(BaseModel):
    """A post (岗位) with its job description, e.g. 网络管理岗 (GOV-08)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("job description"), blank=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(BaseModel):
    """An employee (or teacher, student…), with or without a login."""

    employee_no = models.CharField(_("employee number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="members", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.SET_NULL, related_name="holders", verbose_name=_("position")
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("line manager")
    )
    status = models.CharField(
        _("employment status"), max_length=12, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person",
        verbose_name=_("login user"),
    )

    scope_unit_field = "department"
    scope_owner_fields = ("pk",)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["department__path", "employee_no"]

    def __str__(self):
        return self.name


class Role(BaseModel):
    """A role of the generic role model (§25.1), holding Django permissions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    generic_code = models.CharField(_("generic role"), max_length=8, blank=True, help_text=_("R01…R30 of §25.1"))
    description = models.TextField(_("description"), blank=True)
    permissions = models.ManyToManyField(Permission, blank=True, related_name="+", verbose_name=_("permissions"))

    scope_unit_field = None

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RoleAssignment(BaseModel):
    """A person holds a role in a scope: one unit, its subtree, or the whole organisation."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("person"))
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("role"))
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments",
        verbose_name=_("scope unit"), help_text=_("Empty: the whole organisation."),
    )
    include_subtree = models.BooleanField(_("include sub-units"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    scope_unit_field = "unit"
    scope_owner_fields = ("person",)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["role__code", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "unit"], name="org_roleassignment_unique",
                violation_error_message=_("This person already holds this role in this scope."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="org_roleassignment_valid_range",
                violation_error_message=_("The end date must not be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.role} · {self.unit or _('whole organisation')}"


class RoleAlias(BaseModel):
    """A term of the regulation mapped to a role (GOV-11): 综合管理部主管领导 → it_leader."""

    term = models.CharField(_("term in the regulation"), max_length=100, unique=True)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("role"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("role alias")
        verbose_name_plural = _("role aliases")
        ordering = ["term"]

    def __str__(self):
        return f"{self.term} → {self.role}"
