"""The equipment dashboard (issue #3: assets by category, department, status; warranty; value)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhidu.assets import selectors, services
from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset
from zhidu.core.testing import make_unit, make_user, perms_for

from .factories import AssetCategoryFactory, AssetFactory

pytestmark = pytest.mark.django_db


def test_dashboard_aggregates_in_the_database(django_assert_num_queries):
    unit = make_unit()
    user = make_user(perms=perms_for(Asset, "view"), scope=unit)
    category = AssetCategoryFactory(name="笔记本电脑", depreciation_years=5)
    today = timezone.localdate()
    for i in range(4):
        AssetFactory(department=unit, category=category, purchase_price=Decimal("6000"),
                     capitalised_on=datetime.date(2025, 1, 10), warranty_end=today + datetime.timedelta(days=10 * i))
    AssetFactory(department=unit, status=AssetStatus.DISPOSED)
    AssetFactory()  # out of scope
    user._zhidu_grants = None
    user = type(user).objects.get(pk=user.pk)
    # grants, person id; by category, department, status; categories + value rows; warranty expiring
    with django_assert_num_queries(8):
        data = selectors.dashboard_data(user, today=today)
        data["expiring"] = list(data["expiring"])
    assert data["total"] == 4
    assert data["by_category"] == [{"name": "笔记本电脑", "count": 4}]
    assert data["by_department"][0]["count"] == 4
    assert {r["status"] for r in data["by_status"]} == {AssetStatus.IN_STOCK}
    assert len(data["expiring"]) == 4
    value = data["value_by_category"][0]
    assert value["price"] == Decimal("24000.00")
    expected = sum(services.depreciated_value(a, on=today) for a in Asset.objects.filter(category=category))
    assert abs(value["value"] - expected) <= Decimal("0.05")


def test_dashboard_page(client):
    unit = make_unit()
    AssetFactory(department=unit, warranty_end=timezone.localdate() + datetime.timedelta(days=5))
    client.force_login(make_user(perms=perms_for(Asset, "view"), scope=unit))
    response = client.get(reverse("assets:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="asset-dashboard-data"' in body and "assets/dashboard.js" in body and "echarts.min.js" in body
    assert "<script>" not in body.replace('type="application/json"', "")  # no inline code (CSP)
    client.force_login(make_user())
    assert client.get(reverse("assets:dashboard")).status_code == 403
