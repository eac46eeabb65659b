"""The disposal demo: requests in every state over two years, through the services and the engine."""

from collections import Counter

import pytest
from django.utils import timezone

from zhidu.assets.choices import AssetStatus, CategoryKind
from zhidu.assets.models import Asset
from zhidu.core.testing import make_unit, make_user
from zhidu.disposal import demo, selectors
from zhidu.disposal.models import DisposalRecord, ScrapRequest

from .factories import AssetFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def small_org():
    root = make_unit("演示公司")
    it = make_unit("综合管理部", parent=root, is_it_authority=True)
    sales = make_unit("销售部", parent=root)
    for name, unit, role in [("赵主任", it, "it_authority_head"), ("孙总", root, "general_manager"),
                             ("刘工", it, "it_staff"), ("周会计", root, "finance")]:
        make_user(name=name, department=unit, roles=[role])
    make_user(name="销售员", department=sales)
    pc = CategoryFactory(kind=CategoryKind.COMPUTER)
    for _i in range(20):
        AssetFactory(department=sales, category=pc)
    return sales


def test_demo_covers_every_state_and_is_idempotent():
    small_org()
    result = demo.load({})
    assert result["skipped"] == []
    states = Counter(ScrapRequest.objects.values_list("status", flat=True))
    for status in ("draft", "appraisal", "approval", "approved", "recovered", "disposed", "repair", "rejected"):
        assert states[status] > 0, status
    years = {r.disposed_on.year for r in DisposalRecord.objects.all()}
    assert len(years) >= 2 and min(years) < timezone.localdate().year
    assert Asset.objects.filter(status=AssetStatus.DISPOSED).count() == 7
    admin = make_user(superuser=True)
    assert sum(row["items"] for row in selectors.disposals_by_year(admin)) == 8  # 7 assets + 1 licence line
    assert demo.load({})["requests"] == 0


def test_demo_without_ledger_does_nothing():
    make_user(name="刘工", roles=["it_staff"])
    assert demo.load({})["requests"] == 0
