"""The person picker (zhidu.org.forms.PersonPickerField + org:person_pick): the search finds only
the people the user may see, at most 20, in a fixed number of queries; the forms using it accept
a picked person and refuse one the user may not see (DESIGN rule 6)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from zhidu.core.testing import make_unit, make_user
from zhidu.core.testing.browser import zh
from zhidu.core.testing.suites import assert_constant_queries
from zhidu.org.models import Person

pytestmark = pytest.mark.django_db

PICK = "/org/people/pick/"


def refused() -> str:
    """The form error of a person the user may not pick, as the (Chinese) page shows it."""
    return zh("Choose a person from the search results; only people you may see can be picked.")


class World:
    """公司 → 甲部 (→ 甲部一组), 乙部; a head of 甲部 who sees its people (subtree), an employee of 甲部."""

    def __init__(self):
        self.company = make_unit("拾取公司")
        self.a = make_unit("拾取甲部", parent=self.company)
        self.a1 = make_unit("拾取甲部一组", parent=self.a)
        self.b = make_unit("拾取乙部", parent=self.company)
        self.head = make_user(name="甲部主任", department=self.a, perms=["org.view_person"], scope=self.a)
        self.employee = make_user(name="甲部员工", department=self.a)
        self.mate = Person.objects.create(employee_no="PK-0001", name="王同事", department=self.a)
        self.sub = Person.objects.create(employee_no="PK-0002", name="王小组", department=self.a1)
        self.stranger = Person.objects.create(employee_no="PK-0003", name="王外人", department=self.b)
        self.gone = Person.objects.create(employee_no="PK-0004", name="王离职", department=self.a, status="left")


@pytest.fixture
def world():
    return World()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def picked(response) -> set[str]:
    import re

    assert response.status_code == 200
    return set(re.findall(r'data-person-pick="(\d+)"', response.content.decode()))


def ids(*people) -> set[str]:
    return {str(p.pk) for p in people}


def test_search_is_limited_to_the_people_the_user_may_see(world):
    head = login(world.head)
    assert picked(head.get(PICK, {"q": "王"})) == ids(world.mate, world.sub)  # subtree, current people only
    assert picked(head.get(PICK, {"q": "PK-0002"})) == ids(world.sub)  # employee number
    assert picked(head.get(PICK, {"q": "甲部一组"})) == ids(world.sub)  # department
    assert picked(head.get(PICK, {"q": "王 一组"})) == ids(world.sub)  # every word must match
    assert picked(head.get(PICK, {"q": "王外人"})) == set()  # another department: not findable
    assert zh("Nobody found among the people you may see.") in head.get(PICK, {"q": "王外人"}).content.decode()
    assert picked(head.get(PICK, {"q": ""})) == set()
    # The widget's own parameter name (<field>_search) works as the query.
    assert picked(head.get(PICK, {"field": "to_person", "to_person_search": "王同事"})) == ids(world.mate)


def test_employee_without_directory_access_finds_only_themselves_or_colleagues(world):
    employee = login(world.employee)
    assert picked(employee.get(PICK, {"q": "王"})) == set()
    assert picked(employee.get(PICK, {"q": "甲部员工"})) == ids(world.employee.person)
    # The "colleagues" pool adds the user's own department (not its sub-units, not other departments).
    assert picked(employee.get(PICK, {"q": "王", "pool": "colleagues"})) == ids(world.mate)
    assert picked(employee.get(PICK, {"q": "王", "pool": "nonsense"})) == set()  # unknown pool: "visible"


def test_search_needs_login(world):
    response = Client().get(PICK, {"q": "王"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_at_most_20_results_in_constant_queries(world):
    head = login(world.head)

    def grow():
        for n in range(30):
            Person.objects.create(employee_no=f"PK-1{n:03d}", name=f"王批量{n}", department=world.a1)

    assert_constant_queries(head, PICK + "?q=王", grow)
    response = head.get(PICK, {"q": "王"})
    more = zh("Only the first %(limit)s matches are shown: type more.") % {"limit": 20}
    assert len(picked(response)) == 20 and more in response.content.decode()


# --------------------------------------------------------------------------- forms using the picker


def test_custody_change_form_accepts_a_colleague_and_refuses_an_invisible_person(world):
    from zhidu.assets.models import CustodianChange
    from zhidu.assets.tests.factories import AssetFactory, hold

    asset = hold(AssetFactory(department=world.a), world.employee.person)
    client = login(world.employee)
    page = client.get(reverse("assets:change_create")).content.decode()
    assert "data-person-picker" in page and f'{PICK}?pool=colleagues&amp;field=to_person' in page
    assert "<script>" not in page  # no inline script (CSP)
    response = client.post(reverse("assets:change_create"), {"asset": asset.pk, "to_person": world.stranger.pk,
                                                             "reason": "调岗"})
    body = response.content.decode()
    assert response.status_code == 200 and refused() in body
    assert "王外人" not in body  # the refused id is not named back
    assert not CustodianChange.objects.exists()
    response = client.post(reverse("assets:change_create"), {"asset": asset.pk, "to_person": world.mate.pk,
                                                             "reason": "调岗"})
    assert response.status_code == 302
    assert CustodianChange.objects.get().to_person == world.mate


def test_loan_form_refuses_a_borrower_the_user_may_not_see(world):
    from zhidu.assets.models import AssetLoan
    from zhidu.assets.tests.factories import AssetFactory

    asset = AssetFactory(department=world.company)
    it = make_user(name="IT", department=world.company, perms=["assets.view_asset", "assets.add_assetloan",
                                                              "org.view_person"], scope=world.a)
    client = login(it)
    response = client.post(reverse("assets:loan_create"), {"asset": asset.pk, "borrower": world.stranger.pk,
                                                           "purpose": "出差", "due_date": "2099-01-01"})
    assert response.status_code == 200 and refused() in response.content.decode()
    assert not AssetLoan.objects.exists()


@pytest.fixture
def approval_org(db):
    from zhidu.core.tests.approvals_support import build_org

    return build_org()


def _pending_task(org):
    from zhidu.core.approvals import services
    from zhidu.core.approvals.choices import TaskStatus
    from zhidu.core.tests.approvals_support import PROCESS, make_policy, one_rule, step

    make_policy(one_rule(step("leader", "it_leader")))
    approval = services.submit(subject=org.subject("1000.00"), process_key=PROCESS, requester=org.alice,
                               actor=org.alice.user)
    return approval.tasks.get(status=TaskStatus.OPEN)


def test_transfer_form_accepts_a_visible_person_and_refuses_an_invisible_one(approval_org):
    from zhidu.core.testing import assign_role

    org = approval_org
    assign_role(org.it_leader, "pick-view-it", org.it_dept, perms=["org.view_person"])  # sees 综合管理部 only
    task = _pending_task(org)
    client = login(org.it_leader.user)
    page = client.get(f"/approvals/tasks/{task.pk}/").content.decode()
    assert "data-person-picker" in page and 'name="to_person"' in page
    response = client.post(f"/approvals/tasks/{task.pk}/transfer/", {"to_person": org.cfo.pk, "reason": "出差"})
    assert response.status_code == 400 and refused() in response.content.decode()
    task.refresh_from_db()
    assert task.assignee == org.it_leader
    response = client.post(f"/approvals/tasks/{task.pk}/transfer/", {"to_person": org.office_head.pk,
                                                                     "reason": "出差"})
    assert response.status_code == 302
    assert task.request.tasks.get(status="open").assignee == org.office_head


def test_delegation_form_refuses_an_invisible_stand_in(approval_org):
    from django.utils import timezone

    from zhidu.core.approvals.models import Delegation

    org = approval_org
    now = timezone.localtime()
    client = login(org.it_leader.user)  # no directory access in this organisation
    response = client.post("/approvals/delegations/", {
        "delegate": org.office_head.pk, "start": now.strftime("%Y-%m-%dT%H:%M"),
        "end": (now + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code in (200, 400) and refused() in response.content.decode()
    assert not Delegation.objects.exists()
