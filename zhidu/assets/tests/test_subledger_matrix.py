"""Sub-ledgers (分帐) and handover lists (设备交接清单) in the role × scope matrix (SCH-08, SCH-10).

Roles carry the seeded catalogue plus `zhidu.assets.ui`: the IT authority holds "assets.*",
auditors "assets.view_*", department heads and information officers view the sub-ledgers and
handovers of their department (subtree). In every scope the keeper is `ctx.person`: so in "own"
the acting user is the keeper and sees the sub-ledger and its handover without any role (owner
rule), but may not edit the sub-ledger or cancel the handover (403).
"""

import itertools

import pytest

from zhidu.assets.services import subledger as services
from zhidu.core.testing.matrix import (
    FORBIDDEN,
    HIDDEN,
    MATRIX_ROLES,
    OK,
    VISIBLE,
    Endpoint,
    Family,
    check_family,
    reads,
)

from .factories import LocationFactory, PersonFactory

pytestmark = pytest.mark.django_db

V, H, F = VISIBLE, HIDDEN, FORBIDDEN




OWN_ONLY = reads(V, H, H)
EXPECT = {
    "employee": OWN_ONLY,
    "dept_head": reads(V, V, H),
    "dept_it_officer": reads(V, V, H),
    "it_staff": reads(V, V, V, writes=(OK, OK, OK)),
    "it_leader": OWN_ONLY,
    "cfo": OWN_ONLY,
    "auditor": reads(V, V, V),
    "hr": OWN_ONLY,
    "admin": reads(V, V, V, writes=(OK, OK, OK)),
}


COUNTER = itertools.count(1)


def make_subledger(ctx):
    keeper = ctx.person or PersonFactory(department=ctx.unit)  # the superuser has no Person
    return services.save_subledger(actor=None, code=f"m-{next(COUNTER)}", name="矩阵分帐", department=ctx.unit,
                                   keeper=keeper, locations=[LocationFactory()])


def make_handover(ctx):
    return services.start_handover(subledger=make_subledger(ctx), to_keeper=PersonFactory(department=ctx.unit),
                                   actor=None)


SUBLEDGER = Family(
    name="subledger",
    make=make_subledger,
    endpoints=[
        Endpoint.ui_list("/assets/subledgers/"),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.ui_detail(lambda obj: f"/assets/subledgers/{obj.pk}/assets/", label="cards"),
        Endpoint.ui_detail(lambda obj: f"/assets/subledgers/{obj.pk}/reconciliation/", label="reconciliation"),
        Endpoint.export("/assets/subledgers/", marker=lambda obj: obj.code),
        Endpoint.api_list("/api/assets/subledgers/"),
        Endpoint.api_detail(lambda obj: f"/api/assets/subledgers/{obj.pk}/"),
        Endpoint.api_write(lambda obj: f"/api/assets/subledgers/{obj.pk}/", data={"name": "矩阵改"}),
    ],
    expect=EXPECT,
)

HANDOVER = Family(
    name="subledgerhandover",
    make=make_handover,
    endpoints=[
        Endpoint.ui_list("/assets/handovers/"),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.ui_detail(lambda obj: f"/assets/handovers/{obj.pk}/print/", label="print"),
        Endpoint.api_list("/api/assets/handovers/"),
        Endpoint.api_detail(lambda obj: f"/api/assets/handovers/{obj.pk}/"),
        Endpoint.api_write(lambda obj: f"/api/assets/handovers/{obj.pk}/cancel/", method="post", data={}),
    ],
    expect=EXPECT,
)


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_subledger_matrix(client, role):
    check_family(client, SUBLEDGER, role)


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_handover_matrix(client, role):
    check_family(client, HANDOVER, role)
