"""The role × scope matrix of the organisation endpoints (issue #2 acceptance, DESIGN rule 6).

For each role (employee, dept_head, dept_it_officer, it_staff, it_leader, cfo, auditor, hr —
an HR officer of one unit — and a superuser) × each scope (own / in / out, or "any" for data
without a unit) × each endpoint (UI list, UI detail, export, API list, API detail, API write)
the status and the visibility are asserted. The permissions are those of the seeded role
catalogue (zhidu.org.roles). Harness: zhidu.core.testing.matrix.
"""

import pytest

from zhidu.core.testing.matrix import (
    FORBIDDEN,
    HIDDEN,
    OK,
    VISIBLE,
    Endpoint,
    Expect,
    Family,
    check_family,
    matrix_ids,
)
from zhidu.org.models import OrgUnit, Person, Role, RoleAssignment

pytestmark = pytest.mark.django_db

SEEN = Expect(VISIBLE, FORBIDDEN)
NONE = Expect(HIDDEN, HIDDEN)
EDIT = Expect(VISIBLE, OK)
ALL = {"own": SEEN, "in": SEEN, "out": SEEN}
ADMIN = {"own": EDIT, "in": EDIT, "out": EDIT, "any": EDIT}


def make_person(ctx):
    if ctx.scope == "own" and ctx.person is not None:
        return ctx.person
    n = ctx.world.next_no()
    return Person.objects.create(employee_no=f"MXP{n:03d}", name=f"矩阵人员{n}", department=ctx.unit)


PEOPLE = Family(
    name="person",
    make=make_person,
    endpoints=[
        Endpoint.ui_list("/org/people/?per_page=100"),
        Endpoint.ui_detail(lambda p: f"/org/people/{p.pk}/"),
        Endpoint.export("/org/people/", marker=lambda p: p.employee_no),
        Endpoint.api_list("/api/org/people/"),
        Endpoint.api_detail(lambda p: f"/api/org/people/{p.pk}/"),
        Endpoint.api_write(lambda p: f"/api/org/people/{p.pk}/", data={"title": "矩阵职务"}),
        Endpoint.ui_write(lambda p: f"/org/people/{p.pk}/status/", data={"status": "leaving"}, label="ui_status"),
    ],
    expect={
        # an employee sees only their own record (owner rule) and may change nothing
        "employee": {"own": SEEN, "in": NONE, "out": NONE},
        "dept_head": {"own": SEEN, "in": SEEN, "out": NONE},
        "dept_it_officer": {"own": SEEN, "in": SEEN, "out": NONE},
        "it_staff": ALL,
        "it_leader": ALL,
        "cfo": ALL,
        "auditor": ALL,
        "hr": {"own": EDIT, "in": EDIT, "out": NONE},
        "admin": ADMIN,
    },
)
# An admin without a Person has no "own" record: the superuser row uses a colleague instead.
PEOPLE_ADMIN_SCOPES = ("in", "out")


def make_unit(ctx):
    n = ctx.world.next_no()
    return OrgUnit.objects.create(name=f"矩阵单位{n}", code=f"MXU{n:03d}", parent=ctx.unit)


UNITS = Family(
    name="unit",
    scopes=("in", "out"),
    make=make_unit,
    endpoints=[
        Endpoint.ui_list("/org/?per_page=500"),
        Endpoint.ui_detail(lambda u: f"/org/units/{u.pk}/"),
        Endpoint.export("/org/", marker=lambda u: u.code),
        Endpoint.api_list("/api/org/units/"),
        Endpoint.api_detail(lambda u: f"/api/org/units/{u.pk}/"),
        Endpoint.api_write(lambda u: f"/api/org/units/{u.pk}/", data={"sort_order": 7}),
        Endpoint.ui_write(lambda u: f"/org/units/{u.pk}/deactivate/", data={}, label="ui_deactivate"),
    ],
    expect={
        "employee": {"in": NONE, "out": NONE},
        "dept_head": {"in": SEEN, "out": NONE},
        "dept_it_officer": {"in": SEEN, "out": NONE},
        "it_staff": {"in": SEEN, "out": SEEN},
        "it_leader": {"in": SEEN, "out": SEEN},
        "cfo": {"in": SEEN, "out": SEEN},
        "auditor": {"in": SEEN, "out": SEEN},
        "hr": {"in": EDIT, "out": NONE},
        "admin": ADMIN,
    },
)


def make_assignment(ctx):
    if ctx.scope == "own" and ctx.holder is not None:
        return ctx.holder.role_assignments.get()
    n = ctx.world.next_no()
    person = Person.objects.create(employee_no=f"MXA{n:03d}", name=f"矩阵角色人{n}", department=ctx.unit)
    return RoleAssignment.objects.create(person=person, role=Role.objects.get(code="dept_it_officer"), unit=ctx.unit,
                                         note=f"mx-{ctx.scope}-{n}")


ASSIGNMENTS = Family(
    name="roleassignment",
    make=make_assignment,
    endpoints=[
        Endpoint.ui_list("/org/assignments/?per_page=100", marker=lambda a: a.note),
        Endpoint.export("/org/assignments/", marker=lambda a: a.note),
        Endpoint.api_list("/api/org/role-assignments/"),
        Endpoint.api_detail(lambda a: f"/api/org/role-assignments/{a.pk}/"),
        Endpoint.api_write(lambda a: f"/api/org/role-assignments/{a.pk}/", data={"note": "矩阵备注"}),
        Endpoint.ui_write(lambda a: f"/org/assignments/{a.pk}/revoke/", data={}, label="ui_revoke"),
    ],
    expect={
        # everyone sees their own assignments (owner rule)
        "employee": {"own": SEEN, "in": NONE, "out": NONE},
        "dept_head": {"own": SEEN, "in": SEEN, "out": NONE},
        "dept_it_officer": {"own": SEEN, "in": NONE, "out": NONE},
        "it_staff": ALL,
        "it_leader": ALL,
        "cfo": {"own": SEEN, "in": NONE, "out": NONE},
        "auditor": ALL,
        "hr": {"own": SEEN, "in": SEEN, "out": NONE},
        "admin": ADMIN,
    },
)


def make_role(ctx):
    n = ctx.world.next_no()
    return Role.objects.create(code=f"mx-role-{n}", name=f"矩阵角色{n}")


ROLES = Family(
    name="role",
    scopes=("any",),
    make=make_role,
    endpoints=[
        Endpoint.ui_list("/org/roles/?per_page=100"),
        Endpoint.ui_detail(lambda r: f"/org/roles/{r.pk}/"),
        Endpoint.export("/org/roles/", marker=lambda r: r.code),
        Endpoint.api_list("/api/org/roles/"),
        Endpoint.api_detail(lambda r: f"/api/org/roles/{r.pk}/"),
        Endpoint.api_write(lambda r: f"/api/org/roles/{r.pk}/", data={"description": "矩阵"}),
    ],
    expect={
        # roles have no unit: only organisation-wide grants see them
        "employee": {"any": NONE},
        "dept_head": {"any": NONE},
        "dept_it_officer": {"any": NONE},
        "it_staff": {"any": SEEN},
        "it_leader": {"any": SEEN},
        "cfo": {"any": NONE},
        "auditor": {"any": SEEN},
        "hr": {"any": NONE},
        "admin": ADMIN,
    },
)

FAMILIES = [PEOPLE, UNITS, ASSIGNMENTS, ROLES]


@pytest.mark.parametrize(("family", "role"), matrix_ids(FAMILIES))
def test_role_scope_matrix(client, family, role):
    if role == "admin" and family.name in ("person", "roleassignment"):
        family = Family(name=family.name, make=family.make, endpoints=family.endpoints, expect=family.expect,
                        scopes=PEOPLE_ADMIN_SCOPES)
    check_family(client, family, role)
