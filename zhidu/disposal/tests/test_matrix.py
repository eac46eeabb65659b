"""Disposal in the role × scope matrix (zhidu.core.testing.matrix).

Roles carry the seeded catalogue plus what `zhidu.disposal.ui.register` adds: it_staff and
it_authority_head everything; dept_head and dept_it_officer add/view/submit in their unit;
the auditor views all (its "*.view_*").
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
    check_family,
    reads,
)
from zhidu.disposal import services
from zhidu.disposal.choices import LineOutcome, ScrapStatus
from zhidu.disposal.models import DisposalRecord, ScrapRequest
from zhidu.org.models import Person

from .factories import software

pytestmark = pytest.mark.django_db
V, H, F = VISIBLE, HIDDEN, FORBIDDEN


def _requester(ctx):
    if ctx.person is not None:
        return ctx.person
    n = ctx.world.next_no()
    return Person.objects.create(employee_no=f"MX-d{n}", name=f"矩阵报废申请人{n}", department=ctx.unit)


def make_draft(ctx):
    return services.create_request(requester=_requester(ctx), actor=None, title="矩阵报废", lines=[software()],
                                   department=ctx.unit)


def make_in_appraisal(ctx):
    request = make_draft(ctx)
    ScrapRequest.objects.filter(pk=request.pk).update(status=ScrapStatus.APPRAISAL)
    return request


def make_record(ctx):
    request = make_draft(ctx)
    ScrapRequest.objects.filter(pk=request.pk).update(status=ScrapStatus.DISPOSED)
    record = DisposalRecord.objects.create(request=request, method="recycling", recipient="矩阵回收公司",
                                           disposed_on=datetime.date(2026, 3, 1))
    request.lines.update(disposal=record, outcome=LineOutcome.DISPOSED)
    return record




ALL = (V, V, V)
OWN = (V, H, H)
UNIT = (V, V, H)

REQUEST_READS = [
    Endpoint.ui_list("/disposal/requests/"),
    Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
    Endpoint.ui_detail(lambda obj: f"/disposal/requests/{obj.pk}/print/", label="ui_print"),
    Endpoint.export("/disposal/requests/", marker=lambda obj: obj.number),
    Endpoint.api_list("/api/disposal/requests/"),
    Endpoint.api_detail(lambda obj: f"/api/disposal/requests/{obj.pk}/"),
]

SCRAP_REQUEST = Family(
    name="scraprequest",
    make=make_draft,
    endpoints=[*REQUEST_READS,
               Endpoint.api_write(lambda obj: f"/api/disposal/requests/{obj.pk}/", data={"title": "矩阵改"})],
    expect={
        "employee": reads(*OWN, writes=(OK, None, None)),
        "dept_head": reads(*UNIT, writes=(OK, F, None)),
        "dept_it_officer": reads(*UNIT, writes=(OK, F, None)),
        "it_staff": reads(*ALL, writes=(OK, OK, OK)),
        "it_leader": reads(*OWN, writes=(OK, None, None)),
        "cfo": reads(*OWN, writes=(OK, None, None)),
        "auditor": reads(*ALL, writes=(OK, F, F)),
        "hr": reads(*OWN, writes=(OK, None, None)),
        "admin": reads(*ALL, writes=(OK, OK, OK)),
    },
)


def _appraisal(obj):
    return {"verdicts": [{"line_id": line.pk, "verdict": "repair"} for line in obj.lines.all()]}


# Appraisal (鉴定) is the IT authority's: nobody else, not even the requester.
SCRAP_APPRAISE = Family(
    name="scraprequest-appraise",
    make=make_in_appraisal,
    endpoints=[Endpoint.api_write(lambda obj: f"/api/disposal/requests/{obj.pk}/appraise/", method="post",
                                  data=_appraisal, label="api_appraise")],
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

# Submitting: the requester (owner), the department's roles in scope, the IT authority.
SCRAP_SUBMIT = Family(
    name="scraprequest-submit",
    make=make_draft,
    endpoints=[Endpoint.api_write(lambda obj: f"/api/disposal/requests/{obj.pk}/submit/", method="post", data={},
                                  label="api_submit")],
    expect={
        "employee": reads(*OWN, writes=(OK, None, None)),
        "dept_head": reads(*UNIT, writes=(OK, OK, None)),
        "dept_it_officer": reads(*UNIT, writes=(OK, OK, None)),
        "it_staff": reads(*ALL, writes=(OK, OK, OK)),
        "it_leader": reads(*OWN, writes=(OK, None, None)),
        "cfo": reads(*OWN, writes=(OK, None, None)),
        "auditor": reads(*ALL, writes=(OK, F, F)),
        "hr": reads(*OWN, writes=(OK, None, None)),
        "admin": reads(*ALL, writes=(OK, OK, OK)),
    },
)

DISPOSAL_RECORD = Family(
    name="disposalrecord",
    make=make_record,
    endpoints=[
        Endpoint.ui_list("/disposal/records/", marker=lambda obj: f"/disposal/requests/{obj.request_id}/"),
        Endpoint.api_list("/api/disposal/records/"),
        Endpoint.api_detail(lambda obj: f"/api/disposal/records/{obj.pk}/"),
    ],
    expect={
        "employee": reads(*OWN),
        "dept_head": reads(*UNIT),
        "dept_it_officer": reads(*UNIT),
        "it_staff": reads(*ALL),
        "it_leader": reads(*OWN),
        "cfo": reads(*OWN),
        "auditor": reads(*ALL),
        "hr": reads(*OWN),
        "admin": reads(*ALL),
    },
)


@pytest.mark.parametrize("role", MATRIX_ROLES)
@pytest.mark.parametrize("family", [SCRAP_REQUEST, SCRAP_APPRAISE, SCRAP_SUBMIT, DISPOSAL_RECORD],
                         ids=lambda f: f.name)
def test_disposal_matrix(client, family, role):
    check_family(client, family, role)
