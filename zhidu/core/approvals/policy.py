"""Policy definitions: their shape, validation, evaluation and readable rendering.

A definition (the JSON of an `ApprovalPolicyVersion`) is::

    {"rules": [                                   # ordered: the first rule whose condition holds wins
      {"name": "Up to the threshold",
       "condition": {"all": [                     # or {"any": [...]}; no rows = always
          {"field": "amount", "op": "lte", "param": "procurement.approval_threshold"},
          {"field": "category", "op": "in", "value": ["server", "storage"]}]},
       "steps": [                                 # the chain, in order
          {"key": "it_leader", "name": "IT supervising leader approval",
           "resolver": "role_org",                # role_chain | role_org | owner_department | person
           "role": "it_leader",                   # role code (role_chain, role_org; owner_department: empty = head)
           "context_key": "",                     # owner_department: the fact naming the OrgUnit
           "person": null,                        # person: the Person id
           "mode": "any",                         # any (或签) | all (会签)
           "deadline_hours": 48,                  # null: the default (approvals.default_deadline_hours)
           "opinion_required": true,              # SW-08
           "choices": [{"value": "purchase", "label": "Purchase"}]}]}]}

A condition row compares a fact of the request (`field`, a key of the process's context, with
dotted attributes: "department.code") with a literal `value` or with the current value of a
regulation parameter (`param`), so a threshold follows the parameter without editing the policy.
"""

from __future__ import annotations

import contextlib
import decimal
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from zhidu.core import params
from zhidu.core.errors import RuleViolation

from .choices import Match, Mode, Operator, Resolver

FIELD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
SLUG_RE = re.compile(r"^[A-Za-z0-9_\-]+$")
MAX_DEADLINE_HOURS = 24 * 365
OPS = {op.value for op in Operator}
RESOLVERS = {r.value for r in Resolver}
MODES = {m.value for m in Mode}


# --------------------------------------------------------------------------- shape helpers
def tr(text) -> str:
    """Translate a label stored in a definition (preset labels are English msgids; labels typed by an
    administrator pass through). Never translates "" (that would return the catalogue header)."""
    return _(str(text)) if text else ""


def condition_rows(rule: dict) -> tuple[str, list[dict]]:
    """(match, rows) of a rule's condition: match is "all" or "any"."""
    condition = rule.get("condition") or {}
    if "any" in condition:
        return Match.ANY.value, list(condition.get("any") or [])
    return Match.ALL.value, list(condition.get("all") or [])


def empty_step() -> dict:
    return {"key": "", "name": "", "resolver": Resolver.ROLE_CHAIN.value, "role": "", "context_key": "",
            "person": None, "mode": Mode.ANY.value, "deadline_hours": None, "opinion_required": False,
            "choices": []}


def empty_rule() -> dict:
    return {"name": "", "condition": {"all": []}, "steps": [empty_step()]}


# --------------------------------------------------------------------------- validation
def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def validate_definition(definition, *, strict: bool = True) -> dict:
    """Check and normalise a definition; raise ValidationError({path: [messages]}) listing every problem.

    Paths look like "rules.0.steps.1.role". With `strict`, role codes and people must exist
    (the editor and the API); presets are checked without the database.
    """
    errors: dict[str, list[str]] = {}

    def err(path, message):
        errors.setdefault(path, []).append(str(message))

    if not isinstance(definition, dict) or not isinstance(definition.get("rules"), list):
        raise ValidationError({"rules": [_("A policy needs a list of rules.")]})
    rules_in = definition["rules"]
    if not rules_in:
        err("rules", _("Add at least one rule."))
    role_codes = person_ids = None
    if strict:
        from zhidu.org.models import Person, Role

        wanted_roles = {s.get("role") for r in rules_in if isinstance(r, dict) for s in r.get("steps") or []
                        if isinstance(s, dict) and s.get("role")}
        wanted_people = set()
        for r in rules_in:
            for s in (r.get("steps") or []) if isinstance(r, dict) else []:
                if isinstance(s, dict) and s.get("person") not in (None, ""):
                    with contextlib.suppress(TypeError, ValueError):
                        wanted_people.add(int(s["person"]))
        role_codes = set(Role.objects.filter(code__in=wanted_roles).values_list("code", flat=True))
        person_ids = set(Person.objects.filter(pk__in=wanted_people, status="active").values_list("pk", flat=True))

    rules_out = []
    for ri, rule in enumerate(rules_in):
        base = f"rules.{ri}"
        if not isinstance(rule, dict):
            err(base, _("A rule must be an object."))
            continue
        name = str(rule.get("name") or "").strip()
        if not name:
            err(f"{base}.name", _("Give the rule a name."))
        match, rows = condition_rows(rule)
        rows_out = []
        for ci, row in enumerate(rows):
            cbase = f"{base}.condition.{ci}"
            if not isinstance(row, dict):
                err(cbase, _("A condition must be an object."))
                continue
            field = str(row.get("field") or "").strip()
            op = str(row.get("op") or "").strip()
            has_param = bool(str(row.get("param") or "").strip())
            has_value = "value" in row and row.get("value") not in (None, "") and row.get("value") != []
            if not FIELD_RE.match(field):
                err(f"{cbase}.field", _("Name the fact to test (letters, digits, _ and dots), e.g. amount."))
            if op not in OPS:
                err(f"{cbase}.op", _("Choose an operator."))
            if has_param == has_value:
                err(f"{cbase}.value", _("Give either a value or a regulation parameter, not both."))
            out = {"field": field, "op": op}
            if has_param:
                key = str(row["param"]).strip()
                if not params.is_defined(key):
                    err(f"{cbase}.param", _("Regulation parameter %(key)s is not defined.") % {"key": key})
                out["param"] = key
            elif has_value:
                value = row["value"]
                if op == Operator.IN:
                    if isinstance(value, str):
                        value = [v.strip() for v in re.split(r"[,，、]", value) if v.strip()]
                    if not isinstance(value, list) or not value:
                        err(f"{cbase}.value", _("List the values separated by commas."))
                elif isinstance(value, list | dict):
                    err(f"{cbase}.value", _("Give a single value for this operator."))
                out["value"] = value
            rows_out.append(out)
        steps_in = rule.get("steps")
        if not isinstance(steps_in, list) or not steps_in:
            err(f"{base}.steps", _("A rule needs at least one approval step."))
            steps_in = []
        steps_out = []
        keys_seen = set()
        for si, step in enumerate(steps_in):
            sbase = f"{base}.steps.{si}"
            if not isinstance(step, dict):
                err(sbase, _("A step must be an object."))
                continue
            out = empty_step()
            out["name"] = str(step.get("name") or "").strip()
            if not out["name"]:
                err(f"{sbase}.name", _("Give the step a name."))
            key = str(step.get("key") or "").strip() or f"step{si + 1}"
            if not SLUG_RE.match(key):
                err(f"{sbase}.key", _("A step key uses letters, digits, - and _ only."))
            elif key in keys_seen:
                err(f"{sbase}.key", _("Two steps of a rule cannot share a key."))
            keys_seen.add(key)
            out["key"] = key
            resolver = str(step.get("resolver") or "").strip()
            out["resolver"] = resolver
            if resolver not in RESOLVERS:
                err(f"{sbase}.resolver", _("Choose who decides this step."))
            role = str(step.get("role") or "").strip()
            out["role"] = role
            if resolver in (Resolver.ROLE_CHAIN, Resolver.ROLE_ORG) and not role:
                err(f"{sbase}.role", _("Choose the role that decides this step."))
            if role and not SLUG_RE.match(role):
                err(f"{sbase}.role", _("A role code uses letters, digits, - and _ only."))
            elif role and strict and role not in role_codes and resolver != Resolver.PERSON:
                err(f"{sbase}.role", _("No role with code %(code)s exists.") % {"code": role})
            if resolver == Resolver.OWNER_DEPARTMENT:
                context_key = str(step.get("context_key") or "").strip()
                if not FIELD_RE.match(context_key):
                    err(f"{sbase}.context_key", _("Name the fact that gives the owner department, e.g. department."))
                out["context_key"] = context_key
            if resolver == Resolver.PERSON:
                out["role"] = ""
                try:
                    person = int(step.get("person"))
                except (TypeError, ValueError):
                    person = None
                    err(f"{sbase}.person", _("Choose the person who decides this step."))
                if person is not None and strict and person not in person_ids:
                    err(f"{sbase}.person", _("This person does not exist or has left."))
                out["person"] = person
            mode = str(step.get("mode") or Mode.ANY.value)
            if mode not in MODES:
                err(f"{sbase}.mode", _("Choose any one (或签) or all (会签)."))
            out["mode"] = mode
            deadline = step.get("deadline_hours")
            if deadline in (None, ""):
                out["deadline_hours"] = None
            else:
                try:
                    deadline = int(deadline)
                    if not 1 <= deadline <= MAX_DEADLINE_HOURS:
                        raise ValueError
                    out["deadline_hours"] = deadline
                except (TypeError, ValueError):
                    err(f"{sbase}.deadline_hours", _("A deadline is a whole number of hours between 1 and 8760."))
            out["opinion_required"] = _as_bool(step.get("opinion_required", False))
            choices_out = []
            seen = set()
            for chi, choice in enumerate(step.get("choices") or []):
                if not isinstance(choice, dict):
                    err(f"{sbase}.choices.{chi}", _("A choice needs a value and a label."))
                    continue
                value = str(choice.get("value") or "").strip()
                label = str(choice.get("label") or "").strip() or value
                if not value or not SLUG_RE.match(value):
                    err(f"{sbase}.choices.{chi}", _("A choice value uses letters, digits, - and _ only."))
                elif value in seen:
                    err(f"{sbase}.choices.{chi}", _("Two choices cannot share a value."))
                seen.add(value)
                choices_out.append({"value": value, "label": label})
            out["choices"] = choices_out
            steps_out.append(out)
        rules_out.append({"name": name, "condition": {match: rows_out}, "steps": steps_out})
    if errors:
        raise ValidationError(errors)
    return {"rules": rules_out}


# --------------------------------------------------------------------------- evaluation
def lookup(context: dict, field: str):
    """The fact `field` ("amount", "department.code") from the context; KeyError when absent."""
    head, *rest = field.split(".")
    if head not in context:
        raise KeyError(field)
    value = context[head]
    for part in rest:
        if part.startswith("_"):
            raise KeyError(field)
        if isinstance(value, dict):
            if part not in value:
                raise KeyError(field)
            value = value[part]
        else:
            if not hasattr(value, part):
                raise KeyError(field)
            value = getattr(value, part)
    return value


def _coerce(actual, expected):
    """Bring `expected` (from the policy or a parameter) to the type of the fact `actual`."""
    if isinstance(actual, models.Model):
        text = str(expected).strip()
        return int(text) if text.isdigit() else text
    if isinstance(actual, bool):
        if isinstance(expected, bool):
            return expected
        text = str(expected).strip().lower()
        if text in {"1", "true", "yes", "on", "是"}:
            return True
        if text in {"0", "false", "no", "off", "否"}:
            return False
        raise ValueError(expected)
    if isinstance(actual, int | float | decimal.Decimal):
        if isinstance(expected, bool):
            raise ValueError(expected)
        return decimal.Decimal(str(expected).strip().replace(",", ""))
    return str(expected)


def _comparable(actual, expected):
    if isinstance(actual, models.Model):
        return actual.pk if isinstance(expected, int) else getattr(actual, "code", None) or str(actual)
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        return decimal.Decimal(str(actual))
    return actual


def compare(actual, op: str, expected) -> bool:
    if op == Operator.IN:
        options = expected if isinstance(expected, list | tuple | set) else [expected]
        return any(compare(actual, Operator.EQ, option) for option in options)
    target = _coerce(actual, expected)
    value = _comparable(actual, target)
    if op == Operator.EQ:
        return value == target
    if op == Operator.NE:
        return value != target
    if op == Operator.LT:
        return value < target
    if op == Operator.LTE:
        return value <= target
    if op == Operator.GT:
        return value > target
    if op == Operator.GTE:
        return value >= target
    raise ValueError(op)


def row_holds(row: dict, context: dict) -> bool:
    """Whether one condition row holds; a fact the request does not have never matches."""
    try:
        actual = lookup(context, row["field"])
    except KeyError:
        return False
    if actual is None:
        return False
    expected = params.get(row["param"]) if row.get("param") else row.get("value")
    try:
        return compare(actual, row["op"], expected)
    except (ValueError, TypeError, decimal.InvalidOperation):
        raise RuleViolation(
            _("The approval policy compares %(field)s with %(value)s, which is not a comparable value; "
              "an administrator must correct the policy.") % {"field": row["field"], "value": expected},
            code="policy_invalid",
        ) from None


def rule_matches(rule: dict, context: dict) -> bool:
    match, rows = condition_rows(rule)
    if not rows:
        return True
    results = (row_holds(row, context) for row in rows)
    return any(results) if match == Match.ANY else all(results)


@dataclass(frozen=True)
class RuleMatch:
    index: int
    rule: dict


def select_rule(definition: dict, context: dict) -> RuleMatch | None:
    """The first rule whose condition holds for the request's facts."""
    for index, rule in enumerate((definition or {}).get("rules", [])):
        if rule_matches(rule, context):
            return RuleMatch(index=index, rule=rule)
    return None


# --------------------------------------------------------------------------- rendering
def _role_names(definition: dict) -> dict[str, str]:
    from zhidu.org.models import Role

    codes = {s.get("role") for r in definition.get("rules", []) for s in r.get("steps", []) if s.get("role")}
    return dict(Role.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def _person_names(definition: dict) -> dict[int, str]:
    from zhidu.org.models import Person

    ids = {s.get("person") for r in definition.get("rules", []) for s in r.get("steps", []) if s.get("person")}
    return dict(Person.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def describe_row(row: dict) -> str:
    op = dict(Operator.choices).get(row.get("op"), row.get("op"))
    if row.get("param"):
        key = row["param"]
        if params.is_defined(key):
            param = params.definition(key)
            target = _("parameter “%(label)s” (now %(value)s)") % {
                "label": param.label, "value": param.display(params.get(key))}
        else:
            target = _("parameter %(key)s (not defined)") % {"key": key}
    else:
        value = row.get("value")
        target = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{row.get('field')} {op} {target}"


def describe_step(step: dict, *, role_names=None, person_names=None) -> str:
    role_names = role_names or {}
    person_names = person_names or {}
    role = step.get("role") or ""
    role_label = f"{role_names.get(role, role)}" + (f" ({role})" if role and role in role_names else "")
    resolver = step.get("resolver")
    if resolver == Resolver.ROLE_CHAIN:
        who = _("role %(role)s in the requester's department chain") % {"role": role_label}
    elif resolver == Resolver.ROLE_ORG:
        who = _("role %(role)s, organisation-wide") % {"role": role_label}
    elif resolver == Resolver.OWNER_DEPARTMENT:
        if role:
            who = _("role %(role)s of the department in %(key)s") % {"role": role_label, "key": step.get("context_key")}
        else:
            who = _("head of the department in %(key)s") % {"key": step.get("context_key")}
    elif resolver == Resolver.PERSON:
        who = _("named person %(name)s") % {"name": person_names.get(step.get("person"), f"#{step.get('person')}")}
    else:
        who = str(resolver)
    parts = [who, str(dict(Mode.choices).get(step.get("mode"), step.get("mode")))]
    if step.get("deadline_hours"):
        parts.append(_("deadline %(hours)s h") % {"hours": step["deadline_hours"]})
    else:
        parts.append(_("default deadline"))
    if step.get("opinion_required"):
        parts.append(_("opinion required"))
    if step.get("choices"):
        parts.append(_("choices: %(choices)s") % {
            "choices": " / ".join(f"{tr(c['label'])} ({c['value']})" for c in step["choices"])})
    return "；".join(parts)


def describe(definition: dict) -> list[dict]:
    """A readable structure of a definition for templates: rules with condition text and step texts."""
    definition = definition or {}
    role_names = _role_names(definition)
    person_names = _person_names(definition)
    rules = []
    for index, rule in enumerate(definition.get("rules", [])):
        match, rows = condition_rows(rule)
        joiner = _(" and ") if match == Match.ALL else _(" or ")
        condition = joiner.join(describe_row(r) for r in rows) if rows else _("always")
        rules.append({
            "number": index + 1,
            "name": rule.get("name", ""),
            "condition": condition,
            "steps": [
                {"number": si + 1, "name": s.get("name", ""), "key": s.get("key", ""),
                 "text": describe_step(s, role_names=role_names, person_names=person_names)}
                for si, s in enumerate(rule.get("steps", []))
            ],
        })
    return rules


def describe_lines(definition: dict) -> list[str]:
    """The definition as lines of text, for a readable diff between versions."""
    lines = []
    for rule in describe(definition):
        lines.append(_("Rule %(n)s “%(name)s”: when %(condition)s") % {
            "n": rule["number"], "name": tr(rule["name"]), "condition": rule["condition"]})
        for step in rule["steps"]:
            lines.append("    " + _("Step %(n)s “%(name)s” [%(key)s]: %(text)s") % {
                "n": step["number"], "name": tr(step["name"]), "key": step["key"],
                "text": step["text"]})
    return lines
