"""Browser tests of IT procurement: the acceptance of issue #2, as people do it in Chromium.

* an employee fills in and submits a 30,000.00 CNY 《信息化配置申请》 with two lines; the IT
  supervising leader (it_leader) finds it under 我的待办 and approves it with an opinion
  (VAR-01 A, 篇1 第九条(2): up to 50,000.00 inclusive the IT supervising leader decides);
* a 60,000.00 CNY request goes to the CFO (cfo) only; until the CFO approves, nothing after
  approval is possible, neither on the page nor through the API (PRC-03, PRC-11);
* an approval without an opinion, where the step requires one, is refused with the reason on
  the page and the task stays open (SW-08, 篇1 第十七条);
* the print view 《信息化配置申请》 is an A4 page with the approval opinions (PRC-04).

Set-up data comes from the project's services (role catalogue, VAR-01 preset A, requests);
what the acceptance describes is clicked.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.testing import make_unit, make_user
from zhidu.core.testing.browser import api_post, login_as, zh
from zhidu.org.roles import seed_roles
from zhidu.procurement import services
from zhidu.procurement.approval import apply_preset
from zhidu.procurement.models import PurchaseRequest

from .factories import line, make_request

pytestmark = pytest.mark.browser
# Playwright is a dev dependency; without it the `browser` fixtures skip (or fail under CI).
expect = pytest.importorskip("playwright.sync_api").expect

OPINION = "同意采购，按公司标准配置执行。"


@pytest.fixture
def org(transactional_db):
    """The role catalogue, VAR-01 preset (A), and the people of the process, each with a login."""
    seed_roles()
    apply_preset("A")
    root = make_unit("龙化能源集团有限公司")
    it_dept = make_unit("综合管理部", parent=root, is_it_authority=True)
    production = make_unit("生产技术部", parent=root)
    finance = make_unit("财务部", parent=root)
    return SimpleNamespace(
        root=root, production=production,
        employee=make_user(username="zhangsan", name="张三", department=production, roles=["employee"]),
        leader=make_user(username="wangzg", name="王主管", department=it_dept, roles=["it_leader"]),
        cfo=make_user(username="licw", name="李财务总监", department=finance, roles=["cfo"]),
        it_staff=make_user(username="baixx", name="白信息", department=it_dept, roles=["it_staff"]),
    )


def submitted_request(person, *, lines, title="办公电脑更新"):
    request = make_request(person, lines=lines, title=title)
    services.submit_request(request=request, actor=person.user)
    request.refresh_from_db()
    return request


def fill_line(page, index: int, *, item, category, specification, quantity, unit, unit_price):
    prefix = f"lines-{index}-"
    page.fill(f"[name={prefix}item]", item)
    page.select_option(f"[name={prefix}category]", category)
    page.fill(f"[name={prefix}specification]", specification)
    page.fill(f"[name={prefix}quantity]", str(quantity))
    page.fill(f"[name={prefix}unit]", unit)
    page.fill(f"[name={prefix}unit_price]", unit_price)


def task_row(page, request):
    """The row of `request` in the home panel "waiting for my approval" (我的待办)."""
    return page.locator("#home-approvals tr[data-task]").filter(has_text=request.number)


def approve_on_page(page, opinion: str) -> None:
    form = page.locator("form.approval-decision")
    form.locator("textarea[name=opinion]").fill(opinion)
    with page.expect_navigation():
        form.locator("button[name=decision][value=approve]").click()


# -- a. 30,000.00 CNY: employee submits through the form, the IT supervising leader approves ------
def test_employee_submits_30000_and_it_leader_approves(new_page, org, screenshot_dir):
    employee = new_page()
    login_as(employee, org.employee)
    employee.goto("/procurement/requests/new/")
    expect(employee.locator("html")).to_have_attribute("lang", "zh-hans")
    employee.fill("[name=title]", "生产技术部办公电脑更新")
    employee.fill("[name=purpose]", "现有电脑使用超过六年，故障频繁，影响生产调度。")
    employee.fill("[name=software_needs]", "Windows 11、WPS Office、用友U8客户端")
    employee.fill("[name=configuration_standard]", "公司标准办公电脑配置（2026版）")
    fill_line(employee, 0, item="ThinkPad T14 笔记本电脑", category="computer", specification="i7/16G/512G SSD",
              quantity=4, unit="台", unit_price="6000.00")
    employee.click("[data-formset-add]")
    fill_line(employee, 1, item="戴尔 U2723QE 显示器", category="digital_device", specification="27英寸 4K",
              quantity=2, unit="台", unit_price="3000.00")
    expect(employee.locator("[data-lines-total]")).to_contain_text("30,000.00")
    with employee.expect_navigation():
        employee.click("[data-action=save-submit]")
    expect(employee.locator("#messages .alert-success")).to_be_visible()

    request = PurchaseRequest.objects.get(title="生产技术部办公电脑更新")
    assert request.status == "submitted"
    assert request.total_amount == Decimal("30000.00")
    assert request.lines.count() == 2
    assert request.requester == org.employee.person and request.department == org.production

    leader = new_page()
    login_as(leader, org.leader)
    leader.goto("/")
    expect(leader.locator(".page-title")).to_have_text("我的待办")
    row = task_row(leader, request)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("30,000.00")
    with leader.expect_navigation():
        row.locator("td").first.locator("a").click()
    expect(leader).to_have_url(re.compile(rf"/procurement/requests/{request.pk}/"))
    approve_on_page(leader, OPINION)

    expect(leader.locator("#messages .alert-success")).to_be_visible()
    expect(leader.locator(".page-title [data-status]")).to_have_attribute("data-status", "approved")
    expect(leader.locator(".page-title [data-status]")).to_have_text(zh("Approved"))
    expect(leader.locator(".approval-panel")).to_have_attribute("data-status", "approved")
    expect(leader.locator(".approval-panel .approval-opinion")).to_contain_text(OPINION)
    leader.click("[data-tab=timeline]")
    approved_event = leader.locator(".timeline-event[data-verb=approved]")
    expect(approved_event).to_have_count(1)
    expect(approved_event).to_contain_text(OPINION)
    expect(approved_event).to_contain_text("王主管")
    leader.screenshot(path=str(screenshot_dir / "purchase-request-approved.png"), full_page=True)
    # Nothing is left waiting for the leader.
    leader.goto("/")
    expect(task_row(leader, request)).to_have_count(0)

    request.refresh_from_db()
    assert request.status == "approved"

    # The requester sees the decision on the request's page.
    employee.goto(f"/procurement/requests/{request.pk}/")
    expect(employee.locator(".page-title [data-status]")).to_have_attribute("data-status", "approved")
    expect(employee.locator(".approval-panel .approval-opinion")).to_contain_text(OPINION)


# -- b. 60,000.00 CNY: routed to the CFO; nothing proceeds until the CFO approves --------------------
def test_60000_goes_to_cfo_and_cannot_proceed_before(new_page, org):
    request = submitted_request(org.employee.person, title="调度中心服务器机房配套设备",
                                lines=[line(quantity=10, unit_price="6000.00")])
    assert request.total_amount == Decimal("60000.00")
    api_path = f"/api/procurement/requests/{request.pk}/"
    quotation = {"supplier_name": "联想（北京）有限公司", "amount": "59000.00", "quoted_on": "2026-03-02"}

    # The IT supervising leader gets no task: above 50,000.00 is the CFO's (篇1 第九条(2)).
    leader = new_page()
    login_as(leader, org.leader)
    leader.goto("/")
    expect(task_row(leader, request)).to_have_count(0)
    leader.goto(f"/procurement/requests/{request.pk}/")
    expect(leader.locator(".approval-panel")).to_have_attribute("data-status", "pending")
    expect(leader.locator("form.approval-decision")).to_have_count(0)
    expect(leader.locator(".approval-panel tr[data-task]")).to_contain_text("李财务总监")

    # The IT authority may process purchases, but not this one yet: no buttons, the API refuses.
    it_staff = new_page()
    login_as(it_staff, org.it_staff)
    it_staff.goto(f"/procurement/requests/{request.pk}/")
    expect(it_staff.locator(".page-title [data-status]")).to_have_attribute("data-status", "submitted")
    for action in ("add_quotation", "waive_quotations", "order", "accept", "stock_in"):
        expect(it_staff.locator(f"[data-action={action}]")).to_have_count(0)
    refused = api_post(it_staff, api_path + "quotations/", quotation)
    assert refused.status in (400, 409), refused.text()
    assert refused.json()["detail"]
    refused = api_post(it_staff, api_path + "waiver/", {"reason": "单一来源"})
    assert refused.status in (400, 409), refused.text()
    refused = api_post(it_staff, api_path + "order/", {"contract_no": "HT-2026-001", "amount": "59000.00",
                                                       "signed_on": "2026-03-05", "supplier_name": "联想"})
    assert refused.status in (400, 409), refused.text()
    assert not request.quotations.exists()

    # The CFO finds it under 我的待办 and approves.
    cfo = new_page()
    login_as(cfo, org.cfo)
    cfo.goto("/")
    row = task_row(cfo, request)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("60,000.00")
    with cfo.expect_navigation():
        row.locator("td").first.locator("a").click()
    approve_on_page(cfo, "同意。超过五万元，财务总监审批。")
    expect(cfo.locator(".page-title [data-status]")).to_have_attribute("data-status", "approved")

    # Now it proceeds: the IT authority compares quotations.
    it_staff.reload()
    expect(it_staff.locator(".page-title [data-status]")).to_have_attribute("data-status", "approved")
    expect(it_staff.locator("[data-action=add_quotation]")).to_be_visible()
    created = api_post(it_staff, api_path + "quotations/", quotation)
    assert created.status == 201, created.text()
    request.refresh_from_db()
    assert request.quotations.count() == 1
    assert request.status in ("approved", "quoting")


# -- c. an empty opinion is refused where the step requires one -----------------------------------
def test_empty_opinion_is_refused_and_task_stays_open(new_page, org):
    request = submitted_request(org.employee.person, lines=[line(quantity=2, unit_price="4000.00")])
    task = approval_selectors.approval_for(request).tasks.get(status="open")
    assert task.assignee == org.leader.person
    assert task.step.get("opinion_required"), "preset A requires an opinion at every step"

    leader = new_page()
    login_as(leader, org.leader)
    leader.goto(f"/procurement/requests/{request.pk}/")
    form = leader.locator("form.approval-decision")
    expect(form.locator("textarea[name=opinion]")).to_have_value("")
    with leader.expect_navigation():
        form.locator("button[name=decision][value=approve]").click()

    # Refused in place: the reason, citing the article, under the opinion field; the form is still there.
    error = leader.locator("form.approval-decision .invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text("篇1 第十七条")
    expect(leader.locator("form.approval-decision button[name=decision][value=approve]")).to_be_visible()
    expect(leader.locator(".approval-panel")).to_have_attribute("data-status", "pending")

    task.refresh_from_db()
    request.refresh_from_db()
    assert task.status == "open" and task.opinion == "" and task.decided_at is None
    assert request.status == "submitted"

    # With an opinion the same step goes through.
    leader.goto(f"/procurement/requests/{request.pk}/")
    approve_on_page(leader, OPINION)
    task.refresh_from_db()
    assert task.status == "approved" and task.opinion == OPINION


# -- d. the print view 《信息化配置申请》: an A4 page with the approval opinions -------------------------
A4_PT = (595.28, 841.89)  # 210 mm × 297 mm in PostScript points


def pdf_pages(pdf: bytes) -> tuple[int, list[tuple[float, float]]]:
    """(number of pages, the media boxes) of a PDF as Chromium writes it (uncompressed page dicts)."""
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return pages, [(float(w), float(h)) for w, h in boxes]


def test_print_view_is_an_a4_page_with_the_opinions(new_page, org, screenshot_dir):
    request = submitted_request(org.employee.person, title="生产调度室办公电脑更新",
                                lines=[line(quantity=4, unit_price="6000.00"),
                                       line(item="戴尔 U2723QE 显示器", quantity=2, unit_price="3000.00",
                                            category="digital_device", specification="27英寸 4K")])
    task = approval_selectors.approval_for(request).tasks.get(status="open")
    approvals.decide(task=task, actor=org.leader, decision="approve", opinion=OPINION)

    page = new_page()
    login_as(page, org.employee)
    page.goto(f"/procurement/requests/{request.pk}/")
    with page.expect_popup() as popup:
        page.click("[data-action=print]")
    sheet = popup.value
    sheet.wait_for_load_state()
    expect(sheet).to_have_url(re.compile(rf"/procurement/requests/{request.pk}/print/"))
    expect(sheet.locator("h1.doc-title")).to_have_text("《信息化配置申请》")
    expect(sheet.locator(".doc-number")).to_contain_text(request.number)
    expect(sheet.locator(".doc-org")).to_have_text("龙化能源集团有限公司")
    expect(sheet.locator("table.lines").first).to_contain_text("ThinkPad T14 笔记本电脑")
    expect(sheet.locator("table.lines").first).to_contain_text("30,000.00")
    opinions = sheet.locator("[data-opinions]")
    expect(opinions).to_contain_text(OPINION)
    expect(opinions).to_contain_text("王主管")
    expect(sheet.locator(".doc-signatures")).to_be_visible()

    # As paper: the print button is hidden, the page is A4 portrait, in Chinese.
    sheet.emulate_media(media="print")
    expect(sheet.locator("[data-print-toolbar]")).to_be_hidden()
    pdf = sheet.pdf(prefer_css_page_size=True, print_background=True)
    (screenshot_dir / "purchase-request-print.pdf").write_bytes(pdf)
    # A screenshot at A4 proportions (96 dpi) to look at.
    sheet.set_viewport_size({"width": 794, "height": 1123})
    sheet.screenshot(path=str(screenshot_dir / "purchase-request-print.png"), full_page=True)
    pages, sizes = pdf_pages(pdf)
    assert pages == 1, f"the request prints on {pages} pages, expected one A4 sheet"
    assert sizes, "the PDF has no media box"
    for width, height in sizes:
        assert abs(width - A4_PT[0]) < 2 and abs(height - A4_PT[1]) < 2, f"not A4 portrait: {width}×{height} pt"
