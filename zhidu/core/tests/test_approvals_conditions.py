"""Condition evaluation and definition validation of approval policies (pure, plus parameters)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhidu.core import params
from zhidu.core.approvals.policy import compare, rule_matches, select_rule, validate_definition
from zhidu.core.approvals.presets import PRESETS, THRESHOLD_PARAM
from zhidu.core.errors import RuleViolation
from zhidu.org.models import OrgUnit

from .approvals_support import org_fixture, preset_definition, step  # noqa: F401


@pytest.mark.parametrize(("actual", "op", "expected", "result"), [
    (Decimal("50000.00"), "lte", "50000.00", True),   # 篇1 第九条(2): inclusive ("含")
    (Decimal("50000.01"), "lte", "50000.00", False),
    (Decimal("50000.01"), "gt", Decimal("50000.00"), True),
    (Decimal("50000.00"), "gt", Decimal("50000.00"), False),
    (Decimal("10"), "lt", "10.5", True),
    (12, "gte", "12", True),
    (12, "eq", "12.0", True),
    ("server", "in", ["server", "storage"], True),
    ("laptop", "in", ["server", "storage"], False),
    ("laptop", "ne", "server", True),
    (True, "eq", "true", True),
    (False, "eq", "是", False),
])
def test_compare(actual, op, expected, result):
    assert compare(actual, op, expected) is result


def test_unit_fact_compares_by_id_or_code(db):
    unit = OrgUnit.objects.create(name="信息中心", code="ITC")
    assert compare(unit, "eq", str(unit.pk))
    assert compare(unit, "eq", "ITC")
    assert compare(unit, "in", ["X", "ITC"])
    assert not compare(unit, "eq", "OTHER")


def test_all_and_any_and_missing_facts():
    rows = [{"field": "amount", "op": "gt", "value": "100"}, {"field": "category", "op": "eq", "value": "server"}]
    all_rule = {"condition": {"all": rows}}
    any_rule = {"condition": {"any": rows}}
    assert rule_matches(all_rule, {"amount": Decimal("200"), "category": "server"})
    assert not rule_matches(all_rule, {"amount": Decimal("200"), "category": "pc"})
    assert rule_matches(any_rule, {"amount": Decimal("200"), "category": "pc"})
    assert not rule_matches(any_rule, {"amount": Decimal("50"), "category": "pc"})
    # A fact the request does not have never matches; an empty condition always does.
    assert not rule_matches(all_rule, {"category": "server"})
    assert rule_matches({"condition": {"all": []}}, {})


def test_dotted_fact_and_bad_comparison():
    from types import SimpleNamespace

    ctx = {"department": SimpleNamespace(code="IT", _secret="x")}
    assert rule_matches({"condition": {"all": [{"field": "department.code", "op": "eq", "value": "IT"}]}}, ctx)
    assert not rule_matches({"condition": {"all": [{"field": "department._secret", "op": "eq", "value": "x"}]}}, ctx)
    with pytest.raises(RuleViolation) as exc:
        rule_matches({"condition": {"all": [{"field": "amount", "op": "lt", "value": "abc"}]}}, {"amount": Decimal(1)})
    assert exc.value.code == "policy_invalid"


def test_preset_a_boundary_follows_the_parameter(db):
    """VAR-01 (A), 篇1 第九条(2): 50,000.00 stays with the IT supervising leader; 50,000.01 goes to the CFO."""
    definition = preset_definition("A")
    assert select_rule(definition, {"amount": Decimal("50000.00")}).rule["steps"][0]["role"] == "it_leader"
    assert select_rule(definition, {"amount": Decimal("50000.01")}).rule["steps"][0]["role"] == "cfo"
    assert select_rule(definition, {"amount": Decimal("0.00")}).rule["steps"][0]["role"] == "it_leader"
    params.set_value(key=THRESHOLD_PARAM, value="80000", actor=None, note="board decision")
    assert select_rule(definition, {"amount": Decimal("50000.01")}).rule["steps"][0]["role"] == "it_leader"
    assert select_rule(definition, {"amount": Decimal("80000.01")}).rule["steps"][0]["role"] == "cfo"


def test_presets_are_valid():
    for preset in PRESETS.values():
        assert validate_definition(preset.definition, strict=False)["rules"]
    b = PRESETS[("procurement.purchase", "B")].definition["rules"][0]["steps"]
    assert [s["key"] for s in b] == ["it_authority", "general_manager"]
    assert [c["value"] for c in b[0]["choices"]] == ["purchase", "reallocate"]
    c = PRESETS[("procurement.purchase", "C")].definition["rules"][0]["steps"]
    assert [s["role"] for s in c] == ["it_authority_head", "general_manager", "parent_approver"]


def test_validation_lists_every_problem_by_path(org):
    bad = {"rules": [
        {"name": "", "condition": {"all": [{"field": "amount", "op": "zz", "value": "1", "param": THRESHOLD_PARAM},
                                           {"field": "amount", "op": "lte", "param": "nope.param"}]},
         "steps": [step("a", "no_such_role"), {"name": "", "resolver": "person", "person": 999999},
                   step("a", "cfo", deadline_hours=0, choices=("x", "x"))]},
        {"name": "Empty", "steps": []},
    ]}
    with pytest.raises(ValidationError) as exc:
        validate_definition(bad)
    errors = exc.value.message_dict
    for path in ["rules.0.name", "rules.0.condition.0.op", "rules.0.condition.0.value", "rules.0.condition.1.param",
                 "rules.0.steps.0.role", "rules.0.steps.1.name", "rules.0.steps.1.person", "rules.0.steps.2.key",
                 "rules.0.steps.2.deadline_hours", "rules.0.steps.2.choices.1", "rules.1.steps"]:
        assert path in errors, path
    with pytest.raises(ValidationError):
        validate_definition({"rules": []})


def test_validation_normalises(org):
    normalized = validate_definition({"rules": [{"name": "R", "condition": {"any": [
        {"field": "category", "op": "in", "value": "server, storage，pc"}]}, "steps": [
        {"name": "Leader", "resolver": "role_org", "role": "it_leader", "deadline_hours": "24",
         "opinion_required": "on"}]}]})
    rule = normalized["rules"][0]
    assert rule["condition"] == {"any": [{"field": "category", "op": "in", "value": ["server", "storage", "pc"]}]}
    assert rule["steps"][0]["key"] == "step1"
    assert rule["steps"][0]["deadline_hours"] == 24
    assert rule["steps"][0]["opinion_required"] is True
