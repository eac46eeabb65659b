"""The notification bell and list, in Chromium."""

from zhidu.core.notifications import notify
from zhidu.core.testing.browser import login
from zhidu.org.tests.factories import PASSWORD, UserFactory


def test_bell_shows_unread_and_opening_marks_read(page, live_server, transactional_db):
    user = UserFactory(username="zhangsan")
    notify(users=[user], message="请审批采购申请 CG-2026-000001", link="/notifications/", email=False)
    login(page, "zhangsan", PASSWORD)
    assert page.locator("#notification-bell [data-unread='1']").count() == 1
    page.click("#notification-bell a")
    page.wait_for_url("**/notifications/")
    assert page.locator("[data-notification][data-read='0']").count() == 1
    page.get_by_text("请审批采购申请 CG-2026-000001").click()
    page.wait_for_url("**/notifications/")
    assert page.locator("[data-notification][data-read='1']").count() == 1
    assert page.locator("#notification-bell [data-unread]").count() == 0
