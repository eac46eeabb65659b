"""The role × scope matrix (issue #2 acceptance): for each role, each object scope and each
endpoint, the status and the visibility are asserted against a declared expectation.

An app declares one `Family` per kind of object: how to make an object for a scope, its
endpoints, and what each role may do. The harness builds a small world (the seeded role
catalogue, a company with an inside unit and an outside unit, one user per role), makes the
objects, calls every endpoint and reports every mismatch at once, as a table.

    from zhidu.core.testing.matrix import (
        FORBIDDEN, HIDDEN, OK, VISIBLE, Endpoint, Expect, Family, MATRIX_ROLES, check_family)

    PURCHASE = Family(
        name="purchaserequest",
        scopes=("own", "in", "out"),
        make=lambda ctx: PurchaseRequestFactory(requester=ctx.person, department=ctx.unit),
        endpoints=[
            Endpoint.ui_list("/procurement/requests/"),
            Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
            Endpoint.export("/procurement/requests/", marker=lambda obj: obj.number),
            Endpoint.api_list("/api/procurement/requests/"),
            Endpoint.api_detail(lambda obj: f"/api/procurement/requests/{obj.pk}/"),
            Endpoint.api_write(lambda obj: f"/api/procurement/requests/{obj.pk}/", data={"title": "矩阵"}),
        ],
        expect={
            "employee": {"own": Expect(VISIBLE, FORBIDDEN), "in": Expect(HIDDEN), "out": Expect(HIDDEN)},
            "dept_head": {"own": Expect(VISIBLE, FORBIDDEN), "in": Expect(VISIBLE, FORBIDDEN), "out": Expect(HIDDEN)},
            ...                                  # every role of MATRIX_ROLES (+ "admin")
        },
    )

    @pytest.mark.parametrize("role", MATRIX_ROLES)
    def test_purchase_request_matrix(client, role):
        check_family(client, PURCHASE, role)

Scopes (where the object lives, relative to the acting user, who works in `inside`):

* ``own``: owned by the acting user (`ctx.person` is the user's Person), in `inside`;
* ``in``: another person's, in a sub-unit of `inside` (so subtree scopes are exercised);
* ``out``: another person's, in `outside` (a sibling department);
* ``any``: for objects without a unit (roles, positions): one object.

Roles (`MATRIX_ROLES`): employee, dept_head, dept_it_officer, it_staff, it_leader, cfo,
auditor, hr, and "admin" (a superuser). Unit roles (dept_head, dept_it_officer, hr — an HR
officer of one branch) are held on `inside` with its subtree; the others organisation-wide.
The roles carry the permissions of the seeded catalogue (`zhidu.org.roles`), so the matrix
tests the real configuration.

Outcomes: reads (lists, exports, details) are VISIBLE (200 and the object is shown), HIDDEN
(lists: 200 without it; details: 404) or FORBIDDEN (403); writes are OK (2xx), FORBIDDEN
(403: visible, not allowed) or HIDDEN (404: out of scope). Each write runs in a savepoint that
is rolled back, so the other checks see the world unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

VISIBLE = "visible"
HIDDEN = "hidden"
FORBIDDEN = "forbidden"
OK = "ok"

READ_KINDS = ("ui_list", "ui_detail", "export", "api_list", "api_detail")
WRITE_KINDS = ("api_write", "ui_write")
LIST_KINDS = ("ui_list", "export", "api_list")

#: The rows of the matrix: role key → (role code, held on "inside" with its subtree, else org-wide).
ROLE_HOLDERS: dict[str, tuple[str | None, bool]] = {
    "employee": ("employee", False),
    "dept_head": ("dept_head", True),
    "dept_it_officer": ("dept_it_officer", True),
    "it_staff": ("it_staff", False),
    "it_leader": ("it_leader", False),
    "cfo": ("cfo", False),
    "auditor": ("auditor", False),
    "hr": ("hr", True),
    "admin": (None, False),  # superuser
}
MATRIX_ROLES = tuple(ROLE_HOLDERS)


@dataclass(frozen=True)
class Expect:
    """What a role may do with an object of one scope: read outcome and write outcome."""

    read: str = HIDDEN
    write: str | None = None  # None: FORBIDDEN when read is VISIBLE, else HIDDEN

    def for_kind(self, kind: str) -> str:
        if kind in WRITE_KINDS:
            if self.write is not None:
                return self.write
            return FORBIDDEN if self.read == VISIBLE else HIDDEN
        return self.read


@dataclass
class Endpoint:
    """One endpoint of a family. Build with the constructors below."""

    kind: str
    url: Callable | str
    method: str = "get"
    data: Callable | dict | None = None
    marker: Callable | None = None  # text found in the response when the object is listed
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.kind

    def url_for(self, obj) -> str:
        return self.url(obj) if callable(self.url) else self.url

    def data_for(self, obj):
        return self.data(obj) if callable(self.data) else self.data

    @classmethod
    def ui_list(cls, url, *, marker=None, label=""):
        """A list page: the object is shown when `marker(obj)` (default: its page URL) is in the HTML."""
        return cls("ui_list", url, marker=marker, label=label)

    @classmethod
    def ui_detail(cls, url, *, label=""):
        return cls("ui_detail", url, label=label)

    @classmethod
    def export(cls, url, *, marker, fmt: str = "csv", label=""):
        """The list's export (?export=csv): the object is listed when `marker(obj)` is in a cell."""
        return cls("export", url, marker=marker, data={"export": fmt}, label=label)

    @classmethod
    def api_list(cls, url, *, label=""):
        """An API list: the object is listed when its id is among the results."""
        return cls("api_list", url, data={"page_size": 500}, label=label)

    @classmethod
    def api_detail(cls, url, *, label=""):
        return cls("api_detail", url, label=label)

    @classmethod
    def api_write(cls, url, *, data, method: str = "patch", label=""):
        return cls("api_write", url, method=method, data=data, label=label)

    @classmethod
    def ui_write(cls, url, *, data, label=""):
        """A form POST: OK is a redirect (302) or 200; FORBIDDEN 403; HIDDEN 404."""
        return cls("ui_write", url, method="post", data=data, label=label)


@dataclass
class MatrixContext:
    """Handed to `Family.make`: where and whose the object of this scope is."""

    world: MatrixWorld
    scope: str
    unit: object  # OrgUnit the object belongs to
    person: object  # Person who owns it (the acting user's Person for "own")
    holder: object  # the acting user's Person (None for "admin")
    user: object


@dataclass
class Family:
    """One kind of object in the matrix."""

    name: str
    make: Callable[[MatrixContext], object]
    endpoints: list[Endpoint]
    expect: dict[str, dict[str, Expect]]
    scopes: tuple[str, ...] = ("own", "in", "out")


@dataclass
class MatrixWorld:
    root: object
    inside: object
    inside_child: object
    outside: object
    users: dict = field(default_factory=dict)  # role key -> User
    people: dict = field(default_factory=dict)  # role key -> Person
    colleague: object = None  # a person in inside_child
    stranger: object = None  # a person in outside
    counter: int = 0

    def next_no(self) -> int:
        self.counter += 1
        return self.counter


def build_world(roles=MATRIX_ROLES) -> MatrixWorld:
    """The seeded role catalogue, the units and one user per role (see the module docstring)."""
    from django.contrib.auth import get_user_model

    from zhidu.org.models import OrgUnit, Person, Role, RoleAssignment
    from zhidu.org.roles import seed_roles

    seed_roles()
    root = OrgUnit.objects.create(name="矩阵公司", code="MX", kind="company")
    inside = OrgUnit.objects.create(name="矩阵甲部", code="MX-A", parent=root)
    inside_child = OrgUnit.objects.create(name="矩阵甲部一组", code="MX-A1", parent=inside, kind="section")
    outside = OrgUnit.objects.create(name="矩阵乙部", code="MX-B", parent=root)
    world = MatrixWorld(root=root, inside=inside, inside_child=inside_child, outside=outside)
    User = get_user_model()
    role_by_code = {r.code: r for r in Role.objects.all()}
    for key in roles:
        code, scoped = ROLE_HOLDERS[key]
        if code is None:
            world.users[key] = User.objects.create_superuser(f"mx_{key}", f"mx_{key}@example.com", "Mx-Passw0rd!")
            world.people[key] = None
            continue
        user = User.objects.create_user(f"mx_{key}", f"mx_{key}@example.com", "Mx-Passw0rd!")
        person = Person.objects.create(employee_no=f"MX-{key}", name=f"矩阵{key}", department=inside, user=user)
        RoleAssignment.objects.create(person=person, role=role_by_code[code], unit=inside if scoped else None,
                                      include_subtree=True, note=f"mx-own-{key}")
        world.users[key] = user
        world.people[key] = person
    world.colleague = Person.objects.create(employee_no="MX-colleague", name="矩阵同事", department=inside_child)
    world.stranger = Person.objects.create(employee_no="MX-stranger", name="矩阵外人", department=outside)
    return world


def context_for(world: MatrixWorld, role: str, scope: str) -> MatrixContext:
    holder = world.people.get(role)
    if scope == "own":
        unit, person = world.inside, holder
    elif scope == "in":
        unit, person = world.inside_child, world.colleague
    elif scope == "out":
        unit, person = world.outside, world.stranger
    else:  # "any"
        unit, person = None, None
    return MatrixContext(world=world, scope=scope, unit=unit, person=person, holder=holder, user=world.users[role])


# --------------------------------------------------------------------------- checking


def _listed(endpoint: Endpoint, response, obj) -> bool:
    content_type = response.get("Content-Type", "")
    if endpoint.kind == "api_list":
        payload = response.json()
        results = payload["results"] if isinstance(payload, dict) and "results" in payload else payload
        return any(str(item.get("id")) == str(obj.pk) for item in results)
    if endpoint.kind == "export":
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        if "csv" in content_type:
            text = raw.decode("utf-8-sig")
            cells = {c for row in csv.reader(io.StringIO(text)) for c in row}
        else:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(raw), read_only=True)
            cells = {str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None}
        return str(endpoint.marker(obj)) in cells
    marker = endpoint.marker(obj) if endpoint.marker else obj.get_absolute_url()
    return str(marker) in response.content.decode()


def observe(client, endpoint: Endpoint, obj) -> tuple[str, int]:
    """Call the endpoint for `obj`; return (outcome, status code)."""
    url = endpoint.url_for(obj)
    data = endpoint.data_for(obj)
    if endpoint.kind in WRITE_KINDS:
        with transaction.atomic():
            if endpoint.kind == "api_write":
                response = getattr(client, endpoint.method)(url, data=json.dumps(data), content_type="application/json")
            else:
                response = client.post(url, data=data)
            transaction.set_rollback(True)
        status = response.status_code
        if status in (200, 201, 202, 204, 302):
            return OK, status
        return {403: FORBIDDEN, 404: HIDDEN}.get(status, f"status {status}"), status
    response = client.get(url, data=data or {})
    status = response.status_code
    if status == 403:
        return FORBIDDEN, status
    if endpoint.kind in LIST_KINDS:
        if status != 200:
            return f"status {status}", status
        return (VISIBLE if _listed(endpoint, response, obj) else HIDDEN), status
    if status == 404:
        return HIDDEN, status
    if status == 200:
        return VISIBLE, status
    return f"status {status}", status


def check_family(client, family: Family, role: str, *, world: MatrixWorld | None = None) -> list[str]:
    """Run every endpoint × scope of `family` as `role`; fail listing every mismatch."""
    world = world or build_world()
    expectations = family.expect.get(role)
    if expectations is None:
        raise AssertionError(f"{family.name}: no expectation declared for role {role!r}")
    user = world.users[role]
    mismatches = []
    rows = []
    for scope in family.scopes:
        expected_scope = expectations.get(scope)
        if expected_scope is None:
            raise AssertionError(f"{family.name}: no expectation for role {role!r}, scope {scope!r}")
        obj = family.make(context_for(world, role, scope))
        for endpoint in family.endpoints:
            client.force_login(user)
            expected = expected_scope.for_kind(endpoint.kind)
            actual, status = observe(client, endpoint, obj)
            rows.append((scope, endpoint.name, expected, actual, status))
            if actual != expected:
                mismatches.append(f"  {family.name} · {role} · {scope:<4} · {endpoint.name:<12} "
                                  f"expected {expected:<9} got {actual} ({status})")
    if mismatches:
        raise AssertionError("role × scope matrix mismatches:\n" + "\n".join(mismatches))
    return [f"{family.name} · {role} · {s} · {e}: {a} ({st})" for s, e, _x, a, st in rows]


def matrix_ids(families: list[Family], roles=MATRIX_ROLES) -> list[tuple[Family, str]]:
    """(family, role) pairs for `pytest.mark.parametrize`, ids "family-role"."""
    import pytest

    return [pytest.param(f, r, id=f"{f.name}-{r}") for f in families for r in roles]


def reads(own, inside, out, *, writes=(None, None, None)):
    """The expectations of one role for the three objects of `build_world`: its own unit's,
    one in a unit inside its scope and one outside; `writes` the same for a write action."""
    return {"own": Expect(own, writes[0]), "in": Expect(inside, writes[1]), "out": Expect(out, writes[2])}
