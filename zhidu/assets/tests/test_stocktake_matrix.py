"""Stock-takes and patrol inspections in the role × scope matrix (zhidu.core.testing.matrix).

Roles carry the seeded catalogue plus what the ledger (`zhidu.assets.ui`: "assets.*" for the IT
authority, "assets.view_*" for auditors) and `zhidu.assets.stocktake_setup` add: department heads
and information officers see the stock-takes and inspections of their department (subtree),
officers also count (AUD-01: departments cooperate).
"""

import datetime

import pytest

from zhidu.assets.services import stocktake as services
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

from .factories import LocationFactory

pytestmark = pytest.mark.django_db

V, H, F = VISIBLE, HIDDEN, FORBIDDEN




ALL = (V, V, V)
NONE = (H, H, H)
UNIT = (V, V, H)


def make_plan(ctx):
    return services.create_plan(actor=None, title="矩阵清查", department=ctx.unit)


def make_round(ctx):
    return services.create_inspection(actor=None, location=LocationFactory(), inspected_on=datetime.date(2026, 5, 1),
                                      department=ctx.unit)


EXPECT = {
    "employee": reads(*NONE),
    "dept_head": reads(*UNIT),
    "dept_it_officer": reads(*UNIT),
    "it_staff": reads(*ALL, writes=(OK, OK, OK)),
    "it_leader": reads(*NONE),
    "cfo": reads(*NONE),
    "auditor": reads(*ALL),
    "hr": reads(*NONE),
    "admin": reads(*ALL, writes=(OK, OK, OK)),
}

STOCKTAKE = Family(
    name="stocktakeplan",
    make=make_plan,
    endpoints=[
        Endpoint.ui_list("/assets/stocktakes/", marker=lambda obj: obj.number),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.export("/assets/stocktakes/", marker=lambda obj: obj.number),
        Endpoint.api_list("/api/assets/stocktakes/"),
        Endpoint.api_detail(lambda obj: f"/api/assets/stocktakes/{obj.pk}/"),
        Endpoint.api_write(lambda obj: f"/api/assets/stocktakes/{obj.pk}/", data={"title": "矩阵改"}),
    ],
    expect=EXPECT,
)

INSPECTION = Family(
    name="inspectionround",
    make=make_round,
    endpoints=[
        Endpoint.ui_list("/assets/inspections/", marker=lambda obj: obj.number),
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.api_list("/api/assets/inspections/"),
        Endpoint.api_detail(lambda obj: f"/api/assets/inspections/{obj.pk}/"),
        Endpoint.api_write(lambda obj: f"/api/assets/inspections/{obj.pk}/complete/", method="post", data={}),
    ],
    expect=EXPECT,
)


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_stocktake_matrix(client, role):
    check_family(client, STOCKTAKE, role)


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_inspection_matrix(client, role):
    check_family(client, INSPECTION, role)
