"""The ledger in the role × scope matrix (issue #3 §8; zhidu.core.testing.matrix).

Roles carry the seeded catalogue plus what the ledger adds in `zhidu.assets.ui.ROLE_PERMISSIONS`:
the IT authority runs the ledger, department heads and information officers see their
department's devices, auditors see all, every employee sees the devices they hold (owner rule,
AST-08).
"""

import pytest

from zhidu.core.testing.matrix import (
    FORBIDDEN,
    HIDDEN,
    MATRIX_ROLES,
    OK,
    VISIBLE,
    Endpoint,
    Family,
    build_world,
    check_family,
    reads,
)
from zhidu.org.models import Person

from .factories import AssetFactory, hold

pytestmark = pytest.mark.django_db

V, H, F = VISIBLE, HIDDEN, FORBIDDEN


def make_held_asset(ctx):
    """A device in use by the scope's person, in the scope's unit."""
    person = ctx.person
    if person is None:  # the superuser has no person: a new custodian in the unit
        n = ctx.world.next_no()
        person = Person.objects.create(employee_no=f"MX-a{n}", name=f"矩阵保管人{n}", department=ctx.unit)
    asset = AssetFactory(department=ctx.unit)
    hold(asset, person)
    if asset.department_id != ctx.unit.pk:
        type(asset).objects.filter(pk=asset.pk).update(department=ctx.unit)
    return asset




ALL = (V, V, V)
OWN = (V, H, H)
UNIT = (V, V, H)

ASSET = Family(
    name="asset",
    make=make_held_asset,
    endpoints=[
        Endpoint.ui_list("/assets/"),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.export("/assets/", marker=lambda obj: obj.number),
        Endpoint.api_list("/api/assets/assets/"),
        Endpoint.api_detail(lambda obj: f"/api/assets/assets/{obj.pk}/"),
        Endpoint.api_write(lambda obj: f"/api/assets/assets/{obj.pk}/", data={"name": "矩阵设备"}),
        Endpoint.ui_write(lambda obj: f"/assets/{obj.pk}/edit/",
                          data=lambda obj: {"number": obj.number, "name": "矩阵", "category": obj.category_id,
                                            "department": obj.department_id}, label="ui_edit"),
    ],
    expect={
        "employee": reads(*OWN),
        "dept_head": reads(*UNIT),
        "dept_it_officer": reads(*UNIT),
        "it_staff": reads(*ALL, writes=(OK, OK, OK)),
        "it_leader": reads(*OWN),
        "cfo": reads(*OWN),
        "auditor": reads(*ALL),
        "hr": reads(*OWN),
        "admin": reads(*ALL, writes=(OK, OK, OK)),
    },
)

# "My equipment" lists what the user holds, whatever their roles.
MY_EQUIPMENT = Family(
    name="my-equipment",
    make=make_held_asset,
    endpoints=[Endpoint.ui_list("/assets/mine/", label="ui_mine")],
    expect={role: reads(V, H, H) if role != "admin" else reads(H, H, H) for role in MATRIX_ROLES},
)

FAMILIES = [ASSET, MY_EQUIPMENT]


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_assets_matrix(client, role):
    world = build_world()
    failures = []
    for family in FAMILIES:
        try:
            check_family(client, family, role, world=world)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
