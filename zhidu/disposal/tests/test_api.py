"""REST API of disposal: every action, and the 400/403/404/409 answers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhidu.assets.choices import AssetStatus, CategoryKind
from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.testing import make_user
from zhidu.disposal.approval import apply_preset

from .factories import AssetFactory, CategoryFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db
IT_PERMS = ["disposal.view_scraprequest", "disposal.add_scraprequest", "disposal.change_scraprequest",
            "disposal.submit_scraprequest", "disposal.appraise_scraprequest", "disposal.process_scraprequest",
            "disposal.view_disposalrecord", "disposal.change_disposalrecord", "disposal.view_sanitisationrecord",
            "disposal.view_scrapline", "assets.view_asset", "org.view_person"]


@pytest.fixture
def world():
    dept = OrgUnitFactory(name="生产部")
    other = OrgUnitFactory(name="外部门")
    it = make_user(name="IT王工", roles=["it_staff"], role_perms={"it_staff": IT_PERMS})
    head = make_user(name="部门经理", department=dept, roles=[("dept_head", dept)],
                     role_perms={"dept_head": ["disposal.view_scraprequest", "disposal.add_scraprequest",
                                               "disposal.submit_scraprequest", "assets.view_asset"]})
    gm = make_user(name="总经理", roles=["general_manager"])
    apply_preset("C")
    return {"dept": dept, "other": other, "it": it, "head": head, "gm": gm}


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_full_flow_through_the_api(client, world):
    cat = CategoryFactory(kind=CategoryKind.COMPUTER)
    pc = AssetFactory(department=world["dept"], category=cat)
    client.force_login(world["head"])
    response = post(client, "/api/disposal/requests/", {
        "title": "电脑报废", "reason": "老化",
        "lines": [{"kind": "hardware", "asset_id": pc.pk, "reason": "无法开机"},
                  {"kind": "software", "software_name": "Office 2010", "quantity": 3, "reason": "停止支持"}]})
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert body["number"].startswith("BF-") and len(body["lines"]) == 2
    assert post(client, f"/api/disposal/requests/{pk}/submit/").status_code == 200
    assert post(client, f"/api/disposal/requests/{pk}/submit/").status_code == 409
    lines = body["lines"]
    verdicts = {"verdicts": [{"line_id": line["id"], "verdict": "scrap"} for line in lines]}
    assert post(client, f"/api/disposal/requests/{pk}/appraise/", verdicts).status_code == 403

    client.force_login(world["it"])
    assert post(client, f"/api/disposal/requests/{pk}/appraise/", {"verdicts": verdicts["verdicts"][:1]}) \
        .status_code == 400
    response = post(client, f"/api/disposal/requests/{pk}/appraise/", verdicts)
    assert response.status_code == 200 and response.json()["status"] == "approval"
    from zhidu.disposal.models import ScrapRequest

    obj = ScrapRequest.objects.get(pk=pk)
    task = approval_selectors.approval_for(obj).tasks.get(status="open")
    approvals.decide(task=task, actor=world["gm"], decision="approve", opinion="同意")
    assert post(client, f"/api/disposal/requests/{pk}/recover/").json()["status"] == "recovered"
    pc.refresh_from_db()
    assert pc.status == AssetStatus.TO_DISPOSE

    response = post(client, f"/api/disposal/requests/{pk}/dispose/",
                    {"method": "sale", "recipient": "二手商", "disposed_on": "2026-03-05", "proceeds": "300.00"})
    assert response.status_code == 400 and response.json()["code"] == "sanitisation_required"
    person_id = world["it"].person.pk
    response = post(client, f"/api/disposal/requests/{pk}/sanitise/",
                     {"line_id": lines[0]["id"], "method": "overwrite", "performed_by_id": person_id,
                      "verified_by_id": person_id, "performed_on": "2026-03-04"})
    assert response.status_code == 201, response.json()
    response = post(client, f"/api/disposal/requests/{pk}/dispose/",
                    {"method": "sale", "recipient": "二手商", "disposed_on": "2026-03-05", "proceeds": "300.00"})
    assert response.status_code == 201, response.json()
    record_id = response.json()["id"]
    upload = SimpleUploadedFile("证明.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(f"/api/disposal/records/{record_id}/certificate/", {"file": upload})
    assert response.status_code == 201
    detail = client.get(f"/api/disposal/requests/{pk}/").json()
    assert detail["status"] == "disposed" and detail["disposals"][0]["proceeds"] == "300.00"
    assert client.get("/api/disposal/sanitisations/").json()["count"] == 1
    assert client.get(f"/api/disposal/lines/?request={pk}").json()["count"] == 2
    pc.refresh_from_db()
    assert pc.status == AssetStatus.DISPOSED


def test_out_of_scope_is_404_and_bad_input_400(client, world):
    outside = AssetFactory(department=world["other"])
    client.force_login(world["head"])
    response = post(client, "/api/disposal/requests/", {
        "title": "x", "lines": [{"kind": "hardware", "asset_id": outside.pk, "reason": "坏"}]})
    assert response.status_code == 400
    response = post(client, "/api/disposal/requests/", {"title": "x", "lines": []})
    assert response.status_code == 400
    client.force_login(world["it"])
    response = post(client, "/api/disposal/requests/", {
        "title": "外部门", "lines": [{"kind": "hardware", "asset_id": outside.pk, "reason": "坏"}]})
    assert response.status_code == 201
    pk = response.json()["id"]
    client.force_login(world["head"])
    assert client.get(f"/api/disposal/requests/{pk}/").status_code == 404
    assert post(client, f"/api/disposal/requests/{pk}/submit/").status_code == 404


def test_employee_cannot_create(client, world):
    client.force_login(make_user())
    response = post(client, "/api/disposal/requests/", {"title": "x", "lines": [
        {"kind": "software", "software_name": "a", "reason": "b"}]})
    assert response.status_code == 403
