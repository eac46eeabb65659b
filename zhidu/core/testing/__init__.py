"""Helpers for tests of every app (DESIGN "Testing"): users with roles and scopes, and generic
suites so that an app's view and API tests only declare data.

    from zhidu.core.testing import make_user, make_unit, perms_for, ViewTestSuite, APITestSuite
"""

import pytest

pytest.register_assert_rewrite("zhidu.core.testing.suites")

from .suites import (  # noqa: E402
    APITestSuite,
    ScopeFixtures,
    ViewTestSuite,
    assert_constant_queries,
    changelog_for,
    count_queries,
    page_pks,
    read_csv,
    read_xlsx,
)
from .users import (  # noqa: E402
    PASSWORD,
    assign_role,
    get_permission,
    make_role,
    make_unit,
    make_user,
    perms_for,
    refresh_grants,
)

__all__ = [
    "PASSWORD",
    "APITestSuite",
    "ScopeFixtures",
    "ViewTestSuite",
    "assert_constant_queries",
    "assign_role",
    "changelog_for",
    "count_queries",
    "get_permission",
    "make_role",
    "make_unit",
    "make_user",
    "page_pks",
    "perms_for",
    "read_csv",
    "read_xlsx",
    "refresh_grants",
]
