"""REST API of procurement: the generic suite, workflow actions and their error answers."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.testing import APITestSuite, make_unit, make_user
from zhidu.procurement import services
from zhidu.procurement.approval import apply_preset
from zhidu.procurement.choices import RequestStatus
from zhidu.procurement.models import PurchaseRequest, SelfPurchaseFiling

from .factories import PersonFactory, make_request

S = RequestStatus
TODAY = datetime.date(2026, 3, 2)


def request_payload(**overrides):
    data = {
        "kind": "application", "title": "财务部电脑更新", "purpose": "旧电脑超过使用年限", "software_needs": "用友U8",
        "configuration_standard": "标准办公台式机",
        "lines": [{"item": "联想 扬天 M4000q", "category": "computer", "specification": "i5/16G/512G",
                   "quantity": 3, "unit": "台", "unit_price": "4200.00"}],
    }
    data.update(overrides)
    return data


class TestPurchaseRequestAPI(APITestSuite):
    model = PurchaseRequest
    api_list_url = "procurement-request-list"
    api_detail_url = "procurement-request-detail"
    api_delete = True
    # session, user, grants, person id (owner rule), count, page, session save (savepoint, update, release;
    # the idle-timeout middleware touches the session of a logged-in browser; token clients skip these)
    api_list_query_count = 9

    def make_object(self, unit, **kwargs):
        return make_request(PersonFactory(department=unit, user=None), actor=None)

    def api_create_data(self, unit):
        return request_payload()

    def api_update_data(self, obj):
        return {"title": "改过的标题"}


class TestSelfPurchaseAPI(APITestSuite):
    model = SelfPurchaseFiling
    api_list_url = "procurement-selfpurchase-list"
    api_detail_url = "procurement-selfpurchase-detail"
    api_list_query_count = 9

    def make_object(self, unit, **kwargs):
        return services.register_self_purchase(
            actor=None, registered_by=PersonFactory(department=unit, user=None), item="扫描仪",
            model_name="富士通 fi-7160", performance="60ppm", manufacturer="富士通", supplier="京东",
            purchase_date=TODAY, software_info="无")

    def api_create_data(self, unit):
        return {"item": "投影仪", "category": "office_device", "model_name": "EPSON CB-X50", "performance": "3600流明",
                "manufacturer": "爱普生", "supplier": "京东", "purchase_date": "2026-03-01", "software_info": "无"}

    def api_update_data(self, obj):
        return {"model_name": "fi-7180"}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def org(db):
    apply_preset("A")
    unit = make_unit("财务部")
    it = make_unit("综合管理部", is_it_authority=True)
    return SimpleNamespace(
        unit=unit,
        employee=make_user(name="钱员工", department=unit, roles=[("employee", None, True,
                                                                   ["procurement.add_purchaserequest"])]),
        leader=make_user(name="王主管", department=it, roles=[("it_leader", None, True,
                                                              ["procurement.view_purchaserequest"])]),
        it_staff=make_user(name="刘工", department=it, roles=[("it_staff", None, True, [
            "procurement.view_purchaserequest", "procurement.process_purchaserequest", "procurement.view_stockin",
            "org.view_person"])]),
        finance=make_user(name="周会计", department=it, roles=[("finance", None, True, [
            "procurement.view_purchaserequest", "procurement.reimburse_purchaserequest"])]),
    )


def url(name, *args):
    return reverse(name, args=args)


def test_create_submit_and_errors(api, org):
    api.force_login(org.employee)
    response = api.post(url("procurement-request-list"), request_payload(purpose=""), format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["number"].startswith("CG-") and response.json()["total_amount"] == "12600.00"
    response = api.post(url("procurement-request-submit", pk), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "required" and body["article"] == "篇14/5 第九条" and "篇14/5 第九条" in body["detail"]
    response = api.patch(url("procurement-request-detail", pk), {"purpose": "更新"}, format="json")
    assert response.status_code == 200
    response = api.post(url("procurement-request-submit", pk), format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    # Not editable any more: 409 with the reason.
    response = api.patch(url("procurement-request-detail", pk), {"title": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    response = api.post(url("procurement-request-submit", pk), format="json")
    assert response.status_code == 409


def test_bad_input_400(api, org):
    api.force_login(org.employee)
    response = api.post(url("procurement-request-list"), request_payload(lines=[{"item": "x", "quantity": 0,
                                                                                  "unit_price": "1"}]), format="json")
    assert response.status_code == 400 and "lines" in response.json()["errors"]
    response = api.post(url("procurement-request-list"), request_payload(lines=[]), format="json")
    assert response.status_code == 400


def test_infrastructure_refused_for_department(api, org):
    api.force_login(org.employee)
    payload = request_payload(lines=[{"item": "存储", "category": "storage", "quantity": 1, "unit_price": "90000"}])
    response = api.post(url("procurement-request-list"), payload, format="json")
    assert response.status_code == 400 and response.json()["article"] == "篇2 第八条"


def approved(org):
    request = make_request(org.employee.person, amount="6000.00")
    services.submit_request(request=request, actor=org.employee)
    task = approval_selectors.approval_for(request).tasks.get(status="open")
    approvals.decide(task=task, actor=org.leader, decision="approve", opinion="同意")
    request.refresh_from_db()
    return request


def test_processing_actions(api, org):
    request = approved(org)
    pk = request.pk
    api.force_login(org.employee)
    response = api.post(url("procurement-request-quotations", pk), {"supplier_name": "A", "amount": "1",
                                                                    "quoted_on": "2026-03-01"}, format="json")
    assert response.status_code == 403
    outsider = make_user(department=make_unit("别的部门"))
    api.force_login(outsider)
    assert api.post(url("procurement-request-quotations", pk), {}, format="json").status_code == 404
    api.force_login(org.it_staff)
    order = {"supplier_name": "联想", "contract_no": "HT-API-1", "amount": "6000.00", "signed_on": "2026-03-02"}
    response = api.post(url("procurement-request-order", pk), order, format="json")
    assert response.status_code == 400 and response.json()["code"] == "quotations_missing"
    for supplier in ("联想", "京东企业购"):
        response = api.post(url("procurement-request-quotations", pk), {
            "supplier_name": supplier, "amount": "5900.00", "quoted_on": "2026-03-01"}, format="json")
        assert response.status_code == 201
    response = api.post(url("procurement-request-waiver", pk), {"reason": "仅两家有现货"}, format="json")
    assert response.status_code == 201
    response = api.post(url("procurement-request-order", pk), order, format="json")
    assert response.status_code == 201
    line_id = request.lines.get().pk
    # Reimbursement before stock-in: 400 citing 篇6 第三条(24).
    api.force_login(org.finance)
    response = api.post(url("procurement-request-reimburse", pk), {"amount": "6000.00", "invoice_no": "1",
                                                                   "reimbursed_on": "2026-03-10"}, format="json")
    assert response.status_code == 400 and response.json()["article"] == "篇6 第三条(24)"
    api.force_login(org.it_staff)
    response = api.post(url("procurement-request-acceptance", pk), {
        "accepted_by": org.it_staff.person.pk, "lines": [{"line": line_id, "accepted_quantity": 2}]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "quantity_exceeded"
    response = api.post(url("procurement-request-acceptance", pk), {
        "accepted_by": org.it_staff.person.pk, "lines": [{"line": line_id, "accepted_quantity": 1}]}, format="json")
    assert response.status_code == 201, response.content
    response = api.post(url("procurement-request-stock-in", pk), {
        "received_by": org.it_staff.person.pk, "location": "IT 库房"}, format="json")
    assert response.status_code == 201 and response.json()["number"].startswith("RK-")
    assert response.json()["lines"][0]["quantity"] == 1
    api.force_login(org.finance)
    response = api.post(url("procurement-request-reimburse", pk), {"amount": "6000.00", "invoice_no": "1",
                                                                   "reimbursed_on": "2026-03-10"}, format="json")
    assert response.status_code == 201
    api.force_login(org.it_staff)
    response = api.post(url("procurement-request-close", pk), format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    detail = api.get(url("procurement-request-detail", pk)).json()
    assert detail["order"]["contract_no"] == "HT-API-1" and len(detail["quotations"]) == 2
    assert detail["quotation_waiver"]["reason"] == "仅两家有现货" and detail["reimbursement"]["invoice_no"] == "1"
    response = api.get(url("procurement-stockin-list"))
    assert response.status_code == 200 and response.json()["count"] == 1


def test_withdraw_and_delete(api, org):
    api.force_login(org.employee)
    pk = api.post(url("procurement-request-list"), request_payload(), format="json").json()["id"]
    response = api.post(url("procurement-request-submit", pk), format="json")
    assert response.status_code == 200
    assert api.delete(url("procurement-request-detail", pk)).status_code == 409
    response = api.post(url("procurement-request-withdraw", pk), {"reason": "不需要了"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_file_self_purchase(api, org):
    filing = services.register_self_purchase(
        actor=None, registered_by=org.employee.person, item="扫描仪", model_name="fi-7160", performance="60ppm",
        manufacturer="富士通", supplier="京东", purchase_date=TODAY, software_info="无")
    filer = make_user(name="赵工", roles=[("it_staff", None, True, [
        "procurement.view_selfpurchasefiling", "procurement.file_selfpurchasefiling"])])
    api.force_login(org.employee)
    assert api.post(url("procurement-selfpurchase-file", filing.pk), {}, format="json").status_code == 403
    api.force_login(filer)
    response = api.get(url("procurement-selfpurchase-list"), {"status": "unfiled"})
    assert [row["number"] for row in response.json()["results"]] == [filing.number]
    response = api.post(url("procurement-selfpurchase-file", filing.pk), {"note": "已备案"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "filed"
    response = api.post(url("procurement-selfpurchase-file", filing.pk), {}, format="json")
    assert response.status_code == 409


def test_self_purchase_missing_fields_400(api, org):
    from zhidu.core.testing import assign_role

    assign_role(org.employee.person, "dept_it_officer", org.unit, perms=["procurement.add_selfpurchasefiling"])
    api.force_login(org.employee)
    response = api.post(url("procurement-selfpurchase-list"), {"item": "x"}, format="json")
    assert response.status_code == 400
    assert {"model_name", "manufacturer", "supplier", "purchase_date", "software_info", "performance"} <= set(
        response.json()["errors"])


def test_schema_has_procurement_paths(api, org):
    api.force_login(org.employee)
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/procurement/requests/{id}/submit/" in paths
    assert "/api/procurement/requests/{id}/stock-in/" in paths
