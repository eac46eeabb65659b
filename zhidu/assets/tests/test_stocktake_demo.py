"""The stock-take demo data loads through the services and is idempotent."""

import pytest

from zhidu.assets import demo_stocktake
from zhidu.assets.models import InspectionRound, StocktakePlan
from zhidu.assets.models.stocktake import StocktakeStatus
from zhidu.org import demo as org_demo
from zhidu.org.roles import seed_roles

from .factories import AssetFactory, LocationFactory

pytestmark = pytest.mark.django_db


def test_demo_loads_closed_and_counting_plans_and_an_inspection():
    seed_roles()
    org = org_demo.load()
    dept = org.unit("XSB")
    rooms = [LocationFactory(code="DEMO-1"), LocationFactory(code="DEMO-2")]
    for i in range(5):
        AssetFactory(number=f"ZC-DEMO-{i:04d}", department=dept, location=rooms[i % 2])
    result = demo_stocktake.load(org)
    assert result == {"plans": 2, "inspections": 1}
    closed = StocktakePlan.objects.get(title=demo_stocktake.CLOSED_TITLE)
    assert closed.status == StocktakeStatus.CLOSED
    assert StocktakePlan.objects.get(title=demo_stocktake.OPEN_TITLE).status == StocktakeStatus.COUNTING
    assert InspectionRound.objects.get().findings.count() == 3
    assert demo_stocktake.load(org) == {"plans": 0, "inspections": 0}
