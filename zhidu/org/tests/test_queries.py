"""Pinned query counts of the organisation's list pages and list APIs (DESIGN "Data, scale and
speed": a list costs a fixed number of queries whatever its size)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from zhidu.org.models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment
from zhidu.org.roles import seed_roles

pytestmark = pytest.mark.django_db

UI_PAGES = ["/org/", "/org/people/", "/org/positions/", "/org/roles/", "/org/assignments/", "/org/aliases/"]
API_LISTS = ["/api/org/units/", "/api/org/people/", "/api/org/positions/", "/api/org/roles/",
             "/api/org/role-assignments/", "/api/org/aliases/"]


def grow(n: int):
    """n more units, people (with manager and position), assignments, positions, roles, aliases."""
    root = OrgUnit.objects.filter(parent=None).first() or OrgUnit.objects.create(name="公司", code="Q-ROOT")
    role = Role.objects.get(code="dept_it_officer")
    start = Person.objects.count()
    manager = Person.objects.first()
    for i in range(start, start + n):
        unit = OrgUnit.objects.create(name=f"部门{i}", code=f"Q{i}", parent=root)
        position = Position.objects.create(name=f"岗位{i}")
        person = Person.objects.create(employee_no=f"Q{i:04d}", name=f"人员{i}", department=unit, position=position,
                                       manager=manager)
        manager = manager or person
        RoleAssignment.objects.create(person=person, role=role, unit=unit)
        custom = Role.objects.create(code=f"q-role-{i}", name=f"角色{i}")
        RoleAlias.objects.create(term=f"术语{i}", role=custom)


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def viewer(db):
    """An auditor (org-wide view of everything through the seeded role)."""
    from .factories import person_with_login

    seed_roles()
    root = OrgUnit.objects.create(name="公司", code="Q-ROOT")
    return person_with_login(username="auditor", department=root, roles=["auditor"]).user


@pytest.mark.parametrize("url", [*UI_PAGES, *API_LISTS, "/org/people/?export=csv", "/org/?export=xlsx"])
def test_list_queries_do_not_grow(viewer, url):
    client = APIClient() if url.startswith("/api/") else None
    if client is None:
        from django.test import Client

        client = Client()
    client.force_login(viewer)
    grow(3)
    count(client, url)  # warm the content-type cache and the session
    small = count(client, url)
    grow(12)
    large = count(client, url)
    assert small == large, f"{url}: {small} queries with few rows, {large} with more"


# Every request: session, user, the user's grants (3) and the idle-timeout session write (3:
# savepoint, update, release). API lists add count + page (+ prefetches); pages add the unread
# notifications of the header and the filter form's choices.
@pytest.mark.parametrize(("url", "expected"), [
    ("/org/", 14), ("/org/people/", 13), ("/org/positions/", 11), ("/org/roles/", 11), ("/org/assignments/", 13),
    ("/org/aliases/", 12),
    ("/api/org/units/", 8), ("/api/org/people/", 8), ("/api/org/positions/", 8), ("/api/org/roles/", 10),
    ("/api/org/role-assignments/", 8), ("/api/org/aliases/", 8),
])
def test_pinned_query_counts(viewer, url, expected, django_assert_num_queries):
    from django.test import Client

    client = APIClient() if url.startswith("/api/") else Client()
    client.force_login(viewer)
    grow(5)
    client.get(url)  # warm the content-type cache and the session
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
