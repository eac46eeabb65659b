"""Browser tests: Playwright (sync API) driving the system Chromium against pytest-django's
`live_server` (DESIGN "Testing").

Loaded for the whole suite by the root conftest.py (`pytest_plugins`). A test asks for the
`page` fixture (or `browser`) and is marked `browser` automatically:

    def test_employee_submits(page, live_server):
        page.goto(f"{live_server.url}/accounts/login/")
        ...

Several people at once: `new_page()` opens a page in a fresh context per person, `login_as(page,
user)` signs a test user in through the form, `zh(msgid)` is the Chinese text a user sees,
`api_post(page, path, data)` calls the API with the page's session (CSRF included), and the
`screenshot_dir` fixture is where screenshots go ($ZHIDU_SCREENSHOT_DIR or a tmp dir).

Chromium is /usr/bin/chromium (Debian's `chromium` package; override with ZHIDU_CHROMIUM).
Where it is missing the browser tests are skipped with a message saying how to install it,
unless ZHIDU_REQUIRE_BROWSER=1 (set by .ci/run): then they fail, so CI never passes without
having run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ZHIDU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Playwright's default wait for an element or a navigation (milliseconds).
DEFAULT_TIMEOUT_MS = 20_000

BROWSER_FIXTURES = {"browser", "browser_context", "page", "_playwright", "new_page"}


def browser_required() -> bool:
    return os.environ.get("ZHIDU_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str):
    if browser_required():
        pytest.fail(f"{reason} (ZHIDU_REQUIRE_BROWSER=1: browser tests must run here)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Tests that use a browser fixture carry the `browser` marker (`pytest -m "not browser"`)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _playwright():
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM}; install with apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("Playwright is not installed; run uv sync")
    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    """One headless Chromium for the whole session."""
    try:
        chromium = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as e:
        _unavailable(f"Chromium at {CHROMIUM} did not start: {e}")
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh context (cookies, storage) per test, in Chinese, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context):
    """A page of a fresh context; `page.goto("/accounts/login/")` resolves against live_server."""
    return browser_context.new_page()


def login(page, username: str, password: str) -> None:
    """Sign in through the login form (as a person does; django-axes sees a real request)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit], input[type=submit]"
    ).first.click()
    page.wait_for_load_state("domcontentloaded")


# -- helpers for tests with several people (added by the browser-tests engineer) ---------------
@pytest.fixture
def new_page(browser, live_server):
    """A factory of pages, each in its own fresh context (own cookies): one per person, so an
    employee and an approver are signed in side by side.

        requester = new_page(); login_as(requester, employee)
        leader = new_page(); login_as(leader, it_leader)
    """
    contexts = []

    def factory(*, locale: str = "zh-CN"):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, timezone_id="Asia/Shanghai",
            viewport={"width": 1366, "height": 900},
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield factory
    finally:
        for context in contexts:
            context.close()


def login_as(page, user, password: str | None = None) -> None:
    """`login` for a User of the test database (PASSWORD of zhidu.core.testing by default); fails
    with the page's text when the login form did not let the user in."""
    from zhidu.core.testing.users import PASSWORD

    login(page, user.get_username(), password or PASSWORD)
    if "/accounts/login/" in page.url:
        text = page.locator("body").inner_text()[:500]
        pytest.fail(f"login as {user.get_username()} failed: {text}", pytrace=False)


def zh(message: str) -> str:
    """What a Chinese user sees for an English msgid (the zh-hans translation, or the msgid
    itself while the catalogue lacks it): tests assert the Chinese UI without hard-coding
    translations that are still being written."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(message)


def csrf_headers(page) -> dict:
    """Headers for an unsafe API call through the page's session (DRF session auth checks CSRF)."""
    token = next((c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"), "")
    return {"X-CSRFToken": token, "Referer": page.url or "/"}


def api_post(page, path: str, data: dict):
    """POST JSON to the API as the page's signed-in user; returns Playwright's APIResponse."""
    return page.request.post(path, data=data, headers=csrf_headers(page))


@pytest.fixture
def screenshot_dir(tmp_path):
    """Where browser tests write screenshots/PDFs: $ZHIDU_SCREENSHOT_DIR (e.g. bench/out) or a tmp dir."""
    target = Path(os.environ.get("ZHIDU_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target
