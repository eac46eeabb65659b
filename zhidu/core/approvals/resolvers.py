"""Who decides a step: the step's resolver applied to the request (DESIGN "The approval engine").

* `role_chain`: holders of a role in the requester's department or, nearest first, its parents;
* `role_org`: holders of a role organisation-wide (CFO, general manager);
* `owner_department`: the head (or a role) of the business department named by a fact;
* `person`: a named person.

The requester never approves their own request: they are left out, and for a chain resolver the
search moves to the next unit up; when nobody else remains the submission is refused with a
message naming the role. A delegation (委托) in force sends the task to the delegate, who acts
for the absent person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from zhidu.core.errors import RuleViolation
from zhidu.org.models import OrgUnit, Person
from zhidu.org.selectors import holders_of_role

from .choices import Resolver
from .models import Delegation
from .policy import tr


@dataclass(frozen=True)
class Assignment:
    assignee: Person
    acting_for: Person | None = None
    delegation: Delegation | None = None


def _role_label(code: str) -> str:
    from zhidu.org.models import Role

    name = Role.objects.filter(code=code).values_list("name", flat=True).first()
    return f"{name} ({code})" if name else code


def _without(people, requester_id) -> list[Person]:
    seen = set()
    result = []
    for person in people:
        if person is None or person.pk == requester_id or person.pk in seen or person.status != "active":
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def _chain_units(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and its parents, nearest first (one query)."""
    ids = list(reversed(unit.ancestor_ids())) or [unit.pk]
    units = OrgUnit.objects.in_bulk(ids)
    return [units[i] for i in ids if i in units]


def _own_request_refusal(step: dict, who: str) -> RuleViolation:
    return RuleViolation(
        _("Step “%(step)s” cannot be assigned: %(who)s is the requester, and nobody approves their own "
          "request; no other person holds the role. Assign the role to someone else or change the policy.")
        % {"step": tr(step.get("name")), "who": who},
        code="self_approval",
    )


def resolve_people(step: dict, *, context: dict, requester: Person) -> list[Person]:
    """The people who decide `step` for this request (without delegation); RuleViolation if none."""
    resolver = step.get("resolver")
    role = step.get("role") or ""
    requester_id = requester.pk
    step_name = tr(step.get("name"))
    if resolver == Resolver.ROLE_CHAIN:
        holders: list[Person] = []
        found_any = False
        for unit in _chain_units(requester.department):
            candidates = holders_of_role(role, unit=unit, chain=True)
            found_any = found_any or bool(candidates)
            holders = _without(candidates, requester_id)
            if holders:
                return holders
        if found_any:
            raise _own_request_refusal(step, requester.name)
        raise RuleViolation(
            _("Step “%(step)s” cannot be assigned: nobody holds the role %(role)s in %(unit)s or its parent "
              "units. Assign the role (Organisation → Roles) or change the approval policy.")
            % {"step": step_name, "role": _role_label(role), "unit": requester.department},
            code="no_approver",
        )
    if resolver == Resolver.ROLE_ORG:
        candidates = holders_of_role(role, unit=None)
        holders = _without(candidates, requester_id)
        if holders:
            return holders
        if candidates:
            raise _own_request_refusal(step, requester.name)
        raise RuleViolation(
            _("Step “%(step)s” cannot be assigned: nobody holds the role %(role)s. Assign the role "
              "(Organisation → Roles) or change the approval policy.") % {"step": step_name, "role": _role_label(role)},
            code="no_approver",
        )
    if resolver == Resolver.OWNER_DEPARTMENT:
        key = step.get("context_key") or ""
        unit = context.get(key)
        if isinstance(unit, Person):
            unit = unit.department
        if not isinstance(unit, OrgUnit):
            raise RuleViolation(
                _("Step “%(step)s” needs the owner department (%(key)s), which this request does not name.")
                % {"step": step_name, "key": key},
                code="no_approver",
            )
        if role:
            candidates = holders_of_role(role, unit=unit, chain=True)
            holders = _without(candidates, requester_id)
            if holders:
                return holders
            if candidates:
                raise _own_request_refusal(step, requester.name)
            raise RuleViolation(
                _("Step “%(step)s” cannot be assigned: nobody holds the role %(role)s for %(unit)s.")
                % {"step": step_name, "role": _role_label(role), "unit": unit},
                code="no_approver",
            )
        heads = [u.head for u in _chain_units_with_heads(unit)]
        for head in heads:
            holders = _without([head], requester_id)
            if holders:
                return holders
        if heads:
            raise _own_request_refusal(step, requester.name)
        raise RuleViolation(
            _("Step “%(step)s” cannot be assigned: %(unit)s has no head. Set the head of the unit "
              "(Organisation → Units).") % {"step": step_name, "unit": unit},
            code="no_approver",
        )
    if resolver == Resolver.PERSON:
        person = Person.objects.filter(pk=step.get("person")).first()
        if person is None or person.status != "active":
            raise RuleViolation(
                _("Step “%(step)s” names a person who no longer works here; an administrator must change the "
                  "approval policy.") % {"step": step_name},
                code="no_approver",
            )
        if person.pk == requester_id:
            raise _own_request_refusal(step, requester.name)
        return [person]
    raise RuleViolation(_("Step “%(step)s” has no valid resolver.") % {"step": step_name}, code="policy_invalid")


def _chain_units_with_heads(unit: OrgUnit) -> list[OrgUnit]:
    ids = list(reversed(unit.ancestor_ids())) or [unit.pk]
    units = OrgUnit.objects.select_related("head").in_bulk(ids)
    return [units[i] for i in ids if i in units and units[i].head_id]


def active_delegation(person: Person, *, process_key: str, now) -> Delegation | None:
    """The delegation of `person` in force at `now` for the process, if any (the newest wins)."""
    for delegation in (
        Delegation.objects.filter(person=person, is_active=True, start__lte=now, end__gt=now)
        .filter(Q(delegate__status="active"))
        .select_related("delegate")
        .order_by("-start", "-id")
    ):
        if delegation.covers(process_key):
            return delegation
    return None


def apply_delegation(people: list[Person], *, process_key: str, requester: Person, now) -> list[Assignment]:
    """Assignments for `people`, replacing a person by their delegate during a delegation.

    The requester never receives a task as a delegate (the absent person keeps it then).
    """
    result: list[Assignment] = []
    taken: set[int] = set()
    for person in people:
        delegation = active_delegation(person, process_key=process_key, now=now)
        if delegation is not None and delegation.delegate_id != requester.pk and delegation.delegate_id not in taken:
            result.append(Assignment(assignee=delegation.delegate, acting_for=person, delegation=delegation))
            taken.add(delegation.delegate_id)
        elif person.pk not in taken:
            result.append(Assignment(assignee=person))
            taken.add(person.pk)
    return result


def escalation_target(assignee: Person, *, exclude_ids: set[int]) -> Person | None:
    """Whom an overdue task escalates to: the assignee's line manager, else the head of their unit,
    else the head of a parent unit; never the assignee, the requester or someone in `exclude_ids`."""
    candidates: list[Person | None] = []
    if assignee.manager_id:
        candidates.append(assignee.manager)
    candidates.extend(u.head for u in _chain_units_with_heads(assignee.department))
    for person in candidates:
        if person is None or person.pk == assignee.pk or person.pk in exclude_ids or person.status != "active":
            continue
        return person
    return None
