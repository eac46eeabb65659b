"""The demo ledger (issue #3 §9): hundreds of devices, consistent custody, idempotent."""

import pytest

from zhidu.assets import demo
from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, CustodyPeriod, Location

pytestmark = pytest.mark.django_db


def test_demo_ledger(django_db_blocker):
    from zhidu.org import demo as org_demo
    from zhidu.org.roles import seed_roles

    seed_roles()
    org = org_demo.load()
    stats = demo.load(org)
    assert 250 <= stats["assets"] <= 400
    assert Asset.objects.count() >= stats["assets"]
    held = Asset.objects.filter(status=AssetStatus.IN_USE, custodian__isnull=False)
    assert held.count() > 50
    # every held device has one open custody period naming its custodian (AST-08/09)
    for asset in held.select_related("custodian")[:50]:
        period = CustodyPeriod.objects.get(asset=asset, ended__isnull=True)
        assert period.custodian_id == asset.custodian_id and period.department_id == asset.department_id
    assert Asset.objects.filter(is_public=True, custodian__isnull=True, status=AssetStatus.IN_USE).exists()
    assert Asset.objects.filter(status=AssetStatus.IN_STOCK).count() >= 20
    assert Location.objects.filter(is_public_area=True).count() >= 4
    assert Location.objects.filter(is_warehouse=True).exists()
    assert demo.load(org) == {"assets": 0}  # idempotent
