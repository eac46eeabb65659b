"""The demo organisation: plausible, every role filled, idempotent and deterministic."""

import pytest
from django.contrib.auth import get_user_model

from zhidu.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts
from zhidu.core.demo_data import load_demo
from zhidu.core.models import ChangeLogEntry
from zhidu.org import selectors
from zhidu.org.models import OrgUnit, Person, Role, RoleAssignment
from zhidu.org.roles import ROLE_CATALOGUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_only(monkeypatch):
    """The org part of the demo only (the other apps' hooks are tested by their owners)."""
    from zhidu.core import demo_data

    monkeypatch.setattr(demo_data, "app_demo_modules", lambda: iter([]))


def test_demo_loads_once_and_again_changes_nothing():
    """With every app's demo hook: a second run creates nothing and logs nothing."""
    assert load_demo() is True
    counts = (OrgUnit.objects.count(), Person.objects.count(), RoleAssignment.objects.count(),
              get_user_model().objects.count(), ChangeLogEntry.objects.count())
    assert load_demo() is False
    assert counts == (OrgUnit.objects.count(), Person.objects.count(), RoleAssignment.objects.count(),
                      get_user_model().objects.count(), ChangeLogEntry.objects.count())
    assert 40 <= Person.objects.count() <= 50


def test_every_role_is_filled_and_every_department_has_head_and_officer(org_only):
    load_demo()
    held = set(RoleAssignment.objects.values_list("role__code", flat=True))
    assert {spec.code for spec in ROLE_CATALOGUE} <= held
    assert selectors.departments_missing_it_roles() == []
    assert list(selectors.it_authority_units().values_list("name", flat=True)) == ["综合管理部"]
    assert [p.name for p in selectors.holders_of_role("it_leader")] == ["刘志强"]
    assert [p.name for p in selectors.holders_of_role("cfo")] == ["赵丽华"]
    rj1 = OrgUnit.objects.get(code="RJ1")
    assert [p.name for p in selectors.holders_of_role("dept_head", unit=rj1)] == ["彭勇"]
    hd = OrgUnit.objects.get(code="XSB-HD")
    assert [p.name for p in selectors.holders_of_role("dept_it_officer", unit=hd)] == ["梁燕"]


def test_demo_accounts_sign_in(org_only):
    load_demo()
    assert [u for u, _d in demo_accounts()] == [u for u, _d in DEMO_ACCOUNTS]
    User = get_user_model()
    for username, _description in DEMO_ACCOUNTS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD), username
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="wujun").is_active  # left the company
    assert Person.objects.filter(user__isnull=True).count() == 0


def test_demo_hook_of_other_apps_receives_the_org(monkeypatch):
    from zhidu.core import demo_data

    seen = []

    class Hook:
        @staticmethod
        def load(org):
            seen.append((org.company.name, org.person("tanglei").department.name, org.user("zhaolihua").username))

    monkeypatch.setattr(demo_data, "app_demo_modules", lambda: iter([Hook]))
    load_demo()
    assert seen == [("华信科技有限公司", "华东区", "zhaolihua")]
    assert Role.objects.filter(is_builtin=True).count() == len(ROLE_CATALOGUE)
