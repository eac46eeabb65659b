"""Imports through the API (zhidu/core/api/imports.py, issue #3 "API for every model and
action"): the asset importer with a real .xlsx, every mode, refusals with bodies that say why,
background runs with the job's status, and permissions."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from zhidu.assets.models import Asset
from zhidu.core.models import ChangeLogEntry

from .test_imports_assets import HEADERS, ledger, root, row, xlsx  # noqa: F401 — ledger, root: fixtures

pytestmark = pytest.mark.django_db

URL = "/api/imports/assets/"


def upload(rows, name="assets.xlsx"):
    data = io.BytesIO(xlsx(rows))
    data.name = name
    return data


@pytest.fixture
def api(root):
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=root).key}")


@pytest.fixture
def employee(db):
    return get_user_model().objects.create_user("tanglei", password="x")


def test_the_importers_and_their_columns_are_listed(api, ledger, employee):
    found = {i["key"]: i for i in api.get("/api/imports/").json()["results"]}
    assert {"assets", "org-people", "consumables.items"} <= set(found)
    assets = found["assets"]
    assert {c["field"] for c in assets["columns"]} >= {"number", "name", "category", "custodian"}
    assert [k["field"] for k in assets["match_keys"]] == ["number", "serial_number"]
    assert {m["mode"] for m in assets["modes"]} == {"dry_run", "all_or_nothing", "valid_rows"}
    client = Client()
    client.force_login(employee)
    assert client.get("/api/imports/").json() == {"results": []}
    assert client.post(URL, {"file": upload([HEADERS])}).status_code == 403
    assert Client().get("/api/imports/").status_code in (401, 403)


def test_dry_run_reports_and_changes_nothing(api, ledger):
    response = api.post(URL, {"file": upload([HEADERS, row(**{"资产编号": "API-1"})]), "mode": "dry_run"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] and not body["committed"] and body["total"] == 1
    assert body["rows"][0]["row"] == 2 and body["rows"][0]["action"] == "created"
    assert not Asset.objects.filter(number="API-1").exists()


def test_all_or_nothing_refuses_the_file_with_the_row_errors(api, ledger):
    rows = [HEADERS, row(**{"资产编号": "API-1"}), row(**{"资产编号": "API-2", "类别": "没有的类别"})]
    response = api.post(URL, {"file": upload(rows), "mode": "all_or_nothing"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused" and "1" in body["detail"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "类别")]
    assert "没有的类别" in body["errors"][0]["message"]
    assert not Asset.objects.filter(number__startswith="API-").exists()


def test_valid_rows_are_imported_and_change_logged_as_the_token_user(api, ledger, root):
    rows = [HEADERS, row(**{"资产编号": "API-1", "使用人/责任人": "HX0101"}),
            row(**{"资产编号": "API-2", "购置日期": "昨天"})]
    response = api.post(URL, {"file": upload(rows), "mode": "valid_rows"})
    assert response.status_code == 200
    body = response.json()
    assert body["committed"] and (body["created"], body["error_rows"]) == (1, 1)
    asset = Asset.objects.get(number="API-1")
    entry = ChangeLogEntry.objects.get(object_id=str(asset.pk), content_type__model="asset", action="create")
    assert entry.source == "import" and entry.actor_id == root.pk


@pytest.mark.parametrize(("data", "field"), [
    ({}, "file"),
    ({"mode": "everything"}, "mode"),
    ({"options": "drop_tables"}, "options"),
    ({"match_key": "name"}, "match_key"),
])
def test_bad_requests_say_which_field(api, ledger, data, field):
    payload = {"file": upload([HEADERS, row(**{"资产编号": "API-1"})]), **data}
    if field == "file":
        payload.pop("file")
    response = api.post(URL, payload)
    assert response.status_code == 400
    assert field in response.json()["errors"] or field in response.json(), response.json()


def test_unknown_importer_is_404_and_a_file_error_is_400(api, ledger):
    assert api.post("/api/imports/nothing/", {"file": upload([HEADERS])}).status_code == 404
    response = api.post(URL, {"file": upload([HEADERS]), "mode": "valid_rows"})
    assert response.status_code == 400
    body = response.json()
    assert body["file_errors"] and body["detail"] == body["file_errors"][0]


def test_a_large_file_runs_in_the_background_and_its_job_is_readable_by_its_owner_only(api, ledger, employee):
    rows = [HEADERS, row(**{"资产编号": "BG-1"}), row(**{"资产编号": "BG-2"})]
    with override_settings(ZHIDU_BACKGROUND_IMPORT_ROWS=1):
        response = api.post(URL, {"file": upload(rows), "mode": "all_or_nothing"})
    assert response.status_code == 202
    job_url = f"/api/jobs/{response.json()['id']}/"
    job = api.get(job_url).json()
    assert job["status"] == "done" and job["result"]["created"] == 2 and job["result"]["committed"]
    assert set(Asset.objects.filter(number__startswith="BG-").values_list("number", flat=True)) == {"BG-1", "BG-2"}
    other = Client()
    other.force_login(employee)
    assert other.get(job_url).status_code == 404


def test_the_template_is_an_xlsx_with_the_headers(api, ledger):
    response = api.get("/api/imports/assets/template/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert any("资产编号" in str(h) for h in headers)
