"""Operations on the organisation (GOV-01, GOV-07, GOV-09, GOV-11).

Every function is keyword-only, runs in one transaction, checks its guards and raises
`RuleViolation` (→ 400) or `Conflict` (→ 409) with a message that says why. The change log is
written by the signals for every save; employment events (hire, transfer, leaving, left,
re-hire), role changes and login changes are also recorded on the person's timeline.

Permission checks (who may call an operation on which object) belong to the caller (views,
API, importer) through `restrict()` / `selectors.can_act_in_unit()`; services check domain rules.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent

from . import signals
from .choices import CURRENT_STATUSES, STATUS_TRANSITIONS, EmploymentStatus, UnitKind
from .models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment


class _Unset:
    def __repr__(self):
        return "UNSET"

    def __bool__(self):
        return False


#: "Leave this attribute as it is" for the partial-update services.
UNSET = _Unset()


def _given(value) -> bool:
    return value is not UNSET


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def record_timeline(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None) -> TimelineEvent:
    """A timeline event on `obj` (a person's hire/transfer/leave, a role change…)."""
    return TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
        actor=_actor_user(actor), verb=verb, message=message, data=data or {},
    )


def _clean_text(value: str | None, *, field: str, required: bool = True, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(_("%(field)s is required.") % {"field": field}, code="required")
    if max_length and len(value) > max_length:
        raise RuleViolation(
            _("%(field)s is too long (at most %(n)d characters).") % {"field": field, "n": max_length}, code="too_long"
        )
    return value


# --------------------------------------------------------------------------- units


def _check_unit_name(*, name: str, parent: OrgUnit | None, exclude_pk=None) -> None:
    siblings = OrgUnit.objects.filter(parent=parent, name=name)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        raise RuleViolation(
            _("A unit named “%(name)s” already exists under %(parent)s.")
            % {"name": name, "parent": parent or _("the top level")},
            code="duplicate_name",
        )


def _check_unit_code(*, code: str, exclude_pk=None) -> None:
    qs = OrgUnit.objects.filter(code__iexact=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise RuleViolation(_("The unit code “%(code)s” is already used.") % {"code": code}, code="duplicate_code")


def _designate_it_authority(unit: OrgUnit) -> None:
    """GOV-07: one unit is the IT authority; designating another one moves the designation."""
    for other in OrgUnit.objects.filter(is_it_authority=True).exclude(pk=unit.pk):
        other.is_it_authority = False
        other.save()


@transaction.atomic
def create_unit(
    *, name: str, code: str, actor, kind: str = UnitKind.DEPARTMENT, parent: OrgUnit | None = None,
    is_it_authority: bool = False, sort_order: int = 0, head: Person | None = None,
) -> OrgUnit:
    """Add a unit to the tree (GOV-01)."""
    name = _clean_text(name, field=_("Name"), max_length=100)
    code = _clean_text(code, field=_("Code"), max_length=40)
    if kind not in UnitKind.values:
        raise RuleViolation(_("Unknown unit type “%(kind)s”.") % {"kind": kind}, code="invalid_kind")
    if parent is not None:
        parent = OrgUnit.objects.get(pk=parent.pk)
    if parent is not None and not parent.is_active:
        raise RuleViolation(
            _("%(parent)s is deactivated: no unit can be added under it.") % {"parent": parent}, code="parent_inactive"
        )
    _check_unit_code(code=code)
    _check_unit_name(name=name, parent=parent)
    unit = OrgUnit(name=name, code=code, kind=kind, parent=parent, is_it_authority=is_it_authority,
                   sort_order=sort_order or 0, head=head)
    unit.save()
    if is_it_authority:
        _designate_it_authority(unit)
    return unit


@transaction.atomic
def update_unit(
    *, unit: OrgUnit, actor, name=UNSET, code=UNSET, kind=UNSET, parent=UNSET, is_it_authority=UNSET,
    sort_order=UNSET, head=UNSET,
) -> OrgUnit:
    """Change a unit's attributes; a new `parent` moves it with its subtree (see `move_unit`)."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if _given(parent) and parent != unit.parent:
        unit = move_unit(unit=unit, parent=parent, actor=actor)
    if _given(name):
        unit.name = _clean_text(name, field=_("Name"), max_length=100)
        _check_unit_name(name=unit.name, parent=unit.parent, exclude_pk=unit.pk)
    if _given(code):
        unit.code = _clean_text(code, field=_("Code"), max_length=40)
        _check_unit_code(code=unit.code, exclude_pk=unit.pk)
    if _given(kind):
        if kind not in UnitKind.values:
            raise RuleViolation(_("Unknown unit type “%(kind)s”.") % {"kind": kind}, code="invalid_kind")
        unit.kind = kind
    if _given(sort_order):
        unit.sort_order = sort_order or 0
    if _given(head):
        unit.head = head
    if _given(is_it_authority):
        unit.is_it_authority = bool(is_it_authority)
    unit.save()
    if _given(is_it_authority) and is_it_authority:
        _designate_it_authority(unit)
    return unit


@transaction.atomic
def move_unit(*, unit: OrgUnit, parent: OrgUnit | None, actor) -> OrgUnit:
    """Put a unit (with its whole subtree) under another parent; the paths follow (GOV-01)."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if parent is not None:
        parent = OrgUnit.objects.get(pk=parent.pk)
        if parent.pk == unit.pk or parent.path.startswith(unit.path):
            raise RuleViolation(
                _("%(unit)s cannot be moved under itself or one of its own sub-units (%(parent)s).")
                % {"unit": unit, "parent": parent},
                code="cycle",
            )
        if not parent.is_active:
            raise RuleViolation(
                _("%(parent)s is deactivated: no unit can be moved under it.") % {"parent": parent}, code="parent_inactive"
            )
    if (parent.pk if parent else None) == unit.parent_id:
        return unit
    _check_unit_name(name=unit.name, parent=parent, exclude_pk=unit.pk)
    unit.parent = parent
    unit.save()
    return unit


@transaction.atomic
def deactivate_unit(*, unit: OrgUnit, actor) -> OrgUnit:
    """Retire a unit that has nobody and nothing active left in it (it stays for history)."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    members = Person.objects.filter(department=unit, status__in=CURRENT_STATUSES).count()
    if members:
        raise RuleViolation(
            _("%(unit)s still has %(n)d current member(s): transfer them to another unit first.")
            % {"unit": unit, "n": members},
            code="has_members",
        )
    children = unit.children.filter(is_active=True).count()
    if children:
        raise RuleViolation(
            _("%(unit)s still has %(n)d active sub-unit(s): move or deactivate them first.")
            % {"unit": unit, "n": children},
            code="has_children",
        )
    if unit.is_active:
        unit.is_active = False
        unit.save()
    return unit


@transaction.atomic
def reactivate_unit(*, unit: OrgUnit, actor) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.parent_id and not unit.parent.is_active:
        raise RuleViolation(
            _("Reactivate the parent unit %(parent)s first.") % {"parent": unit.parent}, code="parent_inactive"
        )
    if not unit.is_active:
        unit.is_active = True
        unit.save()
    return unit


@transaction.atomic
def delete_unit(*, unit: OrgUnit, actor) -> None:
    """Delete a unit created by mistake. Refused while it has people, sub-units or records."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    members = Person.objects.filter(department=unit).count()
    if members:
        raise RuleViolation(
            _("%(unit)s cannot be deleted: %(n)d person(s) belong to it (also former staff, kept for history). "
              "Deactivate it instead.") % {"unit": unit, "n": members},
            code="has_members",
        )
    children = unit.children.count()
    if children:
        raise RuleViolation(
            _("%(unit)s cannot be deleted: it has %(n)d sub-unit(s). Move or delete them first.")
            % {"unit": unit, "n": children},
            code="has_children",
        )
    try:
        with transaction.atomic():
            unit.delete()
    except ProtectedError as exc:
        raise RuleViolation(
            _("%(unit)s cannot be deleted: %(n)d record(s) refer to it. Deactivate it instead.")
            % {"unit": unit, "n": len(exc.protected_objects)},
            code="protected",
        ) from exc


# --------------------------------------------------------------------------- positions


@transaction.atomic
def create_position(*, name: str, actor, description: str = "") -> Position:
    name = _clean_text(name, field=_("Name"), max_length=100)
    if Position.objects.filter(name=name).exists():
        raise RuleViolation(_("The position “%(name)s” already exists.") % {"name": name}, code="duplicate")
    return Position.objects.create(name=name, description=description or "")


@transaction.atomic
def update_position(*, position: Position, actor, name=UNSET, description=UNSET) -> Position:
    position = Position.objects.select_for_update().get(pk=position.pk)
    if _given(name):
        position.name = _clean_text(name, field=_("Name"), max_length=100)
        if Position.objects.filter(name=position.name).exclude(pk=position.pk).exists():
            raise RuleViolation(_("The position “%(name)s” already exists.") % {"name": position.name}, code="duplicate")
    if _given(description):
        position.description = description or ""
    position.save()
    return position


@transaction.atomic
def delete_position(*, position: Position, actor) -> None:
    holders = position.holders.count()
    if holders:
        raise RuleViolation(
            _("The position “%(name)s” is held by %(n)d person(s): assign them another position first.")
            % {"name": position.name, "n": holders},
            code="in_use",
        )
    position.delete()


# --------------------------------------------------------------------------- people


def _check_manager(person: Person | None, manager: Person | None) -> None:
    if manager is None:
        return
    if person is not None and manager.pk == person.pk:
        raise RuleViolation(_("A person cannot be their own line manager."), code="manager_self")
    seen = set()
    node = manager
    while node is not None and node.pk not in seen:
        if person is not None and node.pk == person.pk:
            raise RuleViolation(
                _("%(manager)s reports (directly or indirectly) to %(person)s: the line-manager chain would be a loop.")
                % {"manager": manager, "person": person},
                code="manager_cycle",
            )
        seen.add(node.pk)
        node = Person.objects.filter(pk=node.manager_id).first() if node.manager_id else None


def _check_department(department: OrgUnit) -> None:
    if department is None:
        raise RuleViolation(_("Department is required."), code="required")
    if not OrgUnit.objects.filter(pk=department.pk, is_active=True).exists():
        raise RuleViolation(
            _("%(unit)s is deactivated: nobody can be placed in it.") % {"unit": department}, code="unit_inactive"
        )


def _check_employee_no(employee_no: str, *, exclude_pk=None) -> str:
    employee_no = _clean_text(employee_no, field=_("Employee number"), max_length=40)
    qs = Person.objects.filter(employee_no=employee_no)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    holder = qs.first()
    if holder is not None:
        raise RuleViolation(
            _("The employee number %(no)s is already used by %(name)s.") % {"no": employee_no, "name": holder.name},
            code="duplicate_employee_no",
        )
    return employee_no


@transaction.atomic
def create_person(
    *, employee_no: str, name: str, department: OrgUnit, actor, position: Position | None = None, title: str = "",
    manager: Person | None = None, status: str = EmploymentStatus.ACTIVE, email: str = "", phone: str = "",
    hire_date: datetime.date | None = None, leave_date: datetime.date | None = None,
    assign_employee_role: bool = True,
) -> Person:
    """Register a person (hire). The built-in `employee` role (R09) is assigned org-wide."""
    employee_no = _check_employee_no(employee_no)
    name = _clean_text(name, field=_("Name"), max_length=100)
    _check_department(department)
    if status not in EmploymentStatus.values:
        raise RuleViolation(_("Unknown employment status “%(status)s”.") % {"status": status}, code="invalid_status")
    _check_manager(None, manager)
    if status == EmploymentStatus.LEFT and leave_date is None:
        leave_date = timezone.localdate()
    if leave_date and hire_date and leave_date < hire_date:
        raise RuleViolation(_("The leave date must not be before the hire date."), code="dates")
    person = Person.objects.create(
        employee_no=employee_no, name=name, department=department, position=position, title=title or "",
        manager=manager, status=status, email=email or "", phone=phone or "", hire_date=hire_date,
        leave_date=leave_date if status == EmploymentStatus.LEFT else None,
    )
    record_timeline(
        person, verb="hired", actor=actor,
        message=_("Registered in %(unit)s (%(status)s).") % {"unit": department, "status": person.get_status_display()},
        data={"department": department.pk, "status": status, "hire_date": hire_date.isoformat() if hire_date else None},
    )
    if assign_employee_role and status != EmploymentStatus.LEFT:
        employee_role = Role.objects.filter(code="employee").first()
        if employee_role is not None:
            RoleAssignment.objects.create(person=person, role=employee_role, unit=None, include_subtree=True)
    if status != EmploymentStatus.LEFT:
        signals.person_hired.send(sender=Person, person=person, actor=actor)  # AST-06
    return person


@transaction.atomic
def update_person(
    *, person: Person, actor, employee_no=UNSET, name=UNSET, department=UNSET, position=UNSET, title=UNSET,
    manager=UNSET, status=UNSET, email=UNSET, phone=UNSET, hire_date=UNSET, leave_date=UNSET,
    effective_date: datetime.date | None = None,
) -> Person:
    """Change a person's record. A new department is a transfer, a new status a lifecycle step:
    both are recorded on the timeline (see `transfer_person`, `change_status`)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if _given(employee_no) and employee_no != person.employee_no:
        person.employee_no = _check_employee_no(employee_no, exclude_pk=person.pk)
    if _given(name):
        person.name = _clean_text(name, field=_("Name"), max_length=100)
    if _given(position):
        person.position = position
    if _given(title):
        person.title = title or ""
    if _given(manager):
        _check_manager(person, manager)
        person.manager = manager
    if _given(email):
        person.email = email or ""
    if _given(phone):
        person.phone = phone or ""
    if _given(hire_date):
        person.hire_date = hire_date
    if _given(leave_date) and person.status == EmploymentStatus.LEFT:
        person.leave_date = leave_date
    if person.leave_date and person.hire_date and person.leave_date < person.hire_date:
        raise RuleViolation(_("The leave date must not be before the hire date."), code="dates")
    person.save()
    if _given(department) and department != person.department:
        person = transfer_person(person=person, department=department, actor=actor, date=effective_date)
    if _given(status) and status != person.status:
        person = change_status(
            person=person, status=status, actor=actor,
            date=effective_date or (leave_date if _given(leave_date) else None),
        )
    return person


@transaction.atomic
def transfer_person(
    *, person: Person, department: OrgUnit, actor, date: datetime.date | None = None, position=UNSET,
    manager=UNSET, end_unit_roles: bool = True, note: str = "",
) -> Person:
    """Move a person to another department (调动), recorded on the timeline.

    With `end_unit_roles`, the roles held in the old department that do not cover the new
    one (head, information officer…) end, so GOV-09 shows the old department as needing a
    new holder instead of keeping someone who left it.
    """
    person = Person.objects.select_for_update(of=("self",)).select_related("department").get(pk=person.pk)
    _check_department(department)
    if person.status == EmploymentStatus.LEFT:
        raise RuleViolation(_("%(name)s has left: re-hire them before a transfer.") % {"name": person}, code="left")
    old = person.department
    if old.pk == department.pk:
        return person
    person.department = department
    if _given(position):
        person.position = position
    if _given(manager):
        _check_manager(person, manager)
        person.manager = manager
    person.save()
    ended = []
    if end_unit_roles:
        for assignment in person.role_assignments.filter(unit__path__startswith=old.path).select_related("unit", "role"):
            if not department.is_descendant_of(assignment.unit) or (
                not assignment.include_subtree and assignment.unit_id != department.pk
            ):
                ended.append(f"{assignment.role}（{assignment.unit}）")
                _revoke(assignment, actor=actor, reason=_("transferred to %(unit)s") % {"unit": department})
    message = _("Transferred from %(old)s to %(new)s.") % {"old": old, "new": department}
    if ended:
        message += " " + _("Roles ended: %(roles)s.") % {"roles": "、".join(ended)}
    if note:
        message += " " + note
    record_timeline(
        person, verb="dept_transfer", actor=actor, message=message,
        data={"from": old.pk, "to": department.pk, "date": (date or timezone.localdate()).isoformat(), "ended_roles": ended},
    )
    return person


STATUS_VERBS = {
    EmploymentStatus.ACTIVE: "activated",
    EmploymentStatus.ONBOARDING: "rehired",
    EmploymentStatus.LEAVING: "leaving",
    EmploymentStatus.LEFT: "left",
}


@transaction.atomic
def change_status(*, person: Person, status: str, actor, date: datetime.date | None = None, note: str = "") -> Person:
    """A step of the employment lifecycle: joining → employed → leaving → left, and re-hire.

    Leaving (离职) closes the person's Zhidu login and ends their roles' effect (roles of
    people who left grant nothing, `selectors.grants_for_user`); re-hire opens the login again.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if status not in EmploymentStatus.values:
        raise RuleViolation(_("Unknown employment status “%(status)s”.") % {"status": status}, code="invalid_status")
    old = person.status
    if status == old:
        return person
    if status not in STATUS_TRANSITIONS.get(old, ()):
        raise Conflict(
            _("%(name)s cannot go from “%(old)s” to “%(new)s”.")
            % {"name": person, "old": EmploymentStatus(old).label, "new": EmploymentStatus(status).label},
            code="invalid_transition",
        )
    day = date or timezone.localdate()
    verb = STATUS_VERBS[status]
    person.status = status
    if status == EmploymentStatus.LEFT:
        if person.hire_date and day < person.hire_date:
            raise RuleViolation(_("The leave date must not be before the hire date."), code="dates")
        person.leave_date = day
    elif old == EmploymentStatus.LEFT:
        verb = "rehired"
        person.leave_date = None
        person.hire_date = day
    person.save()
    if person.user_id:
        user = person.user
        should_be_active = status != EmploymentStatus.LEFT
        if user.is_active != should_be_active and not user.is_superuser:
            user.is_active = should_be_active
            user.save(update_fields=["is_active"])
    message = _("Employment status: %(old)s → %(new)s (%(date)s).") % {
        "old": EmploymentStatus(old).label, "new": EmploymentStatus(status).label, "date": day.isoformat(),
    }
    if note:
        message += " " + note
    record_timeline(person, verb=verb, actor=actor, message=message,
                    data={"from": old, "to": status, "date": day.isoformat()})
    if status in (EmploymentStatus.LEAVING, EmploymentStatus.LEFT) and old not in (
            EmploymentStatus.LEAVING, EmploymentStatus.LEFT):
        signals.person_leaving.send(sender=Person, person=person, actor=actor)  # AST-07
    elif old == EmploymentStatus.LEFT:
        signals.person_hired.send(sender=Person, person=person, actor=actor)  # AST-06 (re-hire)
    return person


# --------------------------------------------------------------------------- logins


@transaction.atomic
def link_user(*, person: Person, user, actor) -> Person:
    """Link an existing login to a person (one login per person, one person per login)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    other = Person.objects.filter(user=user).exclude(pk=person.pk).first()
    if other is not None:
        raise Conflict(
            _("The login %(username)s already belongs to %(name)s.") % {"username": user.get_username(), "name": other},
            code="user_taken",
        )
    if person.user_id and person.user_id != user.pk:
        raise Conflict(
            _("%(name)s already has the login %(username)s: unlink it first.")
            % {"name": person, "username": person.user.get_username()},
            code="has_user",
        )
    if person.user_id == user.pk:
        return person
    person.user = user
    person.save()
    record_timeline(person, verb="login_linked", actor=actor,
                    message=_("Login %(username)s linked.") % {"username": user.get_username()},
                    data={"user": user.pk})
    return person


@transaction.atomic
def create_login(*, person: Person, username: str, actor, password: str | None = None, email: str = ""):
    """Create a login for a person and link it. Without a password the login cannot sign in
    until one is set (e.g. by a password reset or single sign-on)."""
    User = get_user_model()
    username = _clean_text(username, field=_("Username"), max_length=150)
    if User.objects.filter(username__iexact=username).exists():
        raise RuleViolation(_("The username %(username)s is taken.") % {"username": username}, code="username_taken")
    if person.user_id:
        raise Conflict(_("%(name)s already has a login.") % {"name": person}, code="has_user")
    user = User(username=username, email=email or person.email,
                is_active=person.status != EmploymentStatus.LEFT)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise RuleViolation(_("The username %(username)s is taken.") % {"username": username}, code="username_taken") from exc
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.user = user
    person.save()
    record_timeline(person, verb="login_created", actor=actor,
                    message=_("Login %(username)s created.") % {"username": username}, data={"user": user.pk})
    return user


@transaction.atomic
def unlink_user(*, person: Person, actor) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.user_id:
        return person
    username = person.user.get_username()
    person.user = None
    person.save()
    record_timeline(person, verb="login_unlinked", actor=actor,
                    message=_("Login %(username)s unlinked.") % {"username": username})
    return person


# --------------------------------------------------------------------------- roles


def _check_role_code(code: str, *, exclude_pk=None) -> str:
    code = _clean_text(code, field=_("Code"), max_length=40)
    if not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise RuleViolation(_("A role code uses letters, digits, “_” and “-” only."), code="invalid_code")
    qs = Role.objects.filter(code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise RuleViolation(_("The role code “%(code)s” is already used.") % {"code": code}, code="duplicate_code")
    return code


@transaction.atomic
def create_role(
    *, code: str, name: str, actor, generic_code: str = "", description: str = "", default_scope: str = "org",
    permissions: list[Permission] | None = None,
) -> Role:
    """An organisation's own role besides the built-in catalogue (§25.1)."""
    role = Role.objects.create(
        code=_check_role_code(code), name=_clean_text(name, field=_("Name"), max_length=100),
        generic_code=generic_code or "", description=description or "", default_scope=default_scope,
    )
    if permissions:
        role.permissions.set(permissions)
        _record_permissions(role, added=permissions, removed=[])
    return role


def _record_permissions(role: Role, *, added, removed) -> None:
    from zhidu.core.changelog import record_event

    if added or removed:
        record_event(role, data={
            "permissions_added": sorted(f"{p.content_type.app_label}.{p.codename}" for p in added),
            "permissions_removed": sorted(f"{p.content_type.app_label}.{p.codename}" for p in removed),
        })


@transaction.atomic
def update_role(
    *, role: Role, actor, code=UNSET, name=UNSET, generic_code=UNSET, description=UNSET, default_scope=UNSET,
    permissions=UNSET,
) -> Role:
    """Edit a role. A built-in role keeps its code (policies and code refer to it)."""
    role = Role.objects.select_for_update().get(pk=role.pk)
    if _given(code) and code != role.code:
        if role.is_builtin:
            raise RuleViolation(_("The code of a built-in role cannot change."), code="builtin")
        role.code = _check_role_code(code, exclude_pk=role.pk)
    if _given(name):
        role.name = _clean_text(name, field=_("Name"), max_length=100)
    if _given(generic_code):
        role.generic_code = generic_code or ""
    if _given(description):
        role.description = description or ""
    if _given(default_scope):
        role.default_scope = default_scope
    role.save()
    if _given(permissions):
        current = set(role.permissions.select_related("content_type"))
        wanted = set(permissions or [])
        role.permissions.set(wanted)
        _record_permissions(role, added=wanted - current, removed=current - wanted)
    return role


@transaction.atomic
def delete_role(*, role: Role, actor) -> None:
    if role.is_builtin:
        raise RuleViolation(_("A built-in role cannot be deleted."), code="builtin")
    held = role.assignments.count()
    if held:
        raise RuleViolation(
            _("The role %(role)s is held by %(n)d assignment(s): revoke them first.") % {"role": role, "n": held},
            code="in_use",
        )
    role.delete()


def _sync_unit_head(unit: OrgUnit | None) -> None:
    """Keep `OrgUnit.head` equal to a current holder of `dept_head` for exactly that unit."""
    if unit is None:
        return
    unit = OrgUnit.objects.get(pk=unit.pk)
    from .selectors import active_assignments

    holders = list(
        active_assignments().filter(role__code="dept_head", unit=unit, person__status__in=CURRENT_STATUSES)
        .order_by("id").values_list("person_id", flat=True)
    )
    if unit.head_id in holders or (not holders and unit.head_id is None):
        return
    unit.head_id = holders[0] if holders else None
    unit.save()


@transaction.atomic
def assign_role(
    *, person: Person, role: Role, actor, unit: OrgUnit | None = None, include_subtree: bool = True,
    valid_from: datetime.date | None = None, valid_until: datetime.date | None = None, note: str = "",
) -> RoleAssignment:
    """Give a person a role in a scope: a unit (with or without its sub-units) or, with
    `unit=None`, the whole organisation. Recorded on the person's timeline."""
    person = Person.objects.get(pk=person.pk)
    if person.status == EmploymentStatus.LEFT:
        raise RuleViolation(_("%(name)s has left: no role can be assigned.") % {"name": person}, code="left")
    if valid_from and valid_until and valid_until < valid_from:
        raise RuleViolation(_("The end date must not be before the start date."), code="dates")
    if unit is not None and not OrgUnit.objects.filter(pk=unit.pk, is_active=True).exists():
        raise RuleViolation(_("%(unit)s is deactivated.") % {"unit": unit}, code="unit_inactive")
    if RoleAssignment.objects.filter(person=person, role=role, unit=unit).exists():
        raise Conflict(
            _("%(name)s already holds %(role)s in this scope.") % {"name": person, "role": role}, code="duplicate"
        )
    assignment = RoleAssignment.objects.create(
        person=person, role=role, unit=unit, include_subtree=include_subtree if unit is not None else True,
        valid_from=valid_from, valid_until=valid_until, note=note or "",
    )
    record_timeline(
        person, verb="role_assigned", actor=actor,
        message=_("Role %(role)s assigned (%(scope)s).") % {"role": role, "scope": assignment.scope_label},
        data={"role": role.code, "unit": unit.pk if unit else None, "assignment": assignment.pk},
    )
    if role.code == "dept_head":
        _sync_unit_head(unit)
    return assignment


@transaction.atomic
def update_assignment(
    *, assignment: RoleAssignment, actor, include_subtree=UNSET, valid_from=UNSET, valid_until=UNSET, note=UNSET,
) -> RoleAssignment:
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if _given(include_subtree) and assignment.unit_id is not None:
        assignment.include_subtree = bool(include_subtree)
    if _given(valid_from):
        assignment.valid_from = valid_from
    if _given(valid_until):
        assignment.valid_until = valid_until
    if _given(note):
        assignment.note = note or ""
    if assignment.valid_from and assignment.valid_until and assignment.valid_until < assignment.valid_from:
        raise RuleViolation(_("The end date must not be before the start date."), code="dates")
    assignment.save()
    if assignment.role.code == "dept_head":
        _sync_unit_head(assignment.unit)
    return assignment


def _revoke(assignment: RoleAssignment, *, actor, reason: str = "") -> None:
    person, role, unit, label = assignment.person, assignment.role, assignment.unit, assignment.scope_label
    assignment.delete()
    message = _("Role %(role)s revoked (%(scope)s).") % {"role": role, "scope": label}
    if reason:
        message += " " + reason
    record_timeline(person, verb="role_revoked", actor=actor, message=message,
                    data={"role": role.code, "unit": unit.pk if unit else None})
    if role.code == "dept_head":
        _sync_unit_head(unit)


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, actor, reason: str = "") -> None:
    """End a role assignment now. The change log keeps the assignment as it was."""
    assignment = RoleAssignment.objects.select_for_update(of=("self",)).select_related("person", "role", "unit").get(pk=assignment.pk)
    _revoke(assignment, actor=actor, reason=reason)


# --------------------------------------------------------------------------- aliases


def _check_term(term: str, *, exclude_pk=None) -> str:
    term = _clean_text(term, field=_("Term"), max_length=100)
    existing = RoleAlias.objects.filter(term=term)
    if exclude_pk:
        existing = existing.exclude(pk=exclude_pk)
    other = existing.select_related("role").first()
    if other is not None:
        raise RuleViolation(
            _("The term “%(term)s” is already mapped to %(role)s.") % {"term": term, "role": other.role},
            code="duplicate",
        )
    return term


@transaction.atomic
def create_alias(*, term: str, role: Role, actor, note: str = "") -> RoleAlias:
    """Map a term of the regulation to a role (GOV-11), e.g. 综合管理部主管领导 → it_leader."""
    return RoleAlias.objects.create(term=_check_term(term), role=role, note=note or "")


@transaction.atomic
def update_alias(*, alias: RoleAlias, actor, term=UNSET, role=UNSET, note=UNSET) -> RoleAlias:
    alias = RoleAlias.objects.select_for_update().get(pk=alias.pk)
    if _given(term):
        alias.term = _check_term(term, exclude_pk=alias.pk)
    if _given(role):
        alias.role = role
    if _given(note):
        alias.note = note or ""
    alias.save()
    return alias


@transaction.atomic
def delete_alias(*, alias: RoleAlias, actor) -> None:
    alias.delete()

