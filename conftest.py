import os

os.environ.setdefault("ZHIDU_TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Browser tests (Playwright + system Chromium): fixtures `browser`, `browser_context`, `page`.
pytest_plugins = ["zhidu.core.testing.browser"]
