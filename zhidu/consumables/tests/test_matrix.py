"""Role × scope matrix of consumables (zhidu.core.testing.matrix), with the consumables keeper
as an extra row. Movements are scoped by the receiving department and owned by the receiving
person (an employee sees their own issues); quotas by department; the catalogue is visible to
everyone and changed only by the keeper; plans are the keeper's, seen by IT staff and auditors."""

import datetime

import pytest

from zhidu.core.testing import matrix as mx
from zhidu.core.testing.matrix import FORBIDDEN, HIDDEN, OK, VISIBLE, Endpoint, Expect, Family, check_family

from .factories import ItemFactory, LocationFactory

pytestmark = pytest.mark.django_db

mx.ROLE_HOLDERS.setdefault("consumables_keeper", ("consumables_keeper", False))
ROLES = (*mx.MATRIX_ROLES, "consumables_keeper")


def make_movement(ctx):
    from zhidu.consumables import services

    n = ctx.world.next_no()
    item = ItemFactory(name=f"矩阵耗材{n}")
    location = LocationFactory()
    services.receive(item=item, location=location, quantity=5, actor=None)
    return services.issue(item=item, location=location, quantity=1, department=ctx.unit,
                          person=ctx.person or ctx.world.colleague, actor=None)


def make_quota(ctx):
    from zhidu.consumables.models import Quota

    n = ctx.world.next_no()
    return Quota.objects.create(department=ctx.unit, item=ItemFactory(name=f"矩阵定额{n}"), period_kind="month",
                                period_start=datetime.date(2026, 1, 1), quantity=5)


def make_plan(ctx):
    from zhidu.consumables.models import PurchasePlan

    n = ctx.world.next_no()
    return PurchasePlan.objects.create(number=f"HCJH-MX-{n}", variant="B", period_kind="quarter",
                                       period_start=datetime.date(2026, 1, 1), title=f"矩阵计划{n}")


V, H = Expect(VISIBLE), Expect(HIDDEN)
ALL = {"own": V, "in": V, "out": V}
OWN_ONLY = {"own": V, "in": H, "out": H}
NONE = {"own": H, "in": H, "out": H}

MOVEMENTS = Family(
    name="movement",
    make=make_movement,
    endpoints=[
        Endpoint.ui_list("/consumables/ledger/"),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.export("/consumables/ledger/", marker=lambda obj: obj.number),
        Endpoint.api_list("/api/consumables/movements/"),
        Endpoint.api_detail(lambda obj: f"/api/consumables/movements/{obj.pk}/"),
    ],
    expect={
        "employee": OWN_ONLY, "dept_it_officer": OWN_ONLY, "it_leader": OWN_ONLY, "cfo": OWN_ONLY, "hr": OWN_ONLY,
        "dept_head": {"own": V, "in": V, "out": H},
        "it_staff": ALL, "auditor": ALL, "admin": ALL, "consumables_keeper": ALL,
    },
)

QUOTA_WRITE = Endpoint.api_write(lambda obj: f"/api/consumables/quotas/{obj.pk}/", data={"quantity": 9})
QUOTAS = Family(
    name="quota",
    make=make_quota,
    endpoints=[
        Endpoint.ui_list("/consumables/quotas/", marker=lambda obj: f"/consumables/quotas/{obj.pk}/edit/"),
        Endpoint.api_list("/api/consumables/quotas/"),
        Endpoint.api_detail(lambda obj: f"/api/consumables/quotas/{obj.pk}/"),
        QUOTA_WRITE,
    ],
    expect={
        "employee": NONE, "dept_it_officer": NONE, "it_leader": NONE, "cfo": NONE, "hr": NONE,
        "dept_head": {"own": V, "in": V, "out": H},
        "it_staff": ALL, "auditor": ALL,
        "admin": {s: Expect(VISIBLE, OK) for s in ("own", "in", "out")},
        "consumables_keeper": {s: Expect(VISIBLE, OK) for s in ("own", "in", "out")},
    },
)

ITEMS = Family(
    name="item",
    scopes=("any",),
    make=lambda ctx: ItemFactory(),
    endpoints=[
        Endpoint.ui_list("/consumables/items/"),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.api_list("/api/consumables/items/"),
        Endpoint.api_detail(lambda obj: f"/api/consumables/items/{obj.pk}/"),
        Endpoint.api_write(lambda obj: f"/api/consumables/items/{obj.pk}/", data={"reorder_level": 7}),
    ],
    expect={**{role: {"any": Expect(VISIBLE, FORBIDDEN)} for role in ROLES},
            "admin": {"any": Expect(VISIBLE, OK)}, "consumables_keeper": {"any": Expect(VISIBLE, OK)}},
)

PLANS = Family(
    name="plan",
    scopes=("any",),
    make=make_plan,
    endpoints=[
        Endpoint.ui_list("/consumables/plans/"),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.api_list("/api/consumables/plans/"),
        Endpoint.api_detail(lambda obj: f"/api/consumables/plans/{obj.pk}/"),
        Endpoint.api_write(lambda obj: f"/api/consumables/plans/{obj.pk}/", data={"quantities": {}}),
    ],
    expect={**{role: {"any": Expect(HIDDEN)} for role in ROLES},
            "it_staff": {"any": Expect(VISIBLE)}, "auditor": {"any": Expect(VISIBLE)},
            "admin": {"any": Expect(VISIBLE, OK)}, "consumables_keeper": {"any": Expect(VISIBLE, OK)}},
)


@pytest.mark.parametrize(("family", "role"), mx.matrix_ids([MOVEMENTS, QUOTAS, ITEMS, PLANS], roles=ROLES))
def test_consumables_matrix(client, family, role):
    world = mx.build_world(roles=ROLES)
    check_family(client, family, role, world=world)
