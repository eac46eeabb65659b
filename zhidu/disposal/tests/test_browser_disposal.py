"""Browser test of disposal (issue #3 "browser tests … disposal"; DSP-01…04, DSP-07, VAR-05).

A department head applies to scrap a worn-out computer through the form (报废申请单, DSP-02);
the IT authority appraises it "scrap" (鉴定, 篇1 第二十九条); it goes through the VAR-05 (A)
approval — the default and the demo's preset: IT authority head → finance → general manager
(篇1 第二十九条–第三十二条); the IT authority recovers it (回收), records the data sanitisation
(篇13 3②, DSP-07) and the disposal record with a certificate upload. The asset card shows
已处置 only once the record exists (DSP-04, 篇14/5 第十八条).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from zhidu.assets.choices import AssetStatus, CategoryKind
from zhidu.assets.tests.factories import AssetCategoryFactory, AssetFactory, hold
from zhidu.core.models import Attachment
from zhidu.core.testing import make_unit, make_user
from zhidu.core.testing.browser import login_as, zh
from zhidu.disposal.approval import apply_preset
from zhidu.disposal.choices import ScrapStatus
from zhidu.disposal.models import DisposalRecord, ScrapRequest
from zhidu.org.roles import seed_roles

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def org(transactional_db):
    """The role catalogue, VAR-05 preset (A), a department with a held computer, and the people."""
    seed_roles()
    apply_preset("A")
    root = make_unit("龙化能源集团有限公司")
    it_dept = make_unit("综合管理部", parent=root, is_it_authority=True)
    sales = make_unit("销售部", parent=root)
    finance = make_unit("财务部", parent=root)
    head = make_user(username="zhoujl", name="周经理", department=sales, roles=[("dept_head", sales)])
    user = make_user(username="wuyg", name="吴员工", department=sales, roles=["employee"])
    computers = AssetCategoryFactory(code="computer", name="计算机", kind=CategoryKind.COMPUTER)
    pc = AssetFactory(number="ZC-2019-000123", name="联想 ThinkCentre M720 台式机", category=computers,
                      department=sales, purchase_date=datetime.date(2019, 5, 1))
    hold(pc, user.person)
    return SimpleNamespace(
        root=root, sales=sales, head=head, pc=pc,
        it=make_user(username="baixx", name="白信息", department=it_dept, roles=["it_staff"]),
        it_head=make_user(username="zhaozr", name="赵主任", department=it_dept, roles=["it_authority_head"]),
        finance=make_user(username="qiancw", name="钱财务", department=finance, roles=["finance"]),
        gm=make_user(username="sunzjl", name="孙总经理", department=root, roles=["general_manager"]),
    )


def accept_dialogs(page):
    """Buttons with data-confirm ask window.confirm(); a person clicks OK."""
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def approve(page, request, opinion):
    page.goto(f"/disposal/requests/{request.pk}/")
    form = page.locator("form.approval-decision")
    form.locator("textarea[name=opinion]").fill(opinion)
    with page.expect_navigation():
        form.locator("button[name=decision][value=approve]").click()
    expect(page.locator("#messages .alert-success")).to_be_visible()


def asset_status(page, asset):
    page.goto(f"/assets/{asset.pk}/")
    return page.locator(".page-title [data-status]")


def test_department_scraps_a_computer_through_appraisal_approval_and_disposal(new_page, org, screenshot_dir):
    # 1. The department head fills in the 报废申请单 and submits it.
    head = new_page()
    login_as(head, org.head)
    head.goto("/disposal/requests/new/")
    expect(head.locator("html")).to_have_attribute("lang", "zh-hans")
    head.fill("[name=title]", "销售部旧台式机报废")
    head.fill("[name=reason]", "使用超过六年，主板老化。")
    head.fill("[name=assets-0-asset_number]", org.pc.number)
    head.fill("[name=assets-0-reason]", "主板损坏，无法开机，维修费用高于残值")
    with head.expect_navigation():
        head.click("[data-action=save-submit]")
    expect(head.locator("#messages .alert-success")).to_be_visible()
    request = ScrapRequest.objects.get(title="销售部旧台式机报废")
    assert request.status == ScrapStatus.APPRAISAL
    assert request.requester == org.head.person and request.department == org.sales
    line = request.lines.get()
    assert line.asset == org.pc

    # 2. The IT authority appraises the item: scrap (鉴定, DSP-02).
    it = accept_dialogs(new_page())
    login_as(it, org.it)
    it.goto(f"/disposal/requests/{request.pk}/")
    expect(it.locator(".page-title [data-status]")).to_have_text(zh("Awaiting appraisal"))
    with it.expect_navigation():
        it.click("[data-action=appraise]")
    it.check(f"input[name=verdict_{line.pk}][value=scrap]")
    it.fill(f"[name=notes_{line.pk}]", "主板电容鼓包，无维修价值，符合报废条件")
    with it.expect_navigation():
        it.click("[data-action=confirm]")
    expect(it.locator(".page-title [data-status]")).to_have_attribute("data-status", ScrapStatus.APPROVAL)
    expect(it.locator(".approval-panel")).to_have_attribute("data-status", "pending")

    # 3. VAR-05 (A): IT authority head → finance → general manager, each on the request's page.
    for approver, opinion in ((org.it_head, "鉴定属实，同意报废。"), (org.finance, "已核对固定资产卡片，同意。"),
                              (org.gm, "同意报废，按规定处置。")):
        page = new_page()
        login_as(page, approver)
        approve(page, request, opinion)
    request.refresh_from_db()
    assert request.status == ScrapStatus.APPROVED

    # The approvals do not dispose of anything: the card is still in use.
    expect(asset_status(it, org.pc)).to_have_attribute("data-status", AssetStatus.IN_USE)

    # 4. Recovery (回收): the asset awaits disposal — not "disposed" without the record.
    it.goto(f"/disposal/requests/{request.pk}/")
    expect(it.locator(".page-title [data-status]")).to_have_text(zh("Approved, awaiting recovery"))
    with it.expect_navigation():
        it.click("[data-action=recover]")
    expect(it.locator("#messages .alert-success")).to_be_visible()
    status = asset_status(it, org.pc)
    expect(status).to_have_attribute("data-status", AssetStatus.TO_DISPOSE)
    expect(status).not_to_have_text(zh("Disposed"))
    assert not DisposalRecord.objects.exists()

    # 5. Data sanitisation (DSP-07, 篇13 3②).
    it.goto(f"/disposal/requests/{request.pk}/")
    with it.expect_navigation():
        it.click("[data-action=sanitise]")
    it.select_option("[name=line]", str(line.pk))
    it.select_option("[name=method]", "destruction")
    it.select_option("[name=performed_by]", str(org.it.person.pk))
    it.select_option("[name=verified_by]", str(org.it_head.person.pk))
    it.fill("[name=performed_on]", "2026-03-04")
    it.fill("[name=notes]", "硬盘物理粉碎，序列号已登记")
    with it.expect_navigation():
        it.click("[data-action=confirm]")
    expect(it.locator("#messages .alert-success")).to_be_visible()

    # 6. The disposal record with the recycling certificate (DSP-04).
    it.goto(f"/disposal/requests/{request.pk}/")
    with it.expect_navigation():
        it.click("[data-action=dispose]")
    expect(it.locator(f"input[name=lines][value='{line.pk}']")).to_be_checked()
    it.select_option("[name=method]", "recycling")
    it.fill("[name=recipient]", "绿源再生资源回收有限公司")
    it.fill("[name=disposed_on]", "2026-03-05")
    it.fill("[name=proceeds]", "50.00")
    it.set_input_files("[name=certificate]", files=[{
        "name": "回收证明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% recycling certificate\n"}])
    with it.expect_navigation():
        it.click("[data-action=confirm]")
    expect(it.locator("#messages .alert-success")).to_be_visible()
    expect(it.locator(".page-title [data-status]")).to_have_attribute("data-status", ScrapStatus.DISPOSED)
    record = it.locator("[data-disposal-record]")
    expect(record).to_contain_text("绿源再生资源回收有限公司")
    expect(record).to_contain_text("回收证明")
    it.screenshot(path=str(screenshot_dir / "disposal-request-disposed.png"), full_page=True)

    # The asset card now shows 已处置.
    status = asset_status(it, org.pc)
    expect(status).to_have_attribute("data-status", AssetStatus.DISPOSED)
    expect(status).to_have_text(zh("Disposed"))
    # The department head sees it too.
    expect(asset_status(head, org.pc)).to_have_text(zh("Disposed"))

    db_record = DisposalRecord.objects.get()
    assert db_record.request == request and db_record.recipient == "绿源再生资源回收有限公司"
    assert Attachment.objects.filter(object_id=str(db_record.pk), name__startswith="回收证明").exists()
    org.pc.refresh_from_db()
    assert org.pc.status == AssetStatus.DISPOSED and org.pc.custodian is None
