"""Leaver clearance (AST-07, 篇1 第九条(5)): every item still held; sign-off refused until all returned."""

from __future__ import annotations

import pytest

from zhidu.assets import services
from zhidu.assets.models import Clearance
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.org import services as org_services

from .test_custody_services import issue_and_sign, return_complete
from .test_custody_support import ACCESSORIES, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def test_departure_opens_clearance_blocked_until_all_returned(world):
    a1, a2 = world.asset(), world.asset()
    issue_and_sign(world, world.alice, [a1, a2])
    org_services.change_status(person=world.alice.person, status="leaving", actor=world.it)
    clearance = Clearance.objects.get(person=world.alice.person)
    assert {row["number"] for row in clearance.held_at_start} == {a1.number, a2.number}
    with pytest.raises(RuleViolation) as exc:
        services.sign_off_clearance(clearance=clearance, actor=world.it)
    assert "篇1 第九条(5)" in str(exc.value) and a1.number in str(exc.value)
    return_complete(world, a1)
    ret = services.return_asset(asset=a2, actor=world.it, returned_accessories=ACCESSORIES)
    with pytest.raises(RuleViolation):  # returned but not yet checked
        services.sign_off_clearance(clearance=clearance, actor=world.it)
    services.check_return(ret=ret, actor=world.it)
    clearance = services.sign_off_clearance(clearance=clearance, actor=world.it)
    assert clearance.status == Clearance.Status.SIGNED_OFF
    with pytest.raises(Conflict):
        services.sign_off_clearance(clearance=clearance, actor=world.it)


def test_clearance_blocked_by_pending_issue(world):
    services.issue_assets(person=world.bob.person, assets=[world.asset()], actor=world.it)
    clearance = services.open_clearance(person=world.bob.person)
    assert services.open_clearance(person=world.bob.person) == clearance
    with pytest.raises(RuleViolation):
        services.sign_off_clearance(clearance=clearance, actor=world.it)
