"""Browser test of a network-classroom handover (设备交接清单, SCH-10; 篇12 网络教室管理教师(2)).

The outgoing keeper opens the sub-ledger, draws up the handover list for the new teacher, marks
one computer absent with a note, the rest present, and confirms; the incoming teacher confirms
in their own session. The sub-ledger then names the new keeper, the absent computer is listed,
and the A4 handover list prints with both names.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from zhidu.assets.models import SubLedger
from zhidu.assets.services import subledger as services
from zhidu.assets.tests.factories import AssetFactory, LocationFactory
from zhidu.core.testing import make_unit, make_user
from zhidu.core.testing.browser import login_as
from zhidu.org.roles import seed_roles

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def school(transactional_db):
    seed_roles()
    root = make_unit("龙化实验中学")
    centre = make_unit("信息中心", parent=root)
    lab = LocationFactory(code="NET-1", name="网络教室一")
    pcs = [AssetFactory(number=f"ZC-2026-00070{i}", name=f"学生机{i}", department=centre, location=lab)
           for i in (1, 2, 3)]
    old = make_user(username="wangjs", name="王教师", department=centre)
    new = make_user(username="lijs", name="李教师", department=centre)
    ledger = services.save_subledger(actor=None, code="net1", name="网络教室一", department=centre,
                                     keeper=old.person, locations=[lab])
    return SimpleNamespace(ledger=ledger, pcs=pcs, old=old, new=new)


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_handover_signed_by_both_keepers(new_page, school, screenshot_dir):
    old = accept_dialogs(new_page())
    login_as(old, school.old)
    old.goto(school.ledger.get_absolute_url())
    expect(old.locator("[data-keeper]")).to_have_text("王教师")
    with old.expect_navigation():
        old.click("[data-action=handover]")
    old.select_option("[name=to_keeper]", str(school.new.person.pk))
    with old.expect_navigation():
        old.locator("form.zhidu-object-form button[type=submit]").first.click()
    row = old.locator('[data-line="ZC-2026-000702"]')
    row.locator("select[name=present]").select_option("0")
    row.locator("input[name=condition]").fill("主机丢失，已报告")
    with old.expect_navigation():
        row.locator("[data-action=check]").click()
    with old.expect_navigation():
        old.click("[data-action=mark-present]")
    expect(old.locator("[data-unchecked]")).to_have_text("0")
    with old.expect_navigation():
        old.click("[data-action=confirm]")
    expect(old.locator('[data-confirmed="outgoing"]')).not_to_contain_text("未确认")
    old.screenshot(path=str(screenshot_dir / "handover-outgoing.png"), full_page=True)
    handover_url = old.url.split("#")[0]

    new = accept_dialogs(new_page())
    login_as(new, school.new)
    new.goto(handover_url)
    with new.expect_navigation():
        new.click("[data-action=confirm]")
    expect(new.locator("[data-status]").first).to_have_attribute("data-status", "completed")
    expect(new.locator("[data-absent]")).to_contain_text("ZC-2026-000702")
    new.screenshot(path=str(screenshot_dir / "handover-completed.png"), full_page=True)
    assert SubLedger.objects.get(pk=school.ledger.pk).keeper == school.new.person

    new.goto(handover_url + "print/")
    expect(new.locator("body")).to_contain_text("设备交接清单")
    expect(new.locator("body")).to_contain_text("王教师")
    expect(new.locator("body")).to_contain_text("主机丢失，已报告")
