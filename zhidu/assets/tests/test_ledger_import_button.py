"""The asset list offers 导入 (import) to whoever may import assets, and only to them (issue #3)."""

import pytest
from django.urls import reverse

from zhidu.assets.models import Asset
from zhidu.core.testing import make_user, perms_for

pytestmark = pytest.mark.django_db


def test_import_button_only_for_importers(client):
    import_url = reverse("assets:asset_import")
    client.force_login(make_user(perms=perms_for(Asset), scope=None))  # the IT authority: add + change
    page = client.get(reverse("assets:asset_list")).content.decode()
    assert f'href="{import_url}"' in page and 'data-action="import"' in page and "导入" in page
    assert client.get(import_url).status_code == 200

    client.force_login(make_user(perms=["assets.view_asset"], scope=None))  # auditor-like: read only
    page = client.get(reverse("assets:asset_list")).content.decode()
    assert client.get(reverse("assets:asset_list")).status_code == 200 and import_url not in page
