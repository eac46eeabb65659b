"""Damage and loss: compensation per VAR-12 from the depreciated value, approval, loss → lost (AST-11/12)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from zhidu.assets import services
from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import DamageIncident
from zhidu.assets.services.custody import COMPENSATION_PARAM, CompensationRule
from zhidu.core import params
from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.testing import make_user

from .test_custody_support import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()

R = DamageIncident.Responsibility
DEPRECIATED = Decimal("3210.55")
PRICE = Decimal("6000.00")


@pytest.mark.parametrize("rule, responsibility, amount, payer", [
    (CompensationRule.USER_PAYS, R.PERSONAL, Decimal("3210.55"), "person"),
    (CompensationRule.DEPARTMENT_PAYS, R.PERSONAL, Decimal("3210.55"), "department"),
    (CompensationRule.FULL_PRICE, R.PERSONAL, Decimal("6000.00"), "person"),
    (CompensationRule.DOUBLE, R.PERSONAL, Decimal("6421.10"), "person"),
    # 篇1 第十条(3), N07: illicit transfer or sale is double whatever the organisation's rule
    (CompensationRule.USER_PAYS, R.ILLICIT, Decimal("6421.10"), "person"),
    (CompensationRule.DEPARTMENT_PAYS, R.ILLICIT, Decimal("6421.10"), "person"),
    # no fault: nothing to pay
    (CompensationRule.FULL_PRICE, R.NONE, Decimal("0.00"), ""),
])
def test_compensation_amount_for_each_var12_option(rule, responsibility, amount, payer):
    got, got_payer, _rule = services.compensation_for(rule=rule, responsibility=responsibility,
                                                      depreciated=DEPRECIATED, purchase_price=PRICE)
    assert got == amount and got_payer == payer


def _set_rule(world, value):
    if params.get(COMPENSATION_PARAM) == value:
        return
    params.set_value(key=COMPENSATION_PARAM, value=value, actor=make_user(superuser=True))


@pytest.mark.parametrize("rule, expected", [
    (CompensationRule.USER_PAYS, Decimal("3150.00")),
    (CompensationRule.DEPARTMENT_PAYS, Decimal("3150.00")),
    (CompensationRule.FULL_PRICE, Decimal("6000.00")),
    (CompensationRule.DOUBLE, Decimal("6300.00")),
])
def test_incident_uses_the_parameter_and_the_depreciated_value(world, rule, expected):
    # 6000.00 over 5 years down to 5 % residual: 95.00 a month; capitalised 2024-01-01, incident on
    # 2026-07-15 → 30 months → book value 6000.00 − 2850.00 = 3150.00 (A1's depreciated_value)
    asset = world.asset(capitalised_on=datetime.date(2024, 1, 1), status=AssetStatus.IN_USE,
                        custodian=world.alice.person)
    _set_rule(world, rule)
    value = services.custody._depreciated_value(asset, datetime.date(2026, 7, 15))
    incident = services.record_incident(asset=asset, kind=DamageIncident.Kind.DAMAGE, description="屏幕摔裂",
                                        actor=world.it, occurred_on=datetime.date(2026, 7, 15))
    assert incident.depreciated_value == value == Decimal("3150.00")
    assert incident.compensation == expected
    assert incident.rule == rule and incident.responsible_person == world.alice.person
    assert incident.payer == ("department" if rule == CompensationRule.DEPARTMENT_PAYS else "person")


def test_loss_marks_the_asset_lost_and_needs_approval(world):
    asset = world.asset(status=AssetStatus.IN_USE, custodian=world.alice.person)
    with pytest.raises(RuleViolation):
        services.record_incident(asset=asset, kind="fire", description="x", actor=world.it)
    with pytest.raises(RuleViolation):
        services.record_incident(asset=asset, kind=DamageIncident.Kind.LOSS, description=" ", actor=world.it)
    incident = services.record_incident(asset=asset, kind=DamageIncident.Kind.LOSS, description="出差途中遗失",
                                        actor=world.it)
    assert incident.number.startswith("SH-")
    asset.refresh_from_db()
    assert asset.status == AssetStatus.LOST
    with pytest.raises(Conflict):  # already lost
        services.record_incident(asset=asset, kind=DamageIncident.Kind.THEFT, description="x", actor=world.it)

    it_head = make_user(name="刘处长", roles=["it_authority_head"])
    services.submit_incident(incident=incident, actor=world.it)
    with pytest.raises(Conflict):
        services.submit_incident(incident=incident, actor=world.it)
    approval = approval_selectors.approval_for(incident)
    users = {world.head.person.pk: world.head, it_head.person.pk: it_head}
    while approval.status == "pending":
        task = approval.tasks.filter(status="open").first()
        approvals.decide(task=task, actor=users[task.assignee_id], decision="approve", opinion="同意")
        approval.refresh_from_db()
    incident.refresh_from_db()
    assert incident.status == DamageIncident.Status.APPROVED


def test_no_fault_needs_no_person(world):
    asset = world.asset()
    incident = services.record_incident(asset=asset, kind=DamageIncident.Kind.DAMAGE, description="雷击",
                                        actor=world.it, responsibility=R.NONE)
    assert incident.compensation == Decimal("0.00") and incident.responsible_person is None
    with pytest.raises(RuleViolation):
        services.record_incident(asset=world.asset(), kind=DamageIncident.Kind.DAMAGE, description="x",
                                  actor=world.it, responsibility=R.PERSONAL)
