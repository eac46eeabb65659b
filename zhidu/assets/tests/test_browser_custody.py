"""Browser tests of equipment custody (issue #3: "browser tests for issue-with-signature,
replacement blocked until return"; AST-03, AST-04).

* Issue with signature (领用, AST-03, 篇1 第十条): IT issues a laptop to an employee through the
  form; the employee finds the 《设备管理责任书》 waiting under 我的待办, types their name and draws
  a signature on the canvas with the mouse, signs; the device is in use with that custodian; the
  letter page shows the frozen text (unchanged when the template is edited afterwards) and the
  drawn signature as an image.
* Replacement blocked until return (AST-04, 篇1 第九条(4)): a replacement for a device that is
  not returned — or returned without its power adapter — is refused with the reason on the
  page; once the return is checked complete, the same replacement goes through.

Set-up through the services and factories; what the acceptance describes is clicked.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from types import SimpleNamespace

import pytest

from zhidu.assets.choices import AssetStatus, CategoryKind
from zhidu.assets.models import AssetIssue, AssetReturn, ResponsibilityLetter
from zhidu.assets.services import custody
from zhidu.assets.tests.factories import AssetCategoryFactory, AssetFactory, AssetModelFactory
from zhidu.core.testing import make_unit, make_user
from zhidu.core.testing.browser import login_as, zh
from zhidu.org.roles import seed_roles

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

ACCESSORIES = ["电源适配器", "电脑包"]


@pytest.fixture
def org(transactional_db):
    seed_roles()
    root = make_unit("龙化能源集团有限公司")
    it_dept = make_unit("综合管理部", parent=root, is_it_authority=True)
    production = make_unit("生产技术部", parent=root)
    laptops = AssetCategoryFactory(code="laptop", name="笔记本电脑", kind=CategoryKind.COMPUTER)
    t14 = AssetModelFactory(category=laptops, manufacturer="联想", name="ThinkPad T14", accessories=ACCESSORIES)
    return SimpleNamespace(
        root=root, production=production, laptops=laptops, t14=t14,
        it=make_user(username="baixx", name="白信息", department=it_dept, roles=["it_staff"]),
        employee=make_user(username="zhangsan", name="张三", department=production, roles=["employee"]),
    )


def laptop(org, number, **kwargs):
    return AssetFactory(number=number, name="联想 ThinkPad T14 笔记本电脑", category=org.laptops, model=org.t14,
                        department=org.production, **kwargs)


def open_issue_form(page, *, person, asset, replaces=None):
    page.goto("/assets/custody/issues/new/")
    # The person picker: type the name, pick the person from the results (zhidu.org.forms.PersonPickerField).
    page.locator("[name=person_search]").press_sequentially(person.name)
    page.locator(f"[data-person-pick='{person.pk}']").click()
    page.select_option("[name=assets]", [str(asset.pk)])
    if replaces is not None:
        page.select_option("[name=replaces]", str(replaces.pk))
    with page.expect_navigation():
        page.locator("form.zhidu-object-form button[type=submit]").first.click()


def draw_signature(page):
    """A person's signature: a few strokes with the mouse across the canvas."""
    canvas = page.locator("[data-signature-canvas]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, box
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in ([(0.10, 0.60), (0.20, 0.30), (0.30, 0.70), (0.40, 0.35)],
                   [(0.50, 0.50), (0.62, 0.30), (0.70, 0.65), (0.85, 0.40)]):
        page.mouse.move(x0 + stroke[0][0] * w, y0 + stroke[0][1] * h)
        page.mouse.down()
        for fx, fy in stroke[1:]:
            page.mouse.move(x0 + fx * w, y0 + fy * h, steps=8)
        page.mouse.up()


def sign_letter(page, person_name):
    page.fill("[name=typed_name]", person_name)
    draw_signature(page)
    with page.expect_navigation():
        page.click("[data-signature-submit]")


def png_data_url(width: int = 60, height: int = 24) -> str:
    """A small real PNG (white, greyscale), as the canvas would post it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def issue_and_sign(org, asset):
    """The old device, issued and signed through the services (set-up for the replacement test)."""
    issue = custody.issue_assets(person=org.employee.person, assets=[asset], actor=org.it)
    custody.sign_letter(letter=issue.letter, actor=org.employee, typed_name=org.employee.person.name,
                        signature=png_data_url())
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_USE
    return issue


# -- issue with the responsibility letter signed in the browser (AST-03) -------------------------
def test_issue_is_signed_on_the_canvas_and_the_letter_is_frozen(new_page, org, screenshot_dir):
    device = laptop(org, "ZC-2026-000101", serial_number="PF4XK2Q9")

    it = new_page()
    login_as(it, org.it)
    open_issue_form(it, person=org.employee.person, asset=device)
    expect(it.locator("#messages .alert-success")).to_be_visible()
    expect(it).to_have_url(re.compile(r"/assets/custody/issues/\d+/"))
    issue = AssetIssue.objects.get(person=org.employee.person)
    letter = issue.letter
    assert issue.status == AssetIssue.Status.AWAITING and letter.status == ResponsibilityLetter.Status.AWAITING
    device.refresh_from_db()
    assert device.status == AssetStatus.IN_STOCK and device.custodian is None, "in use only once signed"

    # The employee finds the letter waiting for their signature on the home page (我的待办).
    employee = new_page()
    login_as(employee, org.employee)
    employee.goto("/")
    waiting = employee.locator(f"[data-panel='assets.letters_to_sign'] [data-letter='{letter.number}']")
    expect(waiting).to_have_count(1)
    with employee.expect_navigation():
        waiting.click()
    expect(employee).to_have_url(re.compile(rf"/assets/custody/letters/{letter.pk}/sign/"))
    text = employee.locator("[data-letter-text]")
    expect(text).to_contain_text("张三")
    expect(text).to_contain_text(device.number)

    # A wrong name is refused in place (the signature must be the custodian's own).
    employee.fill("[name=typed_name]", "李四")
    draw_signature(employee)
    with employee.expect_navigation():
        employee.click("[data-signature-submit]")
    expect(employee.locator("form[data-sign-form] .invalid-feedback, form[data-sign-form] .alert-danger").first
           ).to_contain_text("张三")
    letter.refresh_from_db()
    assert letter.status == ResponsibilityLetter.Status.AWAITING

    sign_letter(employee, "张三")
    expect(employee.locator("#messages .alert-success")).to_be_visible()
    expect(employee).to_have_url(re.compile(rf"/assets/custody/letters/{letter.pk}/$"))
    expect(employee.locator("[data-letter-status]")).to_have_attribute("data-letter-status", "signed")

    letter.refresh_from_db()
    assert letter.status == ResponsibilityLetter.Status.SIGNED
    assert letter.signed_name == "张三" and letter.signed_at is not None and letter.signed_ip
    assert letter.signature.startswith("data:image/png;base64,") and device.number in letter.text
    issue.refresh_from_db()
    assert issue.status == AssetIssue.Status.COMPLETED
    device.refresh_from_db()
    assert device.status == AssetStatus.IN_USE and device.custodian == org.employee.person

    # The asset card: in use, custodian 张三.
    it.goto(f"/assets/{device.pk}/")
    expect(it.locator(".page-title [data-status]")).to_have_attribute("data-status", AssetStatus.IN_USE)
    expect(it.locator(".page-title [data-status]")).to_have_text(zh("In use"))
    expect(it.locator("[data-field=custodian]")).to_contain_text("张三")

    # The organisation edits the template afterwards: the signed letter keeps its frozen text.
    custody.save_template(actor=org.it, name="设备管理责任书（2027版）",
                          body="新版责任书：{{ person }} 保管 {{ items }}，修订条款。")
    it.goto(f"/assets/custody/letters/{letter.pk}/")
    frozen = it.locator("[data-letter-summary] [data-letter-text]")
    expect(frozen).to_contain_text(device.number)
    expect(frozen).not_to_contain_text("新版责任书")
    assert frozen.inner_text().replace("\n", "").replace(" ", "")[:40] == \
        letter.text.replace("\n", "").replace(" ", "")[:40]
    image = it.locator("[data-signature-image]")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the signature image did not load"
    expect(it.locator("[data-letter-summary]")).to_contain_text("张三")
    # The top of the page (the details tab below repeats the fields).
    it.screenshot(path=str(screenshot_dir / "custody-letter-signed.png"), full_page=True,
                  clip={"x": 0, "y": 0, "width": 1366, "height": 1500})


# -- replacement only after the old device is returned and checked complete (AST-04) ----------------
def refused_on_form(page):
    error = page.locator("form.zhidu-object-form .alert-danger, form.zhidu-object-form .invalid-feedback")
    expect(error.first).to_be_visible()
    expect(error.filter(has_text="篇1 第九条(4)")).to_have_count(1)


def test_replacement_is_refused_until_the_return_is_checked_complete(new_page, org, screenshot_dir):
    old = laptop(org, "ZC-2020-000007")
    new = laptop(org, "ZC-2026-000208")
    issue_and_sign(org, old)

    it = new_page()
    login_as(it, org.it)

    # 1. Old device still held: the replacement is refused, the reason on the page.
    open_issue_form(it, person=org.employee.person, asset=new, replaces=old)
    refused_on_form(it)
    expect(it.locator("[name=replaces]")).to_have_value(str(old.pk))  # input kept
    it.screenshot(path=str(screenshot_dir / "custody-replacement-refused.png"), full_page=True)
    assert not AssetIssue.objects.filter(lines__asset=new).exists()

    # 2. The employee hands it in without the power adapter; IT checks it: incomplete.
    it.goto(f"/assets/custody/returns/new/?asset={old.pk}")
    expect(it.locator("[name=asset]")).to_have_value(str(old.pk))
    it.check("input[name=accessories][value=电脑包]")
    with it.expect_navigation():
        it.locator("form.zhidu-object-form button[type=submit]").first.click()
    expect(it.locator("#messages .alert-success")).to_be_visible()
    ret = AssetReturn.objects.get(asset=old)
    check = it.locator("form[data-check-form]")
    expect(check.locator("input[name=accessories][value=电脑包]")).to_be_checked()
    with it.expect_navigation():
        check.locator("button[type=submit]").click()
    expect(it.locator("[data-return-status]")).to_have_attribute("data-return-status", "incomplete")
    expect(it.locator("[data-return-summary] .alert-warning")).to_contain_text("电源适配器")

    open_issue_form(it, person=org.employee.person, asset=new, replaces=old)
    refused_on_form(it)
    assert not AssetIssue.objects.filter(lines__asset=new).exists()

    # 3. The adapter comes in; the return is checked again: complete.
    it.goto(f"/assets/custody/returns/{ret.pk}/")
    check = it.locator("form[data-check-form]")
    check.locator("input[name=accessories][value=电源适配器]").check()
    expect(check.locator("input[name=accessories][value=电脑包]")).to_be_checked()
    with it.expect_navigation():
        check.locator("button[type=submit]").click()
    expect(it.locator("[data-return-status]")).to_have_attribute("data-return-status", "complete")
    ret.refresh_from_db()
    assert ret.status == AssetReturn.Status.COMPLETE

    # 4. Now the replacement goes through.
    open_issue_form(it, person=org.employee.person, asset=new, replaces=old)
    expect(it.locator("#messages .alert-success")).to_be_visible()
    expect(it.locator("[data-issue-summary]")).to_contain_text(old.number)
    issue = AssetIssue.objects.get(lines__asset=new)
    assert issue.lines.get().replaces == old and issue.person == org.employee.person
