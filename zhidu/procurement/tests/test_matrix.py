"""Procurement in the role × scope matrix (issue #2 acceptance; zhidu.core.testing.matrix).

Roles carry the permissions of the seeded catalogue plus what procurement adds in
`zhidu.procurement.ui.register` (process / submit / file / reimburse).
"""

import datetime

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
from zhidu.procurement import services
from zhidu.procurement.choices import RequestStatus
from zhidu.procurement.models import PurchaseRequest

from .factories import make_request

pytestmark = pytest.mark.django_db


def _requester(ctx):
    """The owner of the object: the acting user's person for "own" (a new person for the superuser)."""
    if ctx.person is not None:
        return ctx.person
    n = ctx.world.next_no()
    return Person.objects.create(employee_no=f"MX-p{n}", name=f"矩阵申请人{n}", department=ctx.unit)


def make_draft(ctx):
    return make_request(_requester(ctx), actor=None, department=ctx.unit)


def make_approved(ctx):
    request = make_draft(ctx)
    PurchaseRequest.objects.filter(pk=request.pk).update(status=RequestStatus.APPROVED,
                                                         routing_amount=request.total_amount)
    return request


def make_filing(ctx):
    return services.register_self_purchase(
        actor=None, registered_by=_requester(ctx), department=ctx.unit, item="扫描仪", model_name="富士通 fi-7160",
        performance="60ppm", manufacturer="富士通", supplier="京东", purchase_date=datetime.date(2026, 3, 1),
        software_info="无")


V, H, F = VISIBLE, HIDDEN, FORBIDDEN




ALL_VISIBLE = (V, V, V)
OWN_ONLY = (V, H, H)
UNIT = (V, V, H)

REQUEST_READS = [
    Endpoint.ui_list("/procurement/requests/"),
    Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
    Endpoint.export("/procurement/requests/", marker=lambda obj: obj.number),
    Endpoint.api_list("/api/procurement/requests/"),
    Endpoint.api_detail(lambda obj: f"/api/procurement/requests/{obj.pk}/"),
]

# Reading a draft, and editing it (the "change" action: owner, or change permission in scope).
PURCHASE_REQUEST = Family(
    name="purchaserequest",
    make=make_draft,
    endpoints=[
        *REQUEST_READS,
        Endpoint.api_write(lambda obj: f"/api/procurement/requests/{obj.pk}/", data={"title": "矩阵"}),
    ],
    expect={
        "employee": reads(*OWN_ONLY, writes=(OK, None, None)),
        "dept_head": reads(*UNIT, writes=(OK, F, None)),
        "dept_it_officer": reads(*UNIT, writes=(OK, F, None)),
        "it_staff": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
        "it_leader": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "cfo": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "auditor": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "hr": reads(*OWN_ONLY, writes=(OK, None, None)),
        "admin": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
    },
)

# Deleting a never-submitted draft: its requester (owner), or whoever holds the delete permission.
PURCHASE_REQUEST_DELETE = Family(
    name="purchaserequest-delete",
    make=make_draft,
    endpoints=[Endpoint.ui_write(lambda obj: f"/procurement/requests/{obj.pk}/delete/", data={}, label="ui_delete"),
               Endpoint.api_write(lambda obj: f"/api/procurement/requests/{obj.pk}/", method="delete", data={},
                                  label="api_delete")],
    expect={
        "employee": reads(*OWN_ONLY, writes=(OK, None, None)),
        "dept_head": reads(*UNIT, writes=(OK, F, None)),
        "dept_it_officer": reads(*UNIT, writes=(OK, F, None)),
        "it_staff": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "it_leader": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "cfo": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "auditor": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "hr": reads(*OWN_ONLY, writes=(OK, None, None)),
        "admin": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
    },
)

# Submitting (the requester, the department's information officer, the IT authority).
PURCHASE_REQUEST_SUBMIT = Family(
    name="purchaserequest-submit",
    make=make_draft,
    endpoints=[Endpoint.ui_write(lambda obj: f"/procurement/requests/{obj.pk}/submit/", data={}, label="ui_submit")],
    expect={
        "employee": reads(*OWN_ONLY, writes=(OK, None, None)),
        "dept_head": reads(*UNIT, writes=(OK, F, None)),
        "dept_it_officer": reads(*UNIT, writes=(OK, OK, None)),
        "it_staff": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
        "it_leader": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "cfo": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "auditor": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "hr": reads(*OWN_ONLY, writes=(OK, None, None)),
        "admin": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
    },
)

# Processing an approved purchase (quotations, orders, acceptance, stock-in): the IT authority only.
PURCHASE_PROCESSING = Family(
    name="purchaserequest-process",
    make=make_approved,
    endpoints=[
        Endpoint.api_write(lambda obj: f"/api/procurement/requests/{obj.pk}/quotations/", method="post",
                           data={"supplier_name": "矩阵供应商", "amount": "100.00", "quoted_on": "2026-03-01"},
                           label="api_quotation"),
        Endpoint.ui_write(lambda obj: f"/procurement/requests/{obj.pk}/waiver/", data={"reason": "矩阵"},
                          label="ui_waiver"),
    ],
    expect={
        "employee": reads(*OWN_ONLY),
        "dept_head": reads(*UNIT),
        "dept_it_officer": reads(*UNIT),
        "it_staff": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
        "it_leader": reads(*ALL_VISIBLE),
        "cfo": reads(*ALL_VISIBLE),
        "auditor": reads(*ALL_VISIBLE),
        "hr": reads(*OWN_ONLY),
        "admin": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
    },
)

FILING_READS = [
    Endpoint.ui_list("/procurement/filings/"),
    Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
    Endpoint.export("/procurement/filings/", marker=lambda obj: obj.number),
    Endpoint.api_list("/api/procurement/self-purchases/"),
    Endpoint.api_detail(lambda obj: f"/api/procurement/self-purchases/{obj.pk}/"),
]

SELF_PURCHASE = Family(
    name="selfpurchasefiling",
    make=make_filing,
    endpoints=[
        *FILING_READS,
        Endpoint.api_write(lambda obj: f"/api/procurement/self-purchases/{obj.pk}/", data={"model_name": "fi-7180"}),
    ],
    expect={
        "employee": reads(*OWN_ONLY, writes=(OK, None, None)),
        "dept_head": reads(*UNIT, writes=(OK, F, None)),
        "dept_it_officer": reads(*UNIT, writes=(OK, OK, None)),
        "it_staff": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
        "it_leader": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "cfo": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "auditor": reads(*ALL_VISIBLE, writes=(OK, F, F)),
        "hr": reads(*OWN_ONLY, writes=(OK, None, None)),
        "admin": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
    },
)

# Filing (备案) is the IT authority's act (PRC-02), not the registering department's.
SELF_PURCHASE_FILE = Family(
    name="selfpurchasefiling-file",
    make=make_filing,
    endpoints=[Endpoint.ui_write(lambda obj: f"/procurement/filings/{obj.pk}/file/", data={"note": "矩阵"},
                                 label="ui_file"),
               Endpoint.api_write(lambda obj: f"/api/procurement/self-purchases/{obj.pk}/file/", method="post",
                                  data={"note": "矩阵"}, label="api_file")],
    expect={
        "employee": reads(*OWN_ONLY),
        "dept_head": reads(*UNIT),
        "dept_it_officer": reads(*UNIT),
        "it_staff": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
        "it_leader": reads(*ALL_VISIBLE),
        "cfo": reads(*ALL_VISIBLE),
        "auditor": reads(*ALL_VISIBLE),
        "hr": reads(*OWN_ONLY),
        "admin": reads(*ALL_VISIBLE, writes=(OK, OK, OK)),
    },
)

FAMILIES = [PURCHASE_REQUEST, PURCHASE_REQUEST_DELETE, PURCHASE_REQUEST_SUBMIT, PURCHASE_PROCESSING, SELF_PURCHASE,
            SELF_PURCHASE_FILE]


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_procurement_matrix(client, role):
    """Every procurement family for one role, in one world (the world is the expensive part)."""
    world = build_world()
    failures = []
    for family in FAMILIES:
        try:
            check_family(client, family, role, world=world)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
