"""Read queries about the organisation, reused by scoping, the approval engine and reports."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from zhidu.core.scoping import Grant

from .models import OrgUnit, Person, RoleAssignment


def active_assignments():
    today = timezone.localdate()
    return RoleAssignment.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
    )


def grants_for_user(user) -> dict[str, list[Grant]]:
    """Every permission the user holds through roles, with the scope of each (one query)."""
    rows = (
        active_assignments()
        .filter(person__user=user, person__status__in=["active", "onboarding", "leaving"])
        .values_list(
            "unit_id", "unit__path", "include_subtree",
            "role__permissions__content_type__app_label", "role__permissions__codename",
        )
    )
    result: dict[str, list[Grant]] = defaultdict(list)
    for unit_id, path, subtree, app_label, codename in rows:
        if codename is None:
            continue
        result[f"{app_label}.{codename}"].append(Grant(unit_id=unit_id, unit_path=path, subtree=subtree))
    return dict(result)


def unit_chain(unit: OrgUnit) -> list[int]:
    """The unit and its parents, nearest first (for 'role in the requester's department chain')."""
    return list(reversed(unit.ancestor_ids()))


def holders_of_role(role_code: str, *, unit: OrgUnit | None = None, chain: bool = True):
    """People holding a role whose scope covers `unit` (or org-wide holders when unit is None).

    With `chain`, the nearest unit in the chain that has a holder wins: a department head of
    the requester's own department before the head of its parent.
    """
    qs = active_assignments().filter(role__code=role_code, person__status="active").select_related("person", "unit")
    if unit is None:
        return [a.person for a in qs.filter(unit__isnull=True)] or [a.person for a in qs]
    ancestors = unit_chain(unit)
    by_unit = defaultdict(list)
    org_wide = []
    for a in qs.filter(Q(unit_id__in=ancestors) | Q(unit__isnull=True)):
        if a.unit_id is None:
            org_wide.append(a.person)
        elif a.unit_id == unit.pk or a.include_subtree:
            by_unit[a.unit_id].append(a.person)
    if chain:
        for unit_id in ancestors:
            if by_unit.get(unit_id):
                return by_unit[unit_id]
    else:
        if by_unit.get(unit.pk):
            return by_unit[unit.pk]
    return org_wide


def person_for_user(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).select_related("department").first()
