"""Users with roles and scopes for tests, independent of the seeded role catalogue.

    unit = make_unit("财务部")
    head = make_user(roles=[("dept_head", unit, True)], department=unit,
                     role_perms={"dept_head": ["procurement.view_purchaserequest"]})
    clerk = make_user(perms=["org.view_person", "org.change_person"], scope=unit)   # ad-hoc role
    boss = make_user(perms=perms_for(Person, "view"), scope=None)                    # org-wide
    admin = make_user(superuser=True)

Roles are looked up by code and created (empty) when the catalogue is not seeded; the
permissions given explicitly are added to them, so a test states exactly what it needs.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

PASSWORD = "Test-Passw0rd!"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def perms_for(model, *actions: str) -> list[str]:
    """["app.view_model", …] for the given actions (default: view, add, change, delete)."""
    actions = actions or ("view", "add", "change", "delete")
    return [f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in actions]


def get_permission(spec) -> Permission:
    """A Permission from "app_label.codename", a Permission, or (model, action)."""
    if isinstance(spec, Permission):
        return spec
    if isinstance(spec, tuple):
        model, action = spec
        spec = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    app_label, _, codename = str(spec).partition(".")
    if not codename:
        raise ValueError(f"permission {spec!r} must be 'app_label.codename'")
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist as exc:
        raise ValueError(f"no permission {spec!r} (is the model installed and migrated?)") from exc


def make_unit(name: str | None = None, *, parent=None, code: str | None = None, **kwargs):
    """An org unit (saved through the ORM; path and tree key are set by OrgUnit.save)."""
    from zhidu.org.models import OrgUnit

    n = _next()
    return OrgUnit.objects.create(name=name or f"测试单位{n}", code=code or f"T{n:05d}", parent=parent, **kwargs)


def make_role(code: str, perms: Iterable = (), *, name: str | None = None):
    """The role with this code (created when missing), holding at least `perms`."""
    from zhidu.org.models import Role

    role, _created = Role.objects.get_or_create(code=code, defaults={"name": name or code})
    permissions = [get_permission(p) for p in perms]
    if permissions:
        role.permissions.add(*permissions)
    return role


def _role_spec(spec):
    """(role, unit, subtree, perms) from "code" | (code, unit) | (code, unit, subtree) | (…, perms)."""
    if isinstance(spec, str) or hasattr(spec, "_meta"):
        return spec, None, True, ()
    spec = tuple(spec)
    role = spec[0]
    unit = spec[1] if len(spec) > 1 else None
    subtree = spec[2] if len(spec) > 2 else True
    perms = spec[3] if len(spec) > 3 else ()
    return role, unit, subtree, perms


def assign_role(person, role, unit=None, *, subtree: bool = True, perms: Iterable = ()):
    from zhidu.org.models import Role, RoleAssignment

    if not isinstance(role, Role):
        role = make_role(str(role), perms)
    elif perms:
        role.permissions.add(*[get_permission(p) for p in perms])
    return RoleAssignment.objects.create(person=person, role=role, unit=unit, include_subtree=subtree)


def make_user(
    *,
    username: str | None = None,
    name: str | None = None,
    department=None,
    roles: Iterable = (),
    role_perms: dict | None = None,
    perms: Iterable = (),
    scope=None,
    subtree: bool = True,
    superuser: bool = False,
    person: bool = True,
    password: str = PASSWORD,
    **person_fields,
):
    """A login user with a Person in `department` (a new unit when None) and the given roles.

    roles:      "code" (org-wide) | (code|Role, unit) | (code|Role, unit, subtree) | (…, perms)
    role_perms: {"code": ["app.codename", …]} permissions added to those roles
    perms:      permissions granted through an ad-hoc role held in `scope` (None: org-wide)
    Returns the User, fresh from the database (no cached grants); `user.person` is set.
    """
    from zhidu.org.models import Person

    n = _next()
    username = username or f"tester{n}"
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username=username, email=f"{username}@example.com", password=password)
    else:
        user = User.objects.create_user(username=username, email=f"{username}@example.com", password=password)
    if not person:
        return User.objects.get(pk=user.pk)
    if department is None:
        department = scope if scope is not None else make_unit()
    the_person = Person.objects.create(
        employee_no=person_fields.pop("employee_no", f"T{n:06d}"),
        name=name or username,
        department=department,
        user=user,
        **person_fields,
    )
    role_perms = role_perms or {}
    for spec in roles:
        role, unit, sub, extra = _role_spec(spec)
        code = role if isinstance(role, str) else role.code
        assign_role(the_person, role, unit, subtree=sub, perms=[*extra, *role_perms.get(code, ())])
    perms = list(perms)
    if perms:
        assign_role(the_person, make_role(f"test-{username}", perms), scope, subtree=subtree)
    return User.objects.get(pk=user.pk)


def refresh_grants(user):
    """Forget the grants cached on a user object (after changing its roles in a test)."""
    for attr in ("_zhidu_grants", "_zhidu_person_id"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user
