"""Read queries about the organisation, reused by scoping, the approval engine, views and reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core.scoping import Grant, grants

from .choices import CURRENT_STATUSES, UnitKind
from .models import OrgUnit, Person, Role, RoleAlias, RoleAssignment

#: The roles every department must have filled (GOV-09, 篇2 第五条, 篇14/5 第八条).
GOV09_ROLES = ("dept_head", "dept_it_officer")


def active_assignments(day=None):
    """Role assignments valid on `day` (today by default)."""
    today = day or timezone.localdate()
    return RoleAssignment.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
    )


def grants_for_user(user) -> dict[str, list[Grant]]:
    """Every permission the user holds through roles, with the scope of each (one query)."""
    rows = (
        active_assignments()
        .filter(person__user=user, person__status__in=CURRENT_STATUSES)
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


def can_act_in_unit(user, perm: str, unit: OrgUnit | None) -> bool:
    """Whether `user` holds `perm` ("org.add_person") in a scope covering `unit`.

    Used where the object does not exist yet (creating a person in a department, importing a
    row): the same rule as `restrict()`, applied to the target unit. `unit=None` asks for an
    organisation-wide grant.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    for grant in grants(user, perm):
        if grant.unit_id is None:
            return True
        if unit is None:
            continue
        if grant.unit_id == unit.pk or (grant.subtree and unit.path.startswith(grant.unit_path or "\0")):
            return True
    return False


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


def it_authority_units():
    """The unit(s) designated the IT authority (GOV-07), e.g. 综合管理部."""
    return OrgUnit.objects.filter(is_it_authority=True, is_active=True)


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery (no GROUP BY on the outer query)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def with_member_counts(queryset):
    """Units annotated with `member_count` (current people directly in the unit), `total_count`
    (current people in the unit and its sub-units) and `child_count` (active sub-units).
    Correlated subqueries: one query for the whole page, whatever its size."""
    current = Person.objects.filter(status__in=CURRENT_STATUSES).order_by()
    return queryset.annotate(
        member_count=SubqueryCount(current.filter(department=OuterRef("pk")).values("pk")),
        total_count=SubqueryCount(current.filter(department__path__startswith=OuterRef("path")).values("pk")),
        child_count=SubqueryCount(OrgUnit.objects.filter(parent=OuterRef("pk"), is_active=True).order_by().values("pk")),
    )


def subtree(unit: OrgUnit, *, include_self: bool = True):
    qs = OrgUnit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def people_in(unit: OrgUnit, *, include_subtree: bool = True):
    if include_subtree:
        return Person.objects.filter(department__in=OrgUnit.objects.filter(path__startswith=unit.path).values("pk"))
    return Person.objects.filter(department=unit)


@dataclass(frozen=True)
class MissingRoles:
    unit: OrgUnit
    missing: tuple[Role, ...]

    @property
    def missing_names(self) -> str:
        return "、".join(r.name for r in self.missing)


def departments_missing_it_roles(queryset=None, *, day=None) -> list[MissingRoles]:
    """GOV-09 (篇2 第五条, 篇14/5 第八条): departments without a head or an information officer.

    A department counts as covered when a current person holds the role with the department
    itself as the assignment's unit (a head of a parent unit does not name the department's
    own 第一责任人 or 信息员). Checks active units of type department; two queries.
    """
    units = queryset if queryset is not None else OrgUnit.objects.all()
    units = units.filter(kind=UnitKind.DEPARTMENT, is_active=True)
    roles = {r.code: r for r in Role.objects.filter(code__in=GOV09_ROLES)}
    if not roles:
        return []
    held = active_assignments(day).filter(role__code__in=GOV09_ROLES, person__status__in=CURRENT_STATUSES)
    annotations = {
        f"has_{code}": Exists(held.filter(role__code=code, unit=OuterRef("pk"))) for code in roles
    }
    result = []
    for unit in units.annotate(**annotations).order_by("tree_key"):
        missing = tuple(roles[c] for c in GOV09_ROLES if c in roles and not getattr(unit, f"has_{c}"))
        if missing:
            result.append(MissingRoles(unit=unit, missing=missing))
    return result


class UnitIndex:
    """Resolves what people type for a unit in an import file: a code, a unique name, or a
    path of names ("总部/信息中心", "华信科技有限公司/综合管理部/信息中心", or a tail of the
    full path such as "综合管理部/信息中心"). Loads the units once; `add()` keeps it current
    while an import creates units.
    """

    def __init__(self, units=None):
        self.by_id: dict[int, OrgUnit] = {}
        self.by_code: dict[str, OrgUnit] = {}
        self.by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        for unit in units if units is not None else OrgUnit.objects.all():
            self.add(unit)

    def add(self, unit: OrgUnit) -> None:
        old = self.by_id.get(unit.pk)
        if old is not None and old in self.by_name.get(old.name, []):
            self.by_name[old.name].remove(old)
        self.by_id[unit.pk] = unit
        self.by_code[unit.code.casefold()] = unit
        self.by_name[unit.name].append(unit)

    def names_path(self, unit: OrgUnit) -> list[str]:
        names = []
        for pk in unit.ancestor_ids():
            node = self.by_id.get(pk)
            names.append(node.name if node else "?")
        return names

    def full_name(self, unit: OrgUnit) -> str:
        return "/".join(self.names_path(unit))

    def resolve(self, text: str) -> OrgUnit:
        """The one unit `text` designates; ValueError with a Chinese message otherwise."""
        text = (text or "").strip().replace("\\", "/").replace("／", "/")
        if not text:
            raise ValueError(_("No unit given."))
        by_code = self.by_code.get(text.casefold())
        if by_code is not None:
            return by_code
        parts = [p.strip() for p in text.strip("/").split("/") if p.strip()]
        candidates = list(self.by_name.get(parts[-1], []))
        if len(parts) > 1:
            matched = []
            for unit in candidates:
                names = self.names_path(unit)
                if names[-len(parts):] == parts:
                    matched.append(unit)
                elif names[1:][-len(parts):] == parts[1:] and len(parts) == len(names):
                    # "总部/信息中心": the first segment names the root by another word.
                    matched.append(unit)
            candidates = matched
        if not candidates:
            raise ValueError(_("Unit “%(text)s” not found (give its code, its unique name or its path).") % {"text": text})
        if len(candidates) > 1:
            options = "；".join(self.full_name(u) for u in candidates[:5])
            raise ValueError(
                _("Unit “%(text)s” is ambiguous: %(options)s. Give its code or its path.") % {"text": text, "options": options}
            )
        return candidates[0]


def role_choices_for_assignment():
    return Role.objects.order_by("code")


def resolve_role_term(term: str) -> Role | None:
    """The role a regulation term names (GOV-11): an alias, a role code or a role name."""
    term = (term or "").strip()
    if not term:
        return None
    alias = RoleAlias.objects.select_related("role").filter(term=term).first()
    if alias is not None:
        return alias.role
    return Role.objects.filter(code=term).first() or Role.objects.filter(name=term).first()


def require_person(user) -> Person:
    """The person behind a login, for actions that need one (a requester, a signer); 403 otherwise."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    person = person_for_user(user)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person, so it cannot make requests."))
    return person


def visible_person(user, pk) -> Person:
    """A person named in a payload (acceptor, receiver, performer): must exist and be visible to the user."""
    from django.utils.translation import gettext as _

    from zhidu.core.errors import RuleViolation

    person = Person.objects.restrict(user, "view").filter(pk=pk).first()
    if person is None:
        raise RuleViolation(_("Unknown person %(id)s.") % {"id": pk}, code="invalid")
    return person


# --------------------------------------------------------------------------- person picker

#: How many people one search of the picker returns.
PICK_LIMIT = 20

#: The pools a picker may search. "visible": the people the user may see (`restrict(user, "view")`);
#: "colleagues": those plus the people of the user's own department (a custodian hands a device
#: over to a colleague they cannot otherwise browse, AST-10).
PICK_POOLS = ("visible", "colleagues")


def pickable_people(user, pool: str = "visible"):
    """The current people `user` may pick in a form (the picker's search and its validation)."""
    visible = Person.objects.restrict(user, "view")
    if pool == "colleagues":
        own_department = Person.objects.filter(user_id=getattr(user, "pk", None) or 0).values("department_id")[:1]
        visible = Person.objects.filter(Q(pk__in=visible.values("pk")) | Q(department_id=Subquery(own_department)))
    return visible.filter(status__in=CURRENT_STATUSES)


def search_people(user, query: str, *, pool: str = "visible", limit: int = PICK_LIMIT) -> list[Person]:
    """At most `limit` pickable people matching every word of `query` in the employee number, the
    name or the department name (one query, whatever the size of the organisation)."""
    people = pickable_people(user, pool).select_related("department")
    for word in query.split()[:5]:
        people = people.filter(Q(employee_no__icontains=word) | Q(name__icontains=word)
                               | Q(department__name__icontains=word))
    return list(people.order_by("name", "employee_no")[:limit])
