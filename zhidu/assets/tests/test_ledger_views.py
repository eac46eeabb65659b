"""Pages of the hardware ledger (AST-01, AST-02, AST-05, AST-08): generic suites plus the
category fields, filters, htmx reload, "my equipment" and the catalogue pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, AssetCategory, Location
from zhidu.core.testing import ViewTestSuite, count_queries, make_unit, make_user, page_pks, perms_for

from .factories import (
    AssetCategoryFactory,
    AssetFactory,
    LocationFactory,
    PersonFactory,
    computer_category,
    hold,
)

pytestmark = pytest.mark.django_db


class TestAssetViews(ViewTestSuite):
    model = Asset
    list_url = "assets:asset_list"
    detail_url = "assets:asset_detail"
    create_url = "assets:asset_create"
    edit_url = "assets:asset_edit"
    delete_url = "assets:asset_delete"
    # session, user, grants, person id, count, unread notifications, the page header's person and
    # unit, the filter choices (department, category, location, supplier, model), one fetch
    # (select_related covers every column) and the session save (savepoint, update, release)
    list_query_count = 17

    def make_object(self, unit, **kwargs):
        return AssetFactory(department=unit, **kwargs)

    def object_marker(self, obj):
        return obj.number

    def create_data(self, unit):
        category = computer_category()
        return {"name": "ThinkPad T14", "category": category.pk, "department": unit.pk,
                "attr_cpu": "Ultra 7 155U", "attr_memory_gb": "32", "purchase_price": "8999.00"}

    def edit_data(self, obj):
        return {"number": obj.number, "name": "改名", "category": obj.category_id, "department": obj.department_id}


def it_user(**kwargs):
    return make_user(perms=[*perms_for(Asset), *perms_for(AssetCategory), *perms_for(Location)], scope=None,
                     **kwargs)


def test_create_form_shows_category_fields_and_errors_in_place(client):
    unit = make_unit()
    user = it_user(department=unit)
    category = computer_category()
    client.force_login(user)
    response = client.get(reverse("assets:asset_create"), {"category": category.pk})
    body = response.content.decode()
    assert 'name="attr_cpu"' in body and 'name="attr_memory_gb"' in body
    response = client.post(reverse("assets:asset_create"), {"name": "T14", "category": category.pk,
                                                             "department": unit.pk, "attr_memory_gb": "16"})
    assert response.status_code == 200
    assert "attr_cpu" in response.context["form"].errors
    assert not Asset.objects.exists()
    response = client.post(reverse("assets:asset_create"), {"name": "T14", "category": category.pk,
                                                             "department": unit.pk, "attr_cpu": "i7",
                                                             "attr_memory_gb": "16", "attr_os": "统信 UOS"})
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert asset.attributes["os"] == "统信 UOS" and asset.attributes["memory_gb"] == 16
    detail = client.get(asset.get_absolute_url()).content.decode()
    assert 'data-attribute="cpu"' in detail and "i7" in detail


def test_htmx_reloads_the_category_fields(client):
    client.force_login(it_user())
    category = computer_category()
    response = client.get(reverse("assets:asset_fields"), {"category": category.pk},
                          headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'name="attr_cpu"' in body and category.name in body


def test_the_card_form_has_no_status_or_custodian(client):
    asset = AssetFactory()
    client.force_login(it_user())
    form = client.get(reverse("assets:asset_edit", args=[asset.pk])).context["form"]
    assert "status" not in form.fields and "custodian" not in form.fields


def test_filters_department_subtree_warranty_classified(client):
    root = make_unit()
    child = make_unit(parent=root)
    other = make_unit()
    today = timezone.localdate()
    a = AssetFactory(department=child, warranty_end=today + datetime.timedelta(days=10), is_classified=True)
    b = AssetFactory(department=other, warranty_end=today + datetime.timedelta(days=200))
    client.force_login(it_user())
    url = reverse("assets:asset_list")
    assert page_pks(client.get(url, {"department": root.pk})) == {a.pk}
    assert page_pks(client.get(url, {"warranty_within": 30})) == {a.pk}
    assert page_pks(client.get(url, {"is_classified": "true"})) == {a.pk}
    assert page_pks(client.get(url, {"q": b.serial_number})) == {b.pk}


def test_search_by_custodian_and_location_tree(client):
    person = PersonFactory(name="王小明")
    building = LocationFactory(name="一号楼")
    room = LocationFactory(name="301", parent=building)
    a = hold(AssetFactory(location=room), person)
    AssetFactory()
    client.force_login(it_user())
    url = reverse("assets:asset_list")
    assert page_pks(client.get(url, {"q": "王小明"})) == {a.pk}
    assert page_pks(client.get(url, {"location": building.pk})) == {a.pk}


def test_my_equipment_shows_what_i_hold_only(client):
    unit = make_unit()
    user = make_user(department=unit)
    mine = hold(AssetFactory(), user.person)
    AssetFactory(department=unit)
    client.force_login(user)
    response = client.get(reverse("assets:my_assets"))
    assert page_pks(response) == {mine.pk}
    # the owner rule: an employee may open the card of the device they hold
    assert client.get(mine.get_absolute_url()).status_code == 200
    home = client.get("/").content.decode()
    assert 'data-panel="assets.my_assets"' in home and mine.number in home


def test_detail_shows_custody_history_and_stock_in_link(client):
    person = PersonFactory()
    asset = hold(AssetFactory(), person)
    client.force_login(it_user())
    body = client.get(asset.get_absolute_url()).content.decode()
    assert "data-custody-history" in body and person.name in body


def test_detail_page_queries_are_fixed(client):
    asset = AssetFactory()
    client.force_login(it_user())
    client.get(asset.get_absolute_url())
    first, _response = count_queries(client, asset.get_absolute_url())
    hold(asset, PersonFactory())
    second, _response = count_queries(client, asset.get_absolute_url())
    assert first + 0 == second or second - first <= 1


def test_capitalise_button(client):
    asset = AssetFactory(category=AssetCategoryFactory(is_fixed_asset=False))
    client.force_login(it_user())
    response = client.post(reverse("assets:asset_capitalise", args=[asset.pk]))
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.fixed_asset_number.startswith("GZ-")


@pytest.mark.parametrize(("list_name", "create_name", "data"), [
    ("assets:category_list", "assets:category_create",
     {"code": "kvm", "name": "KVM", "kind": "peripheral", "depreciation_years": 5, "residual_rate": "0.05",
      "field_schema_text": "ports | 端口数 | number | yes"}),
    ("assets:supplier_list", "assets:supplier_create", {"name": "神州数码"}),
    ("assets:location_list", "assets:location_create", {"code": "B2", "name": "二号楼"}),
])
def test_catalogue_pages(client, list_name, create_name, data):
    client.force_login(make_user(superuser=True))
    assert client.get(reverse(list_name)).status_code == 200
    response = client.post(reverse(create_name), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""


def test_category_form_refuses_bad_schema(client):
    client.force_login(make_user(superuser=True))
    response = client.post(reverse("assets:category_create"), {
        "code": "x", "name": "X", "kind": "other", "depreciation_years": 5, "residual_rate": "0.05",
        "field_schema_text": "bad key | 标签"})
    assert response.status_code == 200
    assert not AssetCategory.objects.filter(code="x").exists()


def test_model_page_and_dashboard_menu(client):
    client.force_login(make_user(superuser=True))
    category = computer_category()
    response = client.post(reverse("assets:model_create"), {"category": category.pk, "manufacturer": "联想",
                                                            "name": "扬天 M4000q", "accessories_text": "键盘, 鼠标"})
    assert response.status_code == 302
    from zhidu.assets.models import AssetModel

    assert AssetModel.objects.get().accessories == ["键盘", "鼠标"]
    assert client.get(reverse("assets:model_list")).status_code == 200


def test_in_stock_public_equipment_shows_it_authority():
    asset = AssetFactory(is_public=True, status=AssetStatus.IN_USE)
    assert asset.custodian is None  # allowed by the DB rule for public equipment (AST-05)
