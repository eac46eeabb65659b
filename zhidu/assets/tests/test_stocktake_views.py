"""Stock-take and inspection pages and API: scope (404/403), the scan endpoint with a real
label payload, the counting page's test hooks, results/report/print/export, pinned queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from zhidu.assets.labels import label_payload
from zhidu.assets.models import InspectionRound, StocktakeLine
from zhidu.assets.models.stocktake import CountResult, StocktakeStatus
from zhidu.assets.services import stocktake as services
from zhidu.core.testing import assert_constant_queries, make_user, read_csv, read_xlsx

from .factories import AssetCategoryFactory, AssetFactory, LocationFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

STAFF_PERMS = ["assets.view_stocktakeplan", "assets.add_stocktakeplan", "assets.change_stocktakeplan",
               "assets.delete_stocktakeplan", "assets.count_stocktakeplan", "assets.reconcile_stocktakeplan",
               "assets.view_stocktakeadjustment", "assets.change_stocktakeadjustment",
               "assets.view_inspectionround", "assets.add_inspectionround", "assets.change_inspectionround",
               "org.view_orgunit", "org.view_person"]


@pytest.fixture
def setup():
    dept = OrgUnitFactory(name="教务处")
    other = OrgUnitFactory(name="财务部")
    room = LocationFactory(code="R101", name="101 室")
    category = AssetCategoryFactory(code="pc", name="计算机")
    staff = make_user(perms=STAFF_PERMS, scope=None, department=other)
    officer = make_user(perms=["assets.view_stocktakeplan", "assets.count_stocktakeplan"], scope=dept, department=dept)
    outsider = make_user(perms=["assets.view_stocktakeplan", "assets.count_stocktakeplan"], scope=other,
                         department=other)
    assets = [AssetFactory(number=f"ZC-2026-{i:06d}", department=dept, location=room, category=category)
              for i in range(1, 4)]
    plan = services.create_plan(actor=staff, title="教务处清查", department=dept, location=room)
    return {"dept": dept, "other": other, "room": room, "category": category, "staff": staff, "officer": officer,
            "outsider": outsider, "assets": assets, "plan": plan}


def login(client, user):
    client.force_login(user)
    return client


def test_scan_endpoint_with_a_real_label_payload(client, setup):
    plan = services.start_counting(plan=setup["plan"], actor=setup["staff"])
    login(client, setup["officer"])
    url = reverse("assets:stocktake_scan", args=[plan.pk])
    payload = label_payload(setup["assets"][0])  # what the printed QR label holds
    assert "/assets/n/" in payload
    response = client.post(url, {"payload": payload, "seal_number": "FJ-7", "location": setup["room"].pk,
                                 "configuration_complete": "false"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["result"] == "found" and data["asset_number"] == "ZC-2026-000001" and data["seal_number"] == "FJ-7"
    assert data["counts"]["found"] == 1
    assert StocktakeLine.objects.get(plan=plan).configuration_complete is False  # AST-17: configuration checked
    # the same label again: idempotent, 200, no second line
    response = client.post(url, {"payload": payload})
    assert response.status_code == 200 and response.json()["duplicate"] is True
    assert StocktakeLine.objects.filter(plan=plan).count() == 1
    # manual entry of an unknown number
    response = client.post(url, {"payload": "XX-1"})
    assert response.json()["result"] == CountResult.UNKNOWN
    # rubbish: 400 with the reason
    response = client.post(url, {"payload": "https://evil.example.com/x"})
    assert response.status_code == 400 and response.json()["detail"]


def test_scan_scope_and_state(client, setup):
    plan = setup["plan"]
    url = reverse("assets:stocktake_scan", args=[plan.pk])
    login(client, setup["outsider"])
    assert client.post(url, {"payload": "ZC-2026-000001"}).status_code == 404
    login(client, setup["officer"])
    response = client.post(url, {"payload": "ZC-2026-000001"})  # still a draft
    assert response.status_code == 409
    viewer = make_user(perms=["assets.view_stocktakeplan"], scope=setup["dept"], department=setup["dept"])
    login(client, viewer)
    assert client.post(url, {"payload": "ZC-2026-000001"}).status_code == 403


def test_count_page_is_testable_by_a_browser(client, setup):
    plan = services.start_counting(plan=setup["plan"], actor=setup["staff"])
    login(client, setup["officer"])
    response = client.get(reverse("assets:stocktake_count", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    polled = client.get(reverse("assets:stocktake_count", args=[plan.pk]) + "?format=json").json()
    assert polled["counting"] is True and polled["counts"]["expected"] == 3 and polled["lines"] == []
    for marker in ('id="scan-input"', 'id="scan-form"', 'id="scan-submit"', 'id="scan-camera"', 'id="scan-lines"',
                   "assets/scan.js", "vendor/jsqr/jsQR.js", reverse("assets:stocktake_scan", args=[plan.pk])):
        assert marker in html


def test_plan_pages_workflow_and_print(client, setup):
    staff = setup["staff"]
    login(client, staff)
    response = client.post(reverse("assets:stocktake_create"), {"title": "新清查", "kind": "periodic",
                                                                 "department": setup["dept"].pk})
    assert response.status_code == 302
    plan = setup["plan"]
    detail = reverse("assets:stocktake_detail", args=[plan.pk])
    assert client.get(detail).status_code == 200
    response = client.post(reverse("assets:stocktake_action", args=[plan.pk, "start"]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == StocktakeStatus.COUNTING and plan.expected_count == 3
    services.record_scan(plan=plan, payload="ZC-2026-000001", actor=staff, seal_number="FJ-1")
    client.post(reverse("assets:stocktake_action", args=[plan.pk, "finish"]))
    plan.refresh_from_db()
    assert plan.status == StocktakeStatus.RECONCILING
    for tab in ("", "?tab=lines", "?tab=adjustments", "?tab=timeline", "?tab=history"):
        assert client.get(detail + tab).status_code == 200
    report = client.get(reverse("assets:stocktake_report", args=[plan.pk]))
    assert report.status_code == 200 and "ZC-2026-000002" in report.content.decode()
    rows = read_csv(client.get(reverse("assets:stocktake_report", args=[plan.pk]) + "?export=csv"))
    assert len(rows) == 4  # header + 1 found + 2 missing
    sheet = read_xlsx(client.get(reverse("assets:stocktake_report", args=[plan.pk]) + "?export=xlsx"))
    assert len(sheet) == 4
    printed = client.get(reverse("assets:stocktake_print", args=[plan.pk]))
    assert printed.status_code == 200
    text = printed.content.decode()
    assert "ZC-2026-000003" in text and "FJ-1" in text
    # closing with open differences is refused, with the article
    response = client.post(reverse("assets:stocktake_action", args=[plan.pk, "close"]), follow=True)
    assert "篇6 第三条(8)" in response.content.decode()
    # edit a proposed adjustment
    adjustment = plan.adjustments.first()
    url = reverse("assets:stocktake_adjustment_edit", args=[plan.pk, adjustment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "located", "note": ""})
    assert response.status_code == 200  # note required: re-rendered with the error
    response = client.post(url, {"kind": "located", "note": "在仓库找到"})
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.kind == "located"


def test_detail_scope(client, setup):
    plan = setup["plan"]
    login(client, setup["outsider"])
    assert client.get(reverse("assets:stocktake_detail", args=[plan.pk])).status_code == 404
    login(client, setup["officer"])
    assert client.get(reverse("assets:stocktake_detail", args=[plan.pk])).status_code == 200
    assert client.post(reverse("assets:stocktake_action", args=[plan.pk, "start"])).status_code == 403


def test_list_pages_have_a_fixed_number_of_queries(client, setup):
    staff = setup["staff"]
    login(client, staff)

    def grow():
        for i in range(3):
            services.create_plan(actor=staff, title=f"清查{i}", department=setup["dept"], location=setup["room"],
                                 category=setup["category"])
            services.create_inspection(actor=staff, location=setup["room"], inspected_on=datetime.date(2026, 5, i + 1),
                                       department=setup["dept"])

    services.create_inspection(actor=staff, location=setup["room"], inspected_on=datetime.date(2026, 4, 1))
    client.get(reverse("assets:stocktake_list"))  # warm the process-wide parameter cache (one-off query)
    assert_constant_queries(client, reverse("assets:inspection_list"), grow)
    assert_constant_queries(client, reverse("assets:stocktake_list"), grow)


def test_list_query_counts_pinned(client, setup, django_assert_num_queries):
    login(client, setup["officer"])
    client.get(reverse("assets:stocktake_list"))  # session warm-up
    # session, user, grants, person, count, unread notifications, person + unit of the navbar, page rows,
    # session save, … (the due panel needs "add": not shown here); fixed whatever the number of plans
    with django_assert_num_queries(12):
        assert client.get(reverse("assets:stocktake_list")).status_code == 200


def test_inspection_pages(client, setup):
    staff = setup["staff"]
    login(client, staff)
    response = client.post(reverse("assets:inspection_create"), {"location": setup["room"].pk,
                                                                  "inspected_on": "2026-05-20"})
    assert response.status_code == 302
    round_ = InspectionRound.objects.get()
    detail = reverse("assets:inspection_detail", args=[round_.pk])
    assert client.get(detail).status_code == 200
    client.post(reverse("assets:inspection_step", args=[round_.pk, "finding"]),
                {"asset_number": "ZC-2026-000001", "result": "issue", "description": "键盘损坏", "follow_up": "更换"})
    assert round_.findings.get().description == "键盘损坏"
    client.post(reverse("assets:inspection_step", args=[round_.pk, "complete"]), {"summary": "已处理"})
    round_.refresh_from_db()
    assert round_.status == "done"
    response = client.get(reverse("assets:inspection_overdue"))
    assert response.status_code == 200


# --------------------------------------------------------------------------- API


def test_api_plan_scan_results_and_adjustments(setup):
    api = APIClient()
    api.force_authenticate(setup["staff"])
    response = api.post("/api/assets/stocktakes/", {"title": "API 清查", "department": setup["dept"].pk,
                                                    "location": setup["room"].pk}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["number"].startswith("PD-")
    assert api.post(f"/api/assets/stocktakes/{pk}/start/").json()["expected_count"] == 3
    payload = label_payload(setup["assets"][1])
    response = api.post(f"/api/assets/stocktakes/{pk}/scan/", {"payload": payload}, format="json")
    assert response.status_code == 201 and response.json()["result"] == "found"
    assert api.post(f"/api/assets/stocktakes/{pk}/scan/", {"payload": payload}, format="json").status_code == 200
    assert api.post(f"/api/assets/stocktakes/{pk}/close/").status_code == 409
    assert api.post(f"/api/assets/stocktakes/{pk}/finish/").status_code == 200
    results = api.get(f"/api/assets/stocktakes/{pk}/results/").json()
    assert results["counts"] == {"expected": 3, "found": 1, "missing": 2, "misplaced": 0, "unknown": 0}
    adjustments = api.get("/api/assets/stocktake-adjustments/", {"plan": pk}).json()
    rows = adjustments["results"] if isinstance(adjustments, dict) else adjustments
    assert len(rows) == 2
    response = api.patch(f"/api/assets/stocktake-adjustments/{rows[0]['id']}/", {"kind": "register"}, format="json")
    assert response.status_code == 400  # a register does not fit a missing asset
    response = api.patch(f"/api/assets/stocktake-adjustments/{rows[0]['id']}/",
                         {"kind": "located", "note": "借出未还，已找到"}, format="json")
    assert response.status_code == 200 and response.json()["kind"] == "located"
    response = api.post(f"/api/assets/stocktakes/{pk}/close/")
    assert response.status_code == 400 and "篇6 第三条(8)" in response.json()["detail"]
    assert api.get("/api/assets/stocktakes/due/").status_code == 200


def test_api_scope_and_inspections(setup):
    api = APIClient()
    api.force_authenticate(setup["outsider"])
    assert api.get(f"/api/assets/stocktakes/{setup['plan'].pk}/").status_code == 404
    api.force_authenticate(setup["staff"])
    response = api.post("/api/assets/inspections/", {"location": setup["room"].pk, "inspected_on": "2026-05-01"},
                        format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api.post(f"/api/assets/inspections/{pk}/findings/", {"result": "issue"}, format="json")
    assert response.status_code == 400
    response = api.post(f"/api/assets/inspections/{pk}/findings/",
                        {"result": "issue", "description": "机柜未上锁", "asset": setup["assets"][0].pk}, format="json")
    assert response.status_code == 201
    assert api.post(f"/api/assets/inspections/{pk}/complete/", {"summary": "ok"}, format="json").status_code == 200
    assert api.post(f"/api/assets/inspections/{pk}/complete/", {}, format="json").status_code == 409
    overdue = api.get("/api/assets/inspections/overdue/")
    assert overdue.status_code == 200


def test_plan_list_shows_stocktakes_due_after_reallocation(client, setup):
    from zhidu.assets.models import Reallocation

    login(client, setup["staff"])
    assert "data-stocktake-due" not in client.get(reverse("assets:stocktake_list")).content.decode()
    Reallocation.objects.create(number="TJ-2026-000001", asset=setup["assets"][0], from_department=setup["dept"],
                                to_department=setup["other"], reason="调剂")
    html = client.get(reverse("assets:stocktake_list")).content.decode()
    assert "data-stocktake-due" in html
    assert f'data-due-department="{setup["dept"].pk}"' in html
    assert f'data-due-location="{setup["room"].pk}"' in html
    # the link pre-fills a plan "after a reallocation" for that department
    response = client.get(reverse("assets:stocktake_create") + f"?department={setup['dept'].pk}")
    assert response.status_code == 200
    assert response.context["form"].initial["kind"] == "reallocation"
