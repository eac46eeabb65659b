"""The structured policy editor: row operations (add/remove/move) and what the template shows.

The editor posts the whole definition as fields named `r-<rule>-name`, `r-<rule>-c-<row>-field`,
`r-<rule>-s-<step>-role` … (see `forms.parse_editor`). A button named `_op` changes the rows
without saving (`add_rule`, `del_rule:0`, `add_cond:0`, `del_cond:0:1`, `add_step:0`,
`del_step:0:1`, `up_step:0:1`, `down_step:0:1`, `up_rule:1`, `down_rule:0`); `_op=save` validates
and stores a new version. Errors come back keyed by path ("rules.0.steps.1.role") and are shown
next to their field.
"""

from __future__ import annotations

import difflib

from zhidu.core import params

from .choices import Match, Mode, Operator, Resolver
from .forms import format_choices
from .policy import condition_rows, describe_lines, empty_rule, empty_step, tr


def apply_op(definition: dict, op: str) -> dict:
    """Apply one row operation to a parsed definition (invalid ops are ignored)."""
    rules = definition.setdefault("rules", [])
    name, *args = (op or "").split(":")
    try:
        idx = [int(a) for a in args]
    except ValueError:
        return definition

    def rows(rule):
        key = "any" if "any" in rule.get("condition", {}) else "all"
        return rule.setdefault("condition", {}).setdefault(key, [])

    try:
        if name == "add_rule":
            rules.append(empty_rule())
        elif name == "del_rule":
            rules.pop(idx[0])
        elif name == "up_rule" and idx[0] > 0:
            rules[idx[0] - 1], rules[idx[0]] = rules[idx[0]], rules[idx[0] - 1]
        elif name == "down_rule" and idx[0] < len(rules) - 1:
            rules[idx[0] + 1], rules[idx[0]] = rules[idx[0]], rules[idx[0] + 1]
        elif name == "add_cond":
            rows(rules[idx[0]]).append({"field": "", "op": Operator.EQ.value, "value": ""})
        elif name == "del_cond":
            rows(rules[idx[0]]).pop(idx[1])
        elif name == "add_step":
            rules[idx[0]].setdefault("steps", []).append(empty_step())
        elif name == "del_step":
            rules[idx[0]]["steps"].pop(idx[1])
        elif name == "up_step" and idx[1] > 0:
            steps = rules[idx[0]]["steps"]
            steps[idx[1] - 1], steps[idx[1]] = steps[idx[1]], steps[idx[1] - 1]
        elif name == "down_step":
            steps = rules[idx[0]]["steps"]
            if idx[1] < len(steps) - 1:
                steps[idx[1] + 1], steps[idx[1]] = steps[idx[1]], steps[idx[1] + 1]
    except (IndexError, KeyError):
        pass
    return definition


def _errors_under(errors: dict, prefix: str) -> dict[str, list[str]]:
    """{"field": [messages]} for the errors whose path is `prefix.field` (deeper paths fold into field)."""
    result: dict[str, list[str]] = {}
    for path, messages in (errors or {}).items():
        if path.startswith(prefix + "."):
            field = path[len(prefix) + 1:].split(".")[0]
            result.setdefault(field, []).extend(messages)
    return result


def editor_rules(definition: dict, errors: dict | None = None, *, person_numbers: dict | None = None) -> list[dict]:
    """The rows the editor template renders, each field with its value and its errors."""
    from zhidu.org.models import Person

    errors = errors or {}
    rules = definition.get("rules", [])
    if person_numbers is None:
        ids = {s.get("person") for r in rules for s in r.get("steps", []) if s.get("person") and s["person"] > 0}
        person_numbers = dict(Person.objects.filter(pk__in=ids).values_list("pk", "employee_no")) if ids else {}
    result = []
    for ri, rule in enumerate(rules):
        match, rows = condition_rows(rule)
        rule_errors = _errors_under(errors, f"rules.{ri}")
        conds = []
        for ci, row in enumerate(rows):
            value = row.get("value", "")
            conds.append({
                "j": ci, "field": row.get("field", ""), "op": row.get("op", ""), "param": row.get("param", ""),
                "value": ", ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else value),
                "errors": _errors_under(errors, f"rules.{ri}.condition.{ci}"),
            })
        steps = []
        for si, step in enumerate(rule.get("steps", [])):
            person = step.get("person")
            steps.append({
                "k": si, **{k: step.get(k) for k in ("key", "resolver", "role", "context_key", "mode",
                                                     "opinion_required")},
                "name": tr(step.get("name")),
                "deadline_hours": step.get("deadline_hours") or "",
                "person_no": step.get("_person_no") or person_numbers.get(person, ""),
                "choices_text": format_choices([{"value": c.get("value"), "label": tr(c.get("label"))}
                                                for c in step.get("choices") or []]),
                "errors": _errors_under(errors, f"rules.{ri}.steps.{si}"),
                "first": si == 0, "last": si == len(rule.get("steps", [])) - 1,
            })
        result.append({
            "i": ri, "name": tr(rule.get("name")), "match": match, "conds": conds, "steps": steps,
            "errors": {k: v for k, v in rule_errors.items() if k in ("name", "steps", "condition")}
            | ({"rule": errors[f"rules.{ri}"]} if f"rules.{ri}" in errors else {}),
            "first": ri == 0, "last": ri == len(rules) - 1,
        })
    return result


def editor_options(process=None) -> dict:
    """Choices the editor's selects and datalists offer."""
    from zhidu.org.models import Role

    return {
        "resolvers": Resolver.choices,
        "modes": Mode.choices,
        "ops": Operator.choices,
        "matches": Match.choices,
        "roles": list(Role.objects.order_by("code").values_list("code", "name")),
        "parameters": [(p.key, p.label) for p in params.definitions()
                       if p.kind in (params.Kind.MONEY, params.Kind.DECIMAL, params.Kind.INTEGER, params.Kind.HOURS,
                                     params.Kind.DAYS, params.Kind.TEXT, params.Kind.CHOICE, params.Kind.BOOL)],
        "fields": list(getattr(process, "fields", None) or []),
    }


def diff_lines(old: dict | None, new: dict) -> list[tuple[str, str]]:
    """A readable diff between two definitions: ("+"|"-"|" ", line) pairs."""
    before = describe_lines(old) if old else []
    after = describe_lines(new)
    result = []
    for line in difflib.ndiff(before, after):
        tag, text = line[:1], line[2:]
        if tag in "+- ":
            result.append((tag, text))
    return result
