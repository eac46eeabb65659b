"""Web pages of procurement: the generic suites plus the workflow pages and print views."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.testing import ViewTestSuite, count_queries, make_unit, make_user, perms_for
from zhidu.procurement import services
from zhidu.procurement.approval import apply_preset
from zhidu.procurement.choices import RequestKind, RequestStatus
from zhidu.procurement.models import PurchaseRequest, SelfPurchaseFiling

from .factories import PersonFactory, line, make_request

S = RequestStatus
TODAY = datetime.date(2026, 3, 2)
PROCESS = ["procurement.view_purchaserequest", "procurement.process_purchaserequest"]


def request_form_data(**overrides):
    data = {
        "kind": "application", "title": "新员工笔记本电脑", "purpose": "新入职员工办公", "software_needs": "Office",
        "configuration_standard": "标准办公本", "needed_by": "", "expected_contract_amount": "",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-item": "ThinkPad T14", "lines-0-category": "computer", "lines-0-specification": "i7/16G/512G",
        "lines-0-quantity": "2", "lines-0-unit": "台", "lines-0-unit_price": "6500.00",
        "lines-1-item": "HP LaserJet M404dn", "lines-1-category": "office_device", "lines-1-specification": "",
        "lines-1-quantity": "1", "lines-1-unit": "台", "lines-1-unit_price": "2300.00",
    }
    data.update(overrides)
    return data


class TestPurchaseRequestViews(ViewTestSuite):
    model = PurchaseRequest
    list_url = "procurement:request_list"
    detail_url = "procurement:request_detail"
    create_url = "procurement:request_create"
    edit_url = "procurement:request_edit"
    delete_url = "procurement:request_delete"
    print_url = "procurement:request_print"
    detail_tabs = ("quotations", "order", "acceptance", "stock_in", "reimbursement", "timeline", "history",
                   "attachments")
    # session, user, grants, person id (owner rule), count, unread notifications, navbar person, department
    # filter choices, page, session save (savepoint, update, release)
    list_query_count = 12

    def make_object(self, unit, **kwargs):
        return make_request(PersonFactory(department=unit, user=None), actor=None)

    def object_marker(self, obj):
        return obj.number

    def create_data(self, unit):
        return request_form_data()

    def edit_data(self, obj):
        pl = obj.lines.get()
        return request_form_data(**{
            "title": "改后的标题", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-id": str(pl.pk),
        })


# --- Fixtures for workflow pages -------------------------------------------------------------


@pytest.fixture
def org(db):
    apply_preset("A")
    unit = make_unit("市场部")
    it = make_unit("综合管理部", is_it_authority=True)
    employee = make_user(name="张三", department=unit, roles=[("employee", None, True,
                                                                ["procurement.add_purchaserequest"])])
    leader = make_user(name="王主管", department=it, roles=[("it_leader", None, True, ["procurement.view_purchaserequest"])])
    cfo = make_user(name="李总监", department=it, roles=[("cfo", None, True, ["procurement.view_purchaserequest"])])
    it_staff = make_user(name="刘工", department=it, roles=[("it_staff", None, True, [
        *PROCESS, "org.view_person", "procurement.file_selfpurchasefiling", "procurement.view_selfpurchasefiling"])])
    finance = make_user(name="周会计", department=it, roles=[("finance", None, True, [
        "procurement.view_purchaserequest", "procurement.reimburse_purchaserequest"])])
    return SimpleNamespace(unit=unit, it=it, employee=employee, leader=leader, cfo=cfo, it_staff=it_staff,
                           finance=finance)


def submitted(org, amount="6000.00"):
    request = make_request(org.employee.person, amount=amount)
    services.submit_request(request=request, actor=org.employee)
    request.refresh_from_db()
    return request


def approved(org, amount="6000.00"):
    request = submitted(org, amount)
    task = approval_selectors.approval_for(request).tasks.get(status="open")
    approvals.decide(task=task, actor=task.assignee.user, decision="approve", opinion="同意")
    request.refresh_from_db()
    return request


def test_save_and_submit_refused_keeps_input(client, org):
    client.force_login(org.employee)
    response = client.post(reverse("procurement:request_create"), request_form_data(purpose="", submit="1"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "purpose" in form.errors
    assert "篇14/5 第九条" in str(form.errors["purpose"])
    assert form["title"].value() == "新员工笔记本电脑"
    assert not PurchaseRequest.objects.exists()  # nothing half-saved


def test_save_and_submit_goes_to_it_leader(client, org):
    client.force_login(org.employee)
    response = client.post(reverse("procurement:request_create"), request_form_data(submit="1"))
    assert response.status_code == 302
    request = PurchaseRequest.objects.get()
    assert request.status == S.SUBMITTED and request.total_amount == Decimal("15300.00")
    task = approval_selectors.approval_for(request).tasks.get()
    assert task.assignee == org.leader.person


def test_submit_button_lists_missing_fields(client, org):
    request = make_request(org.employee.person, purpose="", configuration_standard="")
    client.force_login(org.employee)
    response = client.post(reverse("procurement:request_submit", args=[request.pk]), follow=True)
    body = response.content.decode()
    assert "篇14/5 第九条" in body
    request.refresh_from_db()
    assert request.status == S.DRAFT


def test_detail_buttons_follow_status_and_permission(client, org):
    request = make_request(org.employee.person)
    client.force_login(org.employee)
    body = client.get(request.get_absolute_url()).content.decode()
    assert 'data-action="submit"' in body and 'data-action="edit"' in body
    assert 'data-action="add_quotation"' not in body
    request = approved(org)
    body = client.get(request.get_absolute_url()).content.decode()
    assert 'data-action="add_quotation"' not in body  # the requester does not process purchases
    client.force_login(org.it_staff)
    body = client.get(request.get_absolute_url()).content.decode()
    assert 'data-action="add_quotation"' in body and 'data-action="waive_quotations"' in body
    assert 'data-action="submit"' not in body


def test_approver_sees_request_and_panel(client, org):
    request = submitted(org, "60000.00")
    client.force_login(org.cfo)
    response = client.get(request.get_absolute_url())
    assert response.status_code == 200
    assert response.context["approval"] is not None


def test_requester_cannot_process(client, org):
    request = approved(org)
    client.force_login(org.employee)
    assert client.get(reverse("procurement:request_quotation", args=[request.pk])).status_code == 403
    other = make_user(department=make_unit("其他部门"))
    client.force_login(other)
    assert client.get(reverse("procurement:request_quotation", args=[request.pk])).status_code == 404


def test_processing_pages_end_to_end(client, org):
    request = approved(org)
    client.force_login(org.it_staff)
    # Ordering before three quotations: the page says why, the POST is refused in place.
    response = client.get(reverse("procurement:request_order", args=[request.pk]))
    assert response.status_code == 200 and response.context["blocked"]
    order_data = {"contract_no": "HT-2026-0001", "amount": "6000.00", "signed_on": "2026-03-02", "supplier_name": "联想"}
    response = client.post(reverse("procurement:request_order", args=[request.pk]), order_data)
    assert response.status_code == 200 and "篇6 第三条(7)" in str(response.context["form"].errors)
    for i, supplier in enumerate(["联想", "京东企业购", "神州数码"]):
        response = client.post(reverse("procurement:request_quotation", args=[request.pk]), {
            "supplier_name": supplier, "amount": f"{5900 + i * 50}.00", "quoted_on": "2026-03-01"})
        assert response.status_code == 302
    response = client.post(reverse("procurement:request_order", args=[request.pk]), order_data)
    assert response.status_code == 302
    pl = request.lines.get()
    response = client.post(reverse("procurement:request_acceptance", args=[request.pk]), {
        "accepted_by": org.it_staff.person.pk, "accepted_at": "2026-03-05T10:00",
        f"line_{pl.pk}_accepted": "1", f"line_{pl.pk}_rejected": "0"})
    assert response.status_code == 302, response.context["form"].errors
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    # Finance cannot reimburse before stock-in (PRC-13): the page says why.
    client.force_login(org.finance)
    response = client.get(reverse("procurement:request_reimburse", args=[request.pk]))
    assert "篇6 第三条(24)" in response.context["blocked"]
    client.force_login(org.it_staff)
    response = client.post(reverse("procurement:request_stock_in", args=[request.pk]), {
        "location": "IT 库房", "received_by": org.it_staff.person.pk, "received_at": "2026-03-05T11:00"})
    assert response.status_code == 302
    client.force_login(org.finance)
    response = client.post(reverse("procurement:request_reimburse", args=[request.pk]), {
        "amount": "6000.00", "invoice_no": "044001900111", "reimbursed_on": "2026-03-10"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == S.REIMBURSED
    acceptance = request.acceptances.get()
    client.force_login(org.employee)
    response = client.get(reverse("procurement:acceptance_print", args=[request.pk, acceptance.pk]))
    assert response.status_code == 200 and response.context["document_title"] == str(_("Acceptance record"))
    stock_in = request.stock_ins.get()
    assert client.get(reverse("procurement:stock_in_print", args=[request.pk, stock_in.pk])).status_code == 200
    for tab in ("quotations", "order", "acceptance", "stock_in", "reimbursement"):
        assert client.get(request.get_absolute_url(), {"tab": tab}).status_code == 200


def test_print_shows_every_opinion(client, org):
    request = approved(org)
    client.force_login(org.employee)
    response = client.get(reverse("procurement:request_print", args=[request.pk]))
    body = response.content.decode()
    assert response.context["document_title"] == str(RequestKind.APPLICATION.label)
    assert "同意" in body and "王主管" in body and "data-opinions" in body


def test_withdraw_page(client, org):
    request = submitted(org)
    client.force_login(org.employee)
    response = client.post(reverse("procurement:request_withdraw", args=[request.pk]), {"reason": "不需要了"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == S.WITHDRAWN


def test_edit_redirects_when_not_editable(client, org):
    request = submitted(org)
    client.force_login(org.employee)
    response = client.get(reverse("procurement:request_edit", args=[request.pk]))
    assert response.status_code == 302


def test_home_panel_fixed_queries(client, org):
    client.force_login(org.employee)
    client.get("/")
    first, response = count_queries(client, "/")
    assert response.status_code == 200
    for _i in range(3):
        make_request(org.employee.person)
    second, response = count_queries(client, "/")
    assert first == second
    assert 'data-panel="procurement.my_requests"' in response.content.decode()


# --- Self-purchase filings ------------------------------------------------------------------


class TestFilingViews(ViewTestSuite):
    model = SelfPurchaseFiling
    list_url = "procurement:filing_list"
    detail_url = "procurement:filing_detail"
    create_url = "procurement:filing_create"
    edit_url = "procurement:filing_edit"
    list_query_count = 12  # as the request list

    def make_object(self, unit, **kwargs):
        return services.register_self_purchase(
            actor=None, registered_by=PersonFactory(department=unit, user=None), item="扫描仪",
            model_name="富士通 fi-7160", performance="60ppm", manufacturer="富士通", supplier="京东",
            purchase_date=TODAY, software_info="无")

    def object_marker(self, obj):
        return obj.number

    def create_data(self, unit):
        return {"item": "扫描仪", "category": "office_device", "model_name": "fi-7160", "performance": "60ppm",
                "manufacturer": "富士通", "supplier": "京东", "purchase_date": "2026-03-01", "software_info": "无",
                "quantity": "1", "amount": "3200.00"}

    def edit_data(self, obj):
        return {**self.create_data(None), "model_name": "fi-7180"}


def test_filing_mandatory_fields_in_form(client, org):
    client.force_login(org.employee)
    org.employee.person  # noqa: B018
    from zhidu.core.testing import assign_role

    assign_role(org.employee.person, "dept_it_officer", org.unit, perms=perms_for(SelfPurchaseFiling, "add", "view"))
    response = client.post(reverse("procurement:filing_create"), {"item": "扫描仪", "quantity": "1"})
    assert response.status_code == 200
    assert {"model_name", "performance", "manufacturer", "supplier", "purchase_date", "software_info"} <= set(
        response.context["form"].errors)


def test_it_files_self_purchase(client, org):
    filing = services.register_self_purchase(
        actor=org.employee, registered_by=org.employee.person, item="扫描仪", model_name="fi-7160",
        performance="60ppm", manufacturer="富士通", supplier="京东", purchase_date=TODAY, software_info="无")
    client.force_login(org.employee)
    assert client.post(reverse("procurement:filing_file", args=[filing.pk])).status_code == 403
    client.force_login(org.it_staff)
    response = client.get(reverse("procurement:filing_awaiting"))
    assert filing.number in response.content.decode()
    response = client.post(reverse("procurement:filing_file", args=[filing.pk]), {"note": "已登记"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == "filed"
    client.get(reverse("procurement:filing_awaiting"))  # shows (and consumes) the success message
    assert filing.get_absolute_url() not in client.get(reverse("procurement:filing_awaiting")).content.decode()


def test_large_request_page_renders(client, org):
    request = make_request(org.employee.person, lines=[line(quantity=3), line(item="华为 S5735 交换机",
                                                                           category="network_device")])
    client.force_login(org.employee)
    response = client.get(reverse("procurement:request_detail", args=[request.pk]))
    assert response.status_code == 200
    assert "¥" in response.content.decode()


def test_approver_without_permissions_sees_request_through_task(client, db):
    """An approver needs no view permission: holding a task on the request is enough (participant)."""
    apply_preset("A")
    unit = make_unit("市场部")
    employee = make_user(department=unit)
    leader = make_user(name="无权限主管", department=make_unit("公司领导"), roles=["it_leader"])
    other = make_request(employee.person)
    request = make_request(employee.person)
    services.submit_request(request=request, actor=employee)
    client.force_login(leader)
    assert client.get(request.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    response = client.get(reverse("procurement:request_list"))
    assert request.number in response.content.decode() and other.number not in response.content.decode()


def test_quotation_scan_is_attached_and_listed(client, org, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path

    request = approved(org)
    client.force_login(org.it_staff)
    scan = SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 quotation", content_type="application/pdf")
    response = client.post(reverse("procurement:request_quotation", args=[request.pk]), {
        "supplier_name": "联想", "amount": "5900.00", "quoted_on": "2026-03-01", "file": scan})
    assert response.status_code == 302
    body = client.get(request.get_absolute_url(), {"tab": "quotations"}).content.decode()
    assert "报价单.pdf" in body
