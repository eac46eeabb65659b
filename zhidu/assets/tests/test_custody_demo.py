"""The custody demo data loads through the services on top of the demo organisation and ledger."""

import pytest

from zhidu.assets import demo, demo_custody
from zhidu.assets.models import AssetIssue, AssetReturn, Clearance, ResponsibilityLetter
from zhidu.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_demo_custody_loads_and_is_idempotent():
    from zhidu.org.roles import seed_roles

    seed_roles()
    org = org_demo.load()
    demo.load(org)  # the ledger demo loads the custody demo on top of the ledger
    counts = {"issues": AssetIssue.objects.count(), "returns": AssetReturn.objects.filter(status="incomplete").count()}
    assert counts == {"issues": 2, "returns": 1}
    from zhidu.assets.models import DamageIncident

    assert DamageIncident.objects.get().status == "pending"
    assert ResponsibilityLetter.objects.filter(status="awaiting", person__user__username="qinyue").exists()
    assert ResponsibilityLetter.objects.filter(status="signed").exists()
    assert Clearance.objects.filter(person__user__username="luping").exists()
    assert AssetReturn.objects.filter(status="incomplete").count() == counts["returns"]
    assert demo_custody.load(org) == {"issues": 0, "returns": 0, "changes": 0, "clearances": 0, "incidents": 0}
    assert AssetIssue.objects.count() == 2
