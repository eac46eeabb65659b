"""Shared set-up of the approval and parameter tests (test_approvals*, test_params*).

The subject of test approvals is a real model, `org.OrgUnit` (e.g. a project unit asking for
equipment), registered as the process "tests.unit_request" whose facts come from `FACTS`, so
the tests do not depend on procurement.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from zhidu.core import params
from zhidu.core.approvals import services
from zhidu.core.approvals.models import ApprovalPolicy
from zhidu.core.approvals.presets import PURCHASE, THRESHOLD_PARAM, get_preset
from zhidu.core.approvals.registry import ProcessType, register_process
from zhidu.org.models import OrgUnit, Person
from zhidu.org.tests.factories import (
    OrgUnitFactory,
    PersonFactory,
    RoleAssignmentFactory,
    RoleFactory,
    UserFactory,
)

PROCESS = "tests.unit_request"
FACTS: dict[int, dict] = {}
CALLS: list[tuple[str, int, int]] = []


def _context(unit: OrgUnit) -> dict:
    return dict(FACTS.get(unit.pk, {}))


def _recorder(name):
    def callback(subject, approval):
        CALLS.append((name, subject.pk, approval.pk))

    return callback


TEST_PROCESS = ProcessType(
    key=PROCESS, label="Test unit request", model="org.OrgUnit", context=_context,
    on_approved=_recorder("approved"), on_rejected=_recorder("rejected"), on_returned=_recorder("returned"),
    on_withdrawn=_recorder("withdrawn"), fields=[("amount", "Amount"), ("category", "Category")],
)
register_process(TEST_PROCESS, replace=True)

if not params.is_defined(THRESHOLD_PARAM):  # normally declared by procurement (PRC-03, VAR-01)
    params.define(key=THRESHOLD_PARAM, kind=params.Kind.MONEY, default=Decimal("50000.00"),
                  label="Single-contract amount the IT supervising leader may approve", article="篇1 第九条(2)",
                  requirement="PRC-03, VAR-01, N03", group="Procurement")


def step(key, role, *, resolver="role_org", mode="any", opinion_required=False, choices=(), deadline_hours=None,
         name=None, **extra):
    return {"key": key, "name": name or f"{key} approval", "resolver": resolver, "role": role, "mode": mode,
            "opinion_required": opinion_required, "deadline_hours": deadline_hours,
            "choices": [{"value": v, "label": v} for v in choices], **extra}


def one_rule(*steps, condition=None):
    return {"rules": [{"name": "Every request", "condition": condition or {"all": []}, "steps": list(steps)}]}


def preset_definition(variant: str) -> dict:
    return copy.deepcopy(get_preset(PURCHASE, variant).definition)


def make_policy(definition, *, actor=None, process_key=PROCESS) -> ApprovalPolicy:
    ApprovalPolicy.objects.filter(process_key=process_key, is_active=True).update(is_active=False)
    return services.create_policy(process_key=process_key, name="Test policy", actor=actor, definition=definition,
                                  strict=False)


@dataclass
class Org:
    company: OrgUnit
    it_dept: OrgUnit
    sales: OrgUnit
    sales_team: OrgUnit
    people: dict[str, Person] = field(default_factory=dict)

    def __getattr__(self, name):
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    def subject(self, amount="1000.00", **facts) -> OrgUnit:
        """A new subject with its facts (amount as Decimal, department = the sales team)."""
        unit = OrgUnitFactory(parent=self.company, name=f"项目{OrgUnit.objects.count()}")
        FACTS[unit.pk] = {"amount": Decimal(amount), "department": self.sales_team, **facts}
        return unit


def person(name, department, *, roles=(), manager=None) -> Person:
    user = UserFactory(username=name)
    p = PersonFactory(name=name, department=department, user=user, manager=manager)
    for spec in roles:
        code, unit = (spec, None) if isinstance(spec, str) else spec
        RoleAssignmentFactory(person=p, role=RoleFactory(code=code, name=code), unit=unit, include_subtree=True)
    return p


def build_org() -> Org:
    """公司 → 综合管理部 (IT authority), 销售部 → 销售一组; leaders org-wide, heads per unit."""
    company = OrgUnitFactory(name="华信科技", code="HX", kind="company")
    it_dept = OrgUnitFactory(name="综合管理部", code="IT", parent=company, is_it_authority=True)
    sales = OrgUnitFactory(name="销售部", code="SALES", parent=company)
    sales_team = OrgUnitFactory(name="销售一组", code="SALES1", parent=sales)
    org = Org(company=company, it_dept=it_dept, sales=sales, sales_team=sales_team)
    p = org.people
    p["gm"] = person("gm", company, roles=["general_manager"])
    p["it_leader"] = person("it_leader", it_dept, roles=["it_leader"], manager=p["gm"])
    p["cfo"] = person("cfo", company, roles=["cfo"], manager=p["gm"])
    p["office_head"] = person("office_head", it_dept, roles=["it_authority_head"], manager=p["it_leader"])
    p["parent"] = person("parent", company, roles=["parent_approver"])
    p["sales_head"] = person("sales_head", sales, roles=[("dept_head", sales)], manager=p["gm"])
    p["team_lead"] = person("team_lead", sales_team, roles=[("dept_head", sales_team)], manager=p["sales_head"])
    p["alice"] = person("alice", sales_team, manager=p["team_lead"])
    p["bob"] = person("bob", sales_team, manager=p["team_lead"])
    p["outsider"] = person("outsider", it_dept)
    sales.head = p["sales_head"]
    sales.save()
    sales_team.head = p["team_lead"]
    sales_team.save()
    company.head = p["gm"]
    company.save()
    return org


@pytest.fixture(name="org")
def org_fixture(db):
    FACTS.clear()
    CALLS.clear()
    params.clear_cache()
    return build_org()
