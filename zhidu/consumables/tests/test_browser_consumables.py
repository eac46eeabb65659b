"""Browser tests of an over-quota consumables issue (issue #3: "over-quota issue"; CON-04, CON-05,
CON-08, 篇14 第十九条 ¶2).

The consumables keeper issues toner drums to a department beyond its monthly quota through the
issue form: the form warns live (htmx quota hint) and the issue is flagged 超定额. With the
parameter `consumables.over_quota_requires_approval` on, the same issue waits for approval and
the stock moves only once the IT authority head approves it on the movement's page.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from zhidu.consumables import selectors, services
from zhidu.consumables.models import Movement
from zhidu.consumables.tests.factories import ItemFactory, LocationFactory
from zhidu.core import params
from zhidu.core.testing import make_unit, make_user
from zhidu.core.testing.browser import login_as, zh
from zhidu.org.roles import seed_roles

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

QUOTA = 5


@pytest.fixture
def org(transactional_db):
    """A sales department with a monthly quota of 5 toner drums, 4 already issued this month."""
    seed_roles()
    company = make_unit("龙化能源集团有限公司")
    office = make_unit("综合管理部", parent=company, is_it_authority=True)
    sales = make_unit("销售部", parent=company)
    keeper = make_user(username="haocai", name="郝耗材", department=office, roles=["consumables_keeper"])
    employee = make_user(username="zhangsan", name="张三", department=sales, roles=["employee"])
    warehouse = LocationFactory(code="WH-01", name="耗材库")
    drum = ItemFactory(code="HC-CF226A", name="惠普 CF226A 硒鼓", unit="个", reorder_level=2)
    services.receive(item=drum, location=warehouse, quantity=20, actor=keeper)
    services.set_quota(department=sales, item=drum, period_kind="month", period_start=timezone.localdate(),
                       quantity=QUOTA, actor=keeper)
    services.issue(item=drum, location=warehouse, quantity=4, department=sales, person=employee.person,
                   actor=keeper)
    return SimpleNamespace(
        sales=sales, keeper=keeper, employee=employee, warehouse=warehouse, drum=drum,
        it_head=make_user(username="zhaozr", name="赵主任", department=office, roles=["it_authority_head"]),
        admin=make_user(username="admin1", name="管理员", department=office, superuser=True),
    )


def fill_issue(page, org, quantity: int):
    page.goto("/consumables/issue/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.select_option("[name=item]", str(org.drum.pk))
    page.select_option("[name=department]", str(org.sales.pk))
    page.select_option("[name=person]", str(org.employee.person.pk))
    page.select_option("[name=location]", str(org.warehouse.pk))
    page.fill("[name=quantity]", str(quantity))
    page.locator("[name=quantity]").dispatch_event("change")


def submit(page):
    with page.expect_navigation():
        page.locator("form.zhidu-object-form button[type=submit]").first.click()


def open_movement(page, movement):
    page.goto(f"/consumables/ledger/{movement.pk}/")
    expect(page).to_have_url(re.compile(rf"/consumables/ledger/{movement.pk}/"))


def stock(org) -> int:
    return selectors.stock_of(org.drum)


def test_over_quota_issue_is_flagged(new_page, org, screenshot_dir):
    assert stock(org) == 16
    keeper = new_page()
    login_as(keeper, org.keeper)
    fill_issue(keeper, org, 3)
    # The form warns before anything is issued: 4 of 5 used, 3 more exceed the quota.
    hint = keeper.locator("[data-quota-panel] [data-quota-row]")
    expect(hint).to_contain_text("4")
    expect(hint.locator("[data-would-exceed]")).to_have_text(zh("This issue exceeds the quota"))
    keeper.screenshot(path=str(screenshot_dir / "consumables-over-quota-form.png"), full_page=True)
    submit(keeper)
    expect(keeper.locator("#messages .alert-success")).to_be_visible()

    movement = Movement.objects.filter(kind="issue").order_by("-id").first()
    assert movement.quantity == -3 and movement.department == org.sales and movement.person == org.employee.person
    assert movement.over_quota and movement.status == "posted"
    assert stock(org) == 13, "without the approval parameter the stock moves at once"

    open_movement(keeper, movement)
    expect(keeper.locator(".page-title [data-over-quota]")).to_have_text(zh("Over quota"))
    expect(keeper.locator(".page-title [data-status]")).to_have_attribute("data-status", "posted")
    expect(keeper.locator(".alert-warning")).to_contain_text(str(QUOTA))

    # Within the quota there is no flag (a fresh department quota with room left).
    services.set_quota(department=org.sales, item=org.drum, period_kind="month", period_start=timezone.localdate(),
                       quantity=20, actor=org.keeper)
    fill_issue(keeper, org, 1)
    expect(keeper.locator("[data-quota-panel] [data-quota-row]")).to_be_visible()
    expect(keeper.locator("[data-would-exceed]")).to_have_count(0)
    submit(keeper)
    within = Movement.objects.filter(kind="issue").order_by("-id").first()
    assert within.pk != movement.pk and not within.over_quota


def test_over_quota_issue_waits_for_approval_when_the_parameter_is_on(new_page, org, screenshot_dir):
    params.set_value(key="consumables.over_quota_requires_approval", value=True, actor=org.admin,
                     note="篇14 第十九条 ¶2：超定额领用须审批")
    keeper = new_page()
    login_as(keeper, org.keeper)
    fill_issue(keeper, org, 3)
    expect(keeper.locator("[data-would-exceed]")).to_be_visible()
    submit(keeper)
    expect(keeper.locator("#messages .alert-success")).to_be_visible()

    movement = Movement.objects.filter(kind="issue").order_by("-id").first()
    assert movement.over_quota and movement.status == "pending"
    assert stock(org) == 16, "the stock does not move before the approval"

    # The IT authority head finds it waiting and approves it on the movement's page.
    head = new_page()
    login_as(head, org.it_head)
    head.goto("/")
    row = head.locator("#home-approvals tr[data-task]").filter(has_text=movement.number)
    expect(row).to_have_count(1)
    open_movement(head, movement)
    expect(head.locator(".page-title [data-status]")).to_have_attribute("data-status", "pending")
    expect(head.locator(".page-title [data-over-quota]")).to_be_visible()
    form = head.locator("form.approval-decision")
    form.locator("textarea[name=opinion]").fill("生产旺季用量增加，同意超定额领用。")
    with head.expect_navigation():
        form.locator("button[name=decision][value=approve]").click()
    expect(head.locator(".page-title [data-status]")).to_have_attribute("data-status", "posted")
    head.screenshot(path=str(screenshot_dir / "consumables-over-quota-approved.png"), full_page=True)

    movement.refresh_from_db()
    assert movement.status == "posted"
    assert stock(org) == 13
