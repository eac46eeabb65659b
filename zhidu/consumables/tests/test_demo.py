"""The demo data loads through the services and tells a consistent story."""

import pytest

from zhidu.consumables import demo, selectors
from zhidu.consumables.models import ConsumableItem, Movement, PurchasePlan

pytestmark = pytest.mark.django_db


def test_demo_loads_consistently(world):
    from zhidu.core.testing import make_user

    make_user(department=world["office"], roles=["it_authority_head"])
    make_user(department=world["company"], roles=["it_leader"])
    result = demo.load(None)
    assert result["consumables"] == len(demo.CATALOGUE)
    assert ConsumableItem.objects.filter(code__startswith="HC-").count() == len(demo.CATALOGUE)
    assert Movement.objects.filter(kind="issue").count() > 20
    assert Movement.objects.filter(over_quota=True).exists()
    assert Movement.objects.filter(kind="recycle").exists()
    assert selectors.verify_balances() == []
    statuses = set(PurchasePlan.objects.values_list("status", flat=True))
    assert {"approved", "draft"} <= statuses
    assert PurchasePlan.objects.get(status="approved").purchase_request is not None
    assert demo.load(None) == {"consumables": 0}  # idempotent


def test_full_demo_has_consumables_fitting_the_demo_printers():
    from zhidu.core.demo_data import load_demo

    load_demo()
    assert ConsumableItem.objects.count() == len(demo.CATALOGUE)
    drum = ConsumableItem.objects.get(code="HC-D01")
    assert [str(m) for m in drum.fits.all()] == ["惠普 LaserJet Pro M404dn"]
    assert Movement.objects.filter(kind="issue").count() > 50
    assert Movement.objects.filter(over_quota=True).exists()
    assert selectors.verify_balances() == []
    plans = dict(PurchasePlan.objects.values_list("status", "purchase_request__number"))
    assert "draft" in plans and plans.get("approved")
