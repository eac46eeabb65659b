"""Organisation: units (a tree), people, positions, roles with scope, role aliases (GOV).

State changes go through `zhidu.org.services`; read queries live in `zhidu.org.selectors`.
"""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel

from .choices import CURRENT_STATUSES, EmploymentStatus, RoleScope, UnitKind

#: Width of one level of `OrgUnit.tree_key`: 4 digits of sort order + 8 digits of id.
TREE_KEY_LEVEL = 12


class OrgUnit(BaseModel):
    """A unit of the organisation tree (GOV-01): company, branch, department, school unit.

    `path` is the materialised path of ids ("/1/4/9/"), so a subtree is one indexed
    `startswith` filter. `tree_key` orders the tree depth-first with siblings by `sort_order`
    (one indexed ORDER BY). Both are derived from `parent` and kept right by `save()`, also
    for the whole subtree after a move (`org.services.move_unit`); they are not change-logged
    (the change of `parent` is).
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    tree_key = models.CharField(max_length=480, db_index=True, editable=False, default="")
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
    changelog_exclude = ("created", "updated", "path", "tree_key", "depth")

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["tree_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="org_unit_unique_name_in_parent",
                violation_error_message=_("A unit with this name already exists under the same parent."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit_detail", args=[self.pk])

    def _level_key(self) -> str:
        return f"{min(self.sort_order, 9999):04d}{self.pk:08d}"

    def save(self, *args, **kwargs):
        """Keep `path`, `tree_key` and `depth` right, for this unit and, after a move, its subtree."""
        if self.parent_id and self.pk and (
            self.parent_id == self.pk or str(self.pk) in self.parent.ancestor_ids_str()
        ):
            raise ValidationError({"parent": _("A unit cannot be moved under itself or its own sub-unit.")})
        old_path, old_key = self.path, self.tree_key
        super().save(*args, **kwargs)
        parent = self.parent if self.parent_id else None
        new_path = f"{parent.path if parent else '/'}{self.pk}/"
        new_key = f"{parent.tree_key if parent else ''}{self._level_key()}"
        if (new_path, new_key) != (old_path, old_key):
            self.path, self.tree_key, self.depth = new_path, new_key, new_path.count("/") - 2
            # Derived values: written without a second change-log entry.
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path, tree_key=new_key, depth=self.depth)
            if old_path:
                self._rebase_subtree(old_path, new_path, old_key, new_key)

    def _rebase_subtree(self, old_path: str, new_path: str, old_key: str, new_key: str) -> None:
        descendants = list(OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk))
        for unit in descendants:
            unit.path = new_path + unit.path[len(old_path):]
            unit.tree_key = new_key + unit.tree_key[len(old_key):]
            unit.depth = unit.path.count("/") - 2
        if descendants:
            OrgUnit.objects.bulk_update(descendants, ["path", "tree_key", "depth"], batch_size=500)

    def ancestor_ids_str(self) -> list[str]:
        return [p for p in self.path.strip("/").split("/") if p]

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def is_descendant_of(self, other: "OrgUnit", *, inclusive: bool = True) -> bool:
        if not other.path:
            return False
        return self.path.startswith(other.path) and (inclusive or self.pk != other.pk)


class Position(BaseModel):
    """A post (岗位) with its job description, e.g. 网络管理岗 (GOV-08)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("job description"), blank=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("job position")
        verbose_name_plural = _("job positions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:position_list") + f"?q={self.name}"


class Person(BaseModel):
    """An employee (or teacher, student…), with or without a login.

    The employment lifecycle (hire → transfer → leaving → left) is changed only through
    `org.services`, which records each step as a timeline event (GOV-01, R11 HR events).
    """

    employee_no = models.CharField(_("employee number"), max_length=40, unique=True)
    name = models.CharField(_("full name"), max_length=100, db_index=True)
    department = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="members", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.SET_NULL, related_name="holders", verbose_name=_("job position")
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("line manager")
    )
    status = models.CharField(
        _("employment status"), max_length=12, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE,
        db_index=True,
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
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(hire_date__isnull=True) | Q(leave_date__gte=models.F("hire_date")),
                name="org_person_leave_after_hire",
                violation_error_message=_("The leave date must not be before the hire date."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:person_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        """Works here now (active, joining or leaving): roles count, approvals may reach them."""
        return self.status in CURRENT_STATUSES


class Role(BaseModel):
    """A role of the generic role model (§25.1), holding Django permissions.

    Built-in roles (`is_builtin`) come from the catalogue in `zhidu.org.roles` and are
    (re)seeded by `manage.py seed_roles`; their code is fixed because the approval policies
    and the code refer to it. Administrators may add their own roles.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    generic_code = models.CharField(_("generic role"), max_length=8, blank=True, help_text=_("R01…R30 of §25.1"))
    description = models.TextField(_("description"), blank=True)
    default_scope = models.CharField(
        _("usual scope"), max_length=8, choices=RoleScope.choices, default=RoleScope.ORG,
        help_text=_("Suggested scope when the role is assigned."),
    )
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)
    permissions = models.ManyToManyField(Permission, blank=True, related_name="+", verbose_name=_("permissions"))

    scope_unit_field = None

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:role_detail", args=[self.pk])


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
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_unit_field = "unit"
    scope_owner_fields = ("person",)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["role__code", "person__employee_no", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "unit"], name="org_roleassignment_unique",
                violation_error_message=_("This person already holds this role in this scope."),
            ),
            models.UniqueConstraint(
                fields=["person", "role"], condition=Q(unit__isnull=True), name="org_roleassignment_unique_orgwide",
                violation_error_message=_("This person already holds this role in this scope."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="org_roleassignment_valid_range",
                violation_error_message=_("The end date must not be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.role} · {self.scope_label}"

    def get_absolute_url(self):
        return reverse("org:person_detail", args=[self.person_id])

    @property
    def scope_label(self) -> str:
        if self.unit_id is None:
            return str(_("whole organisation"))
        if self.include_subtree:
            return str(_("%(unit)s and sub-units") % {"unit": self.unit})
        return str(self.unit)

    def is_valid_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None or self.valid_until >= day)


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

    def get_absolute_url(self):
        return reverse("org:role_detail", args=[self.role_id])
