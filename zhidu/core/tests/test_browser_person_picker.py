"""Browser test: transferring an approval step with the person picker (type a name, pick the
person from the htmx results, submit) — no inline script, nothing refused by the CSP."""

import pytest

from zhidu.core.testing import assign_role
from zhidu.core.testing.browser import login
from zhidu.org.tests.factories import PASSWORD

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def test_transfer_by_picking_a_person(page, live_server, transactional_db):
    from zhidu.core.tests.approvals_support import build_org
    from zhidu.org.tests.test_person_picker import _pending_task

    org = build_org()
    assign_role(org.it_leader, "pick-view-all", None, perms=["org.view_person"])
    task = _pending_task(org)
    console = []
    page.on("console", lambda message: console.append(message.text))

    login(page, "it_leader", PASSWORD)
    page.goto(f"/approvals/tasks/{task.pk}/")
    page.locator("#transfer summary").click()
    page.locator("#transfer [data-person-picker-search]").press_sequentially("office")
    option = page.locator("#transfer [data-person-pick]").filter(has_text="office_head")
    expect(option).to_have_count(1)
    option.click()
    expect(page.locator("#transfer input[name=to_person]")).to_have_value(str(org.office_head.pk))
    expect(page.locator("#transfer [data-person-picker-search]")).to_have_value(
        f"office_head（{org.office_head.employee_no}）")
    page.locator("#transfer textarea[name=reason]").fill("出差一周")
    with page.expect_navigation():
        page.locator("#transfer button[type=submit]").click()
    assert f"/approvals/tasks/{task.pk}/" not in page.url
    assert task.request.tasks.get(status="open").assignee == org.office_head
    assert not [text for text in console if "Content Security Policy" in text], console
