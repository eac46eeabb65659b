"""Shared by the benchmark scripts: Django set-up against a given database, the bench accounts.

Benchmarks never run inside the test suite (DESIGN "Data, scale and speed"): these scripts
print figures; nothing here asserts on time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"

#: Password of every bench login (the bench database is throw-away).
BENCH_PASSWORD = "Bench-Passw0rd!2026"

#: The accounts the list benchmark signs in as (created by generate.py).
IT_STAFF = "bench_it"  # role it_staff, whole organisation: sees every request
DEPT_HEAD = "bench_head"  # role dept_head of one department (with its sections): scoped
IT_LEADER = "bench_leader"  # role it_leader (VAR-01 A, up to 50,000.00 CNY)
CFO = "bench_cfo"  # role cfo (VAR-01 A, above 50,000.00 CNY)
EMPLOYEE = "bench_employee"  # a plain employee: sees own requests (and none other)


def describe_db(url: str) -> str:
    """The database URL without a password, for printing."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url


def setup_django(db_url: str, *, syncdb: bool = False) -> None:
    """Configure Django for `db_url` (SQLite file or PostgreSQL) the way production runs it.

    Not the test settings: DEBUG off (no query log except where a script captures queries),
    production password hasher; only the static files storage is the plain one, so pages
    render without a `collectstatic` manifest (the hashed-name lookup costs the same).

    `syncdb`: build tables from the current models with migrations disabled (as
    `pytest --nomigrations` does), for a tree whose migrations are not regenerated yet.
    """
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("ZHIDU_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("ZHIDU_LOG_LEVEL", "WARNING")
    os.environ.setdefault("ZHIDU_VAR_DIR", str(ROOT / "var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhidu.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    import warnings

    import django
    from django.conf import settings

    # whitenoise warns that STATIC_ROOT does not exist (no collectstatic); the finders serve.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")

    django.setup()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if syncdb:
        from django.apps import apps

        settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}


def is_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"
