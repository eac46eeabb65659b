"""Pages of disposal: the whole flow through the web UI, print, report, asset picker, query counts."""


import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhidu.assets.choices import AssetStatus
from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.models import Attachment
from zhidu.core.testing import make_user
from zhidu.core.testing.suites import assert_constant_queries
from zhidu.disposal import services
from zhidu.disposal.approval import apply_preset
from zhidu.disposal.choices import ScrapStatus
from zhidu.disposal.models import DisposalRecord, ScrapRequest

from .factories import AssetFactory, OrgUnitFactory, hardware, make_request, software

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    dept = OrgUnitFactory(name="销售部")
    it_unit = OrgUnitFactory(name="综合管理部")
    officer = make_user(name="信息员李", department=dept, roles=[("dept_it_officer", dept)],
                        role_perms={"dept_it_officer": ["disposal.view_scraprequest", "disposal.add_scraprequest",
                                                        "disposal.submit_scraprequest", "assets.view_asset"]})
    it = make_user(name="IT王工", department=it_unit, roles=["it_staff"],
                   role_perms={"it_staff": ["disposal.view_scraprequest", "disposal.appraise_scraprequest",
                                            "disposal.process_scraprequest", "disposal.view_disposalrecord",
                                            "disposal.change_disposalrecord", "disposal.view_sanitisationrecord",
                                            "assets.view_asset", "org.view_person"]})
    gm = make_user(name="孙总经理", roles=["general_manager"])
    apply_preset("C")
    return {"dept": dept, "officer": officer, "it": it, "gm": gm}


def test_create_appraise_approve_recover_sanitise_dispose(client, world):
    pc = AssetFactory(department=world["dept"], number="ZC-PC-0001")
    client.force_login(world["officer"])
    assert client.get(reverse("disposal:request_create")).status_code == 200
    options = client.get(reverse("disposal:asset_search"), {"q": "ZC-PC"})
    assert "ZC-PC-0001" in options.content.decode()
    data = {
        "title": "销售部电脑报废", "reason": "老化",
        "assets-TOTAL_FORMS": "1", "assets-INITIAL_FORMS": "0", "assets-MIN_NUM_FORMS": "0",
        "assets-MAX_NUM_FORMS": "1000", "assets-0-asset_number": "ZC-PC-0001", "assets-0-reason": "主板故障",
        "software-TOTAL_FORMS": "1", "software-INITIAL_FORMS": "0", "software-MIN_NUM_FORMS": "0",
        "software-MAX_NUM_FORMS": "1000", "software-0-software_name": "金蝶K3 客户端", "software-0-licence_key": "",
        "software-0-quantity": "2", "software-0-reason": "系统已升级", "submit": "1",
    }
    response = client.post(reverse("disposal:request_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    request = ScrapRequest.objects.get()
    assert request.status == ScrapStatus.APPRAISAL and request.lines.count() == 2
    # The department may not appraise (403); the IT authority may.
    assert client.get(reverse("disposal:request_appraise", args=[request.pk])).status_code == 403

    client.force_login(world["it"])
    url = reverse("disposal:request_appraise", args=[request.pk])
    assert client.get(url).status_code == 200
    lines = list(request.lines.order_by("position"))
    response = client.post(url, {f"verdict_{lines[0].pk}": "scrap", f"notes_{lines[0].pk}": "无维修价值",
                                 f"verdict_{lines[1].pk}": "scrap"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ScrapStatus.APPROVAL
    task = approval_selectors.approval_for(request).tasks.get(status="open")
    approvals.decide(task=task, actor=world["gm"],
                     decision="approve", opinion="同意")
    request.refresh_from_db()
    assert request.status == ScrapStatus.APPROVED

    assert client.post(reverse("disposal:request_recover", args=[request.pk])).status_code == 302
    pc.refresh_from_db()
    assert pc.status == AssetStatus.TO_DISPOSE

    # Disposal before sanitisation: the form shows the refusal in place (篇13 3②).
    dispose_url = reverse("disposal:request_dispose", args=[request.pk])
    response = client.post(dispose_url, {"lines": [line.pk for line in lines], "method": "recycling",
                                         "recipient": "绿色回收", "disposed_on": "2026-03-05", "proceeds": "50.00"})
    assert response.status_code == 200 and "篇13 3②" in response.content.decode()
    assert not DisposalRecord.objects.exists()

    sanitise_url = reverse("disposal:request_sanitise", args=[request.pk])
    assert client.get(sanitise_url).status_code == 200
    person = world["it"].person
    response = client.post(sanitise_url, {"line": lines[0].pk, "method": "destruction", "performed_by": person.pk,
                                          "verified_by": person.pk, "performed_on": "2026-03-04"})
    assert response.status_code == 302, response.content.decode()[:2000]

    certificate = SimpleUploadedFile("回收证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(dispose_url, {"lines": [line.pk for line in lines], "method": "recycling",
                                         "recipient": "绿色回收", "disposed_on": "2026-03-05", "proceeds": "50.00",
                                         "certificate": certificate})
    assert response.status_code == 302
    pc.refresh_from_db()
    request.refresh_from_db()
    assert pc.status == AssetStatus.DISPOSED and request.status == ScrapStatus.DISPOSED
    record = DisposalRecord.objects.get()
    assert Attachment.objects.filter(object_id=str(record.pk), name__startswith="回收证明").exists()

    for tab in ("details", "sanitisation", "disposal", "timeline", "history", "attachments"):
        response = client.get(request.get_absolute_url(), {"tab": tab})
        assert response.status_code == 200, tab
    page = client.get(request.get_absolute_url(), {"tab": "disposal"}).content.decode()
    assert "绿色回收" in page and "回收证明" in page
    printed = client.get(reverse("disposal:request_print", args=[request.pk])).content.decode()
    assert request.number in printed and "同意" in printed and "无维修价值" in printed
    report = client.get(reverse("disposal:report"))
    assert report.status_code == 200 and "disposal-by-year-data" in report.content.decode()
    assert report.context["rows"][0]["items"] == 2


def test_form_errors_keep_input(client, world):
    client.force_login(world["officer"])
    data = {
        "title": "报废", "reason": "",
        "assets-TOTAL_FORMS": "1", "assets-INITIAL_FORMS": "0", "assets-MIN_NUM_FORMS": "0",
        "assets-MAX_NUM_FORMS": "1000", "assets-0-asset_number": "NO-SUCH", "assets-0-reason": "坏了",
        "software-TOTAL_FORMS": "0", "software-INITIAL_FORMS": "0", "software-MIN_NUM_FORMS": "0",
        "software-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("disposal:request_create"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "NO-SUCH" in content and not ScrapRequest.objects.exists()


def test_report_needs_permission(client, world):
    client.force_login(make_user())
    assert client.get(reverse("disposal:report")).status_code == 403


def test_list_queries_constant(client, world):
    client.force_login(world["it"])

    def grow():
        for _n in range(4):
            make_request(world["officer"].person, [software()], title="批量")

    make_request(world["officer"].person, [hardware(AssetFactory(department=world["dept"]))])
    assert_constant_queries(client, reverse("disposal:request_list"), grow, expected=QUERIES_LIST_PAGE)


def test_api_list_queries_constant(client, world):
    client.force_login(world["it"])

    def grow():
        for _n in range(4):
            make_request(world["officer"].person, [software()], title="批量")

    make_request(world["officer"].person, [software()])
    assert_constant_queries(client, "/api/disposal/requests/", grow, expected=QUERIES_API_LIST)


QUERIES_LIST_PAGE = 12
QUERIES_API_LIST = 9


def test_menu_delete_and_withdraw(client, world):
    client.force_login(world["officer"])
    home = client.get("/")
    assert home.status_code == 200 and reverse("disposal:request_list") in home.content.decode()
    draft = make_request(world["officer"].person, [software()])
    assert client.post(reverse("disposal:request_delete", args=[draft.pk])).status_code == 302
    assert not ScrapRequest.objects.filter(pk=draft.pk).exists()
    other = make_request(world["officer"].person, [software()])
    services.submit_request(request=other, actor=world["officer"])
    url = reverse("disposal:request_withdraw", args=[other.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "已修复"}).status_code == 302
    other.refresh_from_db()
    assert other.status == ScrapStatus.WITHDRAWN
    # Edit is refused once closed: redirected back with a message.
    assert client.get(reverse("disposal:request_edit", args=[other.pk])).status_code == 302


def test_edit_returned_draft_keeps_lines(client, world):
    asset = AssetFactory(department=world["dept"], number="ZC-ED-01")
    request = make_request(world["officer"].person, [hardware(asset)], actor=world["officer"])
    client.force_login(world["officer"])
    page = client.get(reverse("disposal:request_edit", args=[request.pk])).content.decode()
    assert "ZC-ED-01" in page


def test_records_list_queries_constant(client, world):
    client.force_login(world["it"])

    def make_record(n):
        req = make_request(world["officer"].person, [software()])
        ScrapRequest.objects.filter(pk=req.pk).update(status=ScrapStatus.DISPOSED)
        record = DisposalRecord.objects.create(request=req, method="sale", recipient=f"回收商{n}",
                                               disposed_on=datetime.date(2025, 6, n + 1))
        req.lines.update(disposal=record, outcome="disposed")

    make_record(0)

    def grow():
        for n in range(1, 4):
            make_record(n)

    assert_constant_queries(client, reverse("disposal:record_list"), grow, expected=QUERIES_RECORDS_PAGE)
    assert_constant_queries(client, "/api/disposal/records/", lambda: make_record(5), expected=QUERIES_RECORDS_API)


QUERIES_RECORDS_PAGE = 11
QUERIES_RECORDS_API = 9


def test_approver_sees_request_and_decision_form(client, world):
    asset = AssetFactory(department=world["dept"])
    request = make_request(world["officer"].person, [hardware(asset)])
    services.submit_request(request=request, actor=world["officer"])
    line = request.lines.get()
    services.appraise(request=request, actor=world["it"],
                      verdicts=[services.VerdictInput(line_id=line.pk, verdict="scrap")])
    client.force_login(world["gm"])
    response = client.get(request.get_absolute_url())
    assert response.status_code == 200
    task = approval_selectors.approval_for(request).tasks.get(status="open")
    assert reverse("approvals:decide", args=[task.pk]) in response.content.decode()
    # Not an approver any more after deciding; still visible as a participant.
    approvals.decide(task=task, actor=world["gm"], decision="approve", opinion="同意")
    assert client.get(request.get_absolute_url()).status_code == 200
    assert client.post(reverse("disposal:request_recover", args=[request.pk])).status_code == 403
