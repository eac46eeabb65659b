"""Browser test of a stock-take by scanning (issue #3: "a stock-take by scanning (feed a QR payload
to the page)"; AST-16, AST-17, 篇1 第十一条 账物一致).

IT plans a count of one room through the form and starts it; the department's IT officer counts
on a phone: the QR payloads of the asset labels (`zhidu.assets.labels.label_payload`, what the
camera decodes) are fed into the scan page's manual input `#scan-input` — the same path a camera
decode takes in scan.js — and the page shows each one as found, misplaced or not in the ledger.
When counting is finished, the expected asset nobody scanned is listed as missing in the results.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from zhidu.assets.labels import label_payload
from zhidu.assets.models import StocktakeLine, StocktakePlan
from zhidu.assets.tests.factories import AssetFactory, LocationFactory
from zhidu.core.testing import make_unit, make_user
from zhidu.core.testing.browser import login_as, zh
from zhidu.org.roles import seed_roles

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"width": 390, "height": 844}
UNKNOWN_NUMBER = "ZC-1999-000404"


@pytest.fixture
def org(transactional_db):
    seed_roles()
    root = make_unit("龙化能源集团有限公司")
    it_dept = make_unit("综合管理部", parent=root, is_it_authority=True)
    production = make_unit("生产技术部", parent=root)
    room = LocationFactory(code="B2-201", name="办公楼二层201室")
    other_room = LocationFactory(code="B3-305", name="办公楼三层305室")

    def asset(number, name, location):
        return AssetFactory(number=number, name=name, department=production, location=location)

    return SimpleNamespace(
        production=production, room=room, other_room=other_room,
        desktop=asset("ZC-2026-000301", "联想 M720 台式机", room),
        printer=asset("ZC-2026-000302", "惠普 M404 打印机", room),
        stray=asset("ZC-2026-000303", "戴尔 U2723 显示器", other_room),
        it=make_user(username="baixx", name="白信息", department=it_dept, roles=["it_staff"]),
        officer=make_user(username="liuxxy", name="刘信息员", department=production,
                          roles=[("dept_it_officer", production)]),
    )


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def scan(page, payload: str, number: str, result: str):
    """Feed one decoded QR payload to the page and wait for its line."""
    page.fill("#scan-input", payload)
    page.click("#scan-submit")
    line = page.locator(f'#scan-lines [data-line="{number}"]')
    expect(line).to_have_attribute("data-result", result)
    return line


def test_stocktake_by_scanning_qr_payloads(new_page, org, screenshot_dir):
    # IT plans the count of room 201 for the production department and starts it.
    it = accept_dialogs(new_page())
    login_as(it, org.it)
    it.goto("/assets/stocktakes/new/")
    it.fill("[name=title]", "生产技术部201室季度盘点")
    it.select_option("[name=location]", str(org.room.pk))
    it.select_option("[name=department]", str(org.production.pk))
    with it.expect_navigation():
        it.locator("form.zhidu-object-form button[type=submit]").first.click()
    expect(it).to_have_url(re.compile(r"/assets/stocktakes/\d+/"))
    plan = StocktakePlan.objects.get(title="生产技术部201室季度盘点")
    with it.expect_navigation():
        it.click("[data-action=start]")
    expect(it.locator(".page-title [data-status]")).to_have_attribute("data-status", "counting")
    expect(it.locator("[data-count=expected]").first).to_have_text("2")

    # The department's IT officer counts on a phone.
    phone = new_page()
    phone.set_viewport_size(PHONE)
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    login_as(phone, org.officer)
    phone.goto(f"/assets/stocktakes/{plan.pk}/")
    with phone.expect_navigation():
        phone.click("[data-action=count]")
    expect(phone).to_have_url(re.compile(rf"/assets/stocktakes/{plan.pk}/count/"))
    expect(phone.locator(".page-title")).to_have_text(zh("Count by scanning"))
    expect(phone.locator("#scan-location")).to_have_value(str(org.room.pk))

    found = scan(phone, label_payload(org.desktop), org.desktop.number, "found")
    expect(found).to_contain_text(zh("Found"))
    expect(phone.locator("#scan-result")).to_contain_text(org.desktop.number)
    misplaced = scan(phone, label_payload(org.stray), org.stray.number, "misplaced")
    expect(misplaced).to_contain_text(zh("Misplaced"))
    unknown = scan(phone, label_payload(SimpleNamespace(number=UNKNOWN_NUMBER)), UNKNOWN_NUMBER, "unknown")
    expect(unknown).to_contain_text(zh("Not in the ledger"))
    # Scanning the same label again changes nothing.
    scan(phone, label_payload(org.desktop), org.desktop.number, "found")
    expect(phone.locator("#scan-lines [data-line]")).to_have_count(3)
    for key, value in (("found", "1"), ("misplaced", "1"), ("unknown", "1")):
        expect(phone.locator(f"[data-count={key}]").first).to_have_text(value)
    phone.screenshot(path=str(screenshot_dir / "stocktake-scan-phone.png"), full_page=True)
    assert not errors, errors
    assert sorted(StocktakeLine.objects.filter(plan=plan).values_list("asset_number", "result")) == [
        (UNKNOWN_NUMBER, "unknown"), (org.desktop.number, "found"), (org.stray.number, "misplaced")]

    # IT finishes counting: the printer nobody scanned is missing.
    it.reload()
    with it.expect_navigation():
        it.click("[data-action=finish]")
    expect(it.locator(".page-title [data-status]")).to_have_attribute("data-status", "reconciling")
    with it.expect_navigation():
        it.click("[data-action=report]")
    results = it.locator("table[data-table=results]")
    missing = results.locator("tr[data-result=missing]")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text(org.printer.number)
    expect(missing).to_contain_text(zh("Missing"))
    expect(results.locator("tr[data-result=found]")).to_contain_text(org.desktop.number)
    expect(results.locator("tr[data-result=misplaced]")).to_contain_text(org.stray.number)
    expect(results.locator("tr[data-result=unknown]")).to_contain_text(UNKNOWN_NUMBER)
    expect(it.locator("[data-count=missing]").first).to_have_text("1")
