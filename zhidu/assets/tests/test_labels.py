"""Asset labels with QR codes (AST-02; DESIGN: a QR label opens the asset on a phone)."""

import pytest
from django.urls import reverse

from zhidu.assets.labels import SHEETS, label_payload, parse_label_payload
from zhidu.assets.models import Asset
from zhidu.core.models import ChangeLogEntry
from zhidu.core.testing import make_unit, make_user, perms_for

from .factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_payload_is_the_absolute_short_link(settings):
    asset = AssetFactory(number="ZC-2026-000042")
    settings.ZHIDU_BASE_URL = "https://it.example.com/"
    assert label_payload(asset) == "https://it.example.com/assets/n/ZC-2026-000042/"
    assert parse_label_payload(label_payload(asset)) == "ZC-2026-000042"


@pytest.mark.parametrize(("text", "number"), [
    ("https://other.host:8443/assets/n/ZC-2026-000001/", "ZC-2026-000001"),
    ("http://10.0.0.5/assets/n/ZC-2026-000001", "ZC-2026-000001"),
    ("/assets/n/OLD%2F0007/", "OLD/0007"),
    ("  ZC-2026-000003 \n", "ZC-2026-000003"),
    ("https://example.com/procurement/requests/1/", None),
    ("<script>", None),
    ("", None),
])
def test_parse_label_payload(text, number):
    assert parse_label_payload(text) == number


def test_short_link_opens_the_asset_after_login(client):
    unit = make_unit()
    asset = AssetFactory(department=unit)
    path = f"/assets/n/{asset.number}/"
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(make_user(perms=perms_for(Asset, "view"), scope=unit))
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == asset.get_absolute_url()
    client.force_login(make_user(perms=perms_for(Asset, "view"), scope=make_unit()))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("sheet", list(SHEETS))
def test_print_sheets_with_inline_qr(client, sheet):
    unit = make_unit()
    assets = [AssetFactory(department=unit) for _ in range(3)]
    hidden = AssetFactory()
    client.force_login(make_user(perms=perms_for(Asset, "view"), scope=unit))
    response = client.get(reverse("assets:labels"), {"asset": [a.pk for a in [*assets, hidden]], "sheet": sheet})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("data-asset-label=") == 3  # the out-of-scope device is not printed
    assert hidden.number not in body
    assert body.count("<svg") == 3 and "http://testserver/assets/n/" in body
    assert unit.name in body
    assert ChangeLogEntry.objects.filter(object_id=str(assets[0].pk), action="event").exists()


def test_a4_sheet_pages(client):
    unit = make_unit()
    assets = [AssetFactory(department=unit) for _ in range(25)]
    client.force_login(make_user(perms=perms_for(Asset, "view"), scope=unit))
    response = client.get(reverse("assets:labels"), {"asset": [a.pk for a in assets], "sheet": "a4-3x8"})
    assert response.content.decode().count('class="label-page"') == 2  # 24 per A4 sheet


def test_print_one_from_the_card(client):
    unit = make_unit()
    asset = AssetFactory(department=unit)
    client.force_login(make_user(perms=perms_for(Asset, "view"), scope=unit))
    assert reverse("assets:asset_labels", args=[asset.pk]) in client.get(asset.get_absolute_url()).content.decode()
    response = client.get(reverse("assets:asset_labels", args=[asset.pk]), {"sheet": "roll-50x30"})
    assert response.status_code == 200 and asset.number in response.content.decode()
    assert client.get(reverse("assets:asset_labels", args=[AssetFactory().pk])).status_code == 404


def test_list_offers_the_bulk_label_action(client):
    unit = make_unit()
    asset = AssetFactory(department=unit)
    client.force_login(make_user(perms=perms_for(Asset, "view"), scope=unit))
    body = client.get(reverse("assets:asset_list")).content.decode()
    assert 'form="asset-label-form"' in body and f'value="{asset.pk}"' in body
    assert 'data-action="print-labels"' in body
