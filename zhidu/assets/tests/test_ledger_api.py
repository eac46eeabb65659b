"""REST API of the ledger (/api/assets/): scope, writes through services, 400/403/404/409."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, AssetCategory, Supplier
from zhidu.core.testing import APITestSuite, make_unit, make_user, perms_for

from .factories import AssetCategoryFactory, AssetFactory, computer_category

pytestmark = pytest.mark.django_db


class TestAssetAPI(APITestSuite):
    model = Asset
    api_list_url = "assets-asset-list"
    api_detail_url = "assets-asset-detail"
    api_delete = True
    # session, user, grants, person id, count, one fetch with every related row joined, and the
    # session's save (savepoint, update, release)
    api_list_query_count = 9

    def make_object(self, unit, **kwargs):
        return AssetFactory(department=unit, **kwargs)

    def api_create_data(self, unit):
        category = computer_category()
        return {"name": "ThinkPad", "category": category.pk, "department": unit.pk,
                "attributes": {"cpu": "i7", "memory_gb": 16}}

    def api_update_data(self, obj):
        return {"name": "新名称", "serial_number": "PF-1"}


@pytest.fixture
def api():
    return APIClient()


def it_user():
    return make_user(perms=[*perms_for(Asset), *perms_for(AssetCategory), *perms_for(Supplier)], scope=None)


def test_status_and_custodian_cannot_be_written(api):
    asset = AssetFactory()
    api.force_login(it_user())
    url = reverse("assets-asset-detail", args=[asset.pk])
    response = api.patch(url, {"status": AssetStatus.IN_USE}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_editable"
    assert "AST-09" in response.json()["detail"]
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_STOCK


def test_category_field_errors_are_400_per_field(api):
    unit = make_unit()
    api.force_login(it_user())
    response = api.post(reverse("assets-asset-list"), {"name": "x", "category": computer_category().pk,
                                                           "department": unit.pk, "attributes": {"memory_gb": "x"}},
                        format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "attr_cpu" in errors and "attr_memory_gb" in errors


def test_delete_of_an_issued_asset_is_409(api):
    asset = AssetFactory(status=AssetStatus.TO_DISPOSE)
    api.force_login(it_user())
    assert api.delete(reverse("assets-asset-detail", args=[asset.pk])).status_code == 409


def test_create_in_a_department_out_of_scope_is_403(api):
    inside, outside = make_unit(), make_unit()
    user = make_user(perms=perms_for(Asset), scope=inside)
    api.force_login(user)
    response = api.post(reverse("assets-asset-list"), {"name": "x", "category": AssetCategoryFactory().pk,
                                                           "department": outside.pk}, format="json")
    assert response.status_code == 403


def test_list_filters_match_the_page(api):
    unit = make_unit()
    a = AssetFactory(department=unit, is_classified=True)
    AssetFactory(department=unit)
    api.force_login(it_user())
    response = api.get(reverse("assets-asset-list"), {"is_classified": "true", "department": unit.pk})
    assert [r["id"] for r in response.json()["results"]] == [a.pk]


def test_catalogue_endpoints(api):
    api.force_login(it_user())
    response = api.post(reverse("assets-category-list"), {
        "code": "kvm", "name": "KVM", "kind": "peripheral", "field_schema": [{"key": "ports", "type": "number"}]},
        format="json")
    assert response.status_code == 201, response.content
    response = api.post(reverse("assets-category-list"), {
        "code": "bad", "name": "坏", "kind": "other", "field_schema": [{"key": "a b"}]}, format="json")
    assert response.status_code == 400
    response = api.post(reverse("assets-supplier-list"), {"name": "神州数码"}, format="json")
    assert response.status_code == 201
    assert api.get(reverse("assets-location-list")).status_code == 200
    assert api.get(reverse("assets-model-list")).status_code == 200


def test_deleting_a_category_in_use_is_409(api):
    asset = AssetFactory()
    api.force_login(it_user())
    response = api.delete(reverse("assets-category-detail", args=[asset.category_id]))
    assert response.status_code == 409 and response.json()["code"] == "in_use"
    unused = AssetCategoryFactory()
    assert api.delete(reverse("assets-category-detail", args=[unused.pk])).status_code == 204
