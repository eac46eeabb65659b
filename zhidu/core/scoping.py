"""The one scoping rule (DESIGN rule 6): `Model.objects.restrict(user, action)`.

A user may act on an object when one of these holds:

* the user is a superuser;
* a role the user holds grants the permission `<app>.<action>_<model>` and the role
  assignment's scope covers the object's org unit (the unit itself, or its subtree, or the
  whole organisation when the assignment has no unit);
* the user is the object's owner (`scope_owner_fields`, e.g. the requester) and the action is
  one owners may take (`scope_owner_actions`);
* the model says the user takes part in the object (`scope_participant_q`, e.g. an approver
  with a task on the request).

Every list, detail, export and API endpoint filters through this method; nothing else
decides visibility. Out-of-scope objects are therefore 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.db.models.lookups import Lookup

ORG_WIDE = None


@dataclass(frozen=True)
class Grant:
    """A permission held through one role assignment, with its scope."""

    unit_id: int | None  # None: the whole organisation
    unit_path: str | None
    subtree: bool


def _load_grants(user) -> dict[str, list[Grant]]:
    from zhidu.org.selectors import grants_for_user

    return grants_for_user(user)


def grants(user, perm: str) -> list[Grant]:
    """The grants of `perm` the user holds, computed once per user object (one query)."""
    cache = getattr(user, "_zhidu_grants", None)
    if cache is None:
        cache = _load_grants(user)
        user._zhidu_grants = cache
    return cache.get(perm, [])


def user_person_id(user) -> int | None:
    cached = getattr(user, "_zhidu_person_id", False)
    if cached is False:
        from zhidu.org.models import Person

        cached = Person.objects.filter(user=user).values_list("pk", flat=True).first()
        user._zhidu_person_id = cached
    return cached


def perm_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def has_perm_anywhere(user, model, action: str) -> bool:
    """Whether the user holds the permission in any scope (for showing a button or a menu)."""
    if not (user and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    return bool(grants(user, perm_name(model, action)))


def _subtree_ids(unit_path: str):
    """The ids of the units under `unit_path` (inclusive), as a subquery."""
    from zhidu.org.models import OrgUnit

    return OrgUnit.objects.filter(path__startswith=unit_path).values("pk")


def _in_subtree(unit_field: str, unit_path: str) -> Q:
    """`unit IN (units of the subtree)`; on PostgreSQL `unit = ANY(ARRAY(subquery))`, which (unlike a
    hashed sub-plan inside the OR with the owner fields) the planner can answer from the unit's index
    (a BitmapOr), so a scoped count or deep page does not scan the table (docs/benchmarks-assets.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return Q(**{f"{unit_field}__in": _subtree_ids(unit_path)})
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import F

    return Q(_AnyOf(F(unit_field), ArraySubquery(_subtree_ids(unit_path))))


class _AnyOf(Lookup):
    """`lhs = ANY(rhs)` (rhs an array expression)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def scope_q(user, model, action: str) -> Q | None:
    """The filter for objects of `model` the user may `action`; None means all of them."""
    if user.is_superuser:
        return None
    condition = Q(pk__in=[])
    unit_field = model.scope_unit_field
    for grant in grants(user, perm_name(model, action)):
        if grant.unit_id is ORG_WIDE:
            return None
        if unit_field is None:
            continue
        prefix = "" if unit_field == "self" else f"{unit_field}__"
        if grant.subtree and unit_field != "self":
            # `unit IN (units of the subtree)` rather than a join on the unit's path: the
            # databases then use the index of the foreign key (SQLite: 4–5× faster on a
            # scoped list of 100,000 rows, see bench/ and docs/_bench.md).
            condition |= _in_subtree(unit_field, grant.unit_path)
        elif grant.subtree:
            condition |= Q(**{f"{prefix}path__startswith": grant.unit_path})
        else:
            condition |= Q(**{f"{prefix}pk" if prefix else "pk": grant.unit_id})
    person_id = user_person_id(user)
    if person_id is not None:
        if action in model.scope_owner_actions:
            for field in model.scope_owner_fields:
                condition |= Q(**{field: person_id})
        participant = model.scope_participant_q(person_id, action)
        if participant is not None:
            condition |= participant
    return condition


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Only the objects `user` may `action` (view, add, change, delete, or a custom one)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        condition = scope_q(user, self.model, action)
        if condition is None:
            return self
        return self.filter(condition)


class ScopedModelMixin:
    """Declarations read by `scope_q`; BaseModel carries them."""

    scope_unit_field: str | None = None
    scope_owner_fields: tuple[str, ...] = ()
    scope_owner_actions: tuple[str, ...] = ("view",)

    @classmethod
    def scope_participant_q(cls, person_id: int, action: str) -> Q | None:
        return None
