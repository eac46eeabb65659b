"""Browser test: the UI is Chinese by default and the language switch gives English and back
(issue #2 §6: "Chinese by default with an English switch")."""

import pytest

from zhidu.core.testing import make_user
from zhidu.core.testing.browser import login_as

pytestmark = pytest.mark.browser
# Playwright is a dev dependency; without it the `browser` fixtures skip (or fail under CI).
expect = pytest.importorskip("playwright.sync_api").expect


def switch_language(page, code: str) -> None:
    """Pick a language in the navbar's switch (it submits itself, then the page reloads)."""
    with page.expect_navigation():
        page.locator("#language-form select[name=language]").select_option(code)


def test_language_switch_gives_english_and_back(new_page, live_server, db):
    user = make_user(username="yuyan", name="于言")
    page = new_page()

    # The login page is Chinese before anyone signs in.
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h2")).to_have_text("登录")

    login_as(page, user)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".page-title")).to_have_text("我的待办")

    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".page-title")).to_have_text("My to-do")
    expect(page.locator("#language-form select[name=language]")).to_have_value("en")
    # The choice sticks: another page is English too.
    page.goto("/procurement/requests/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".page-title")).to_have_text("Purchase requests")

    switch_language(page, "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto("/")
    expect(page.locator(".page-title")).to_have_text("我的待办")
