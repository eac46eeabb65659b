"""Equipment custody in the role × scope matrix (zhidu.core.testing.matrix; issue #3).

Who sees and who acts, per role and scope (own / sub-unit of the user's department / another
department), for issues with their responsibility letters, custodian changes, loans,
reallocations and damage/loss records (AST-03 … AST-19, AUD). The roles carry the seeded
catalogue plus what `zhidu.assets.views.custody.register` and `zhidu.assets.ui` add: IT staff
run custody organisation-wide, department heads see their department's records (subtree),
auditors see all, every employee sees the records that name them (owner rule) and signs only
their own letter.
"""

import datetime

import pytest
from django.utils import timezone

from zhidu.assets import services
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
from .test_custody_support import png_data_url

pytestmark = pytest.mark.django_db

V, H, F = VISIBLE, HIDDEN, FORBIDDEN




ALL = (V, V, V)
OWN = (V, H, H)
UNIT = (V, V, H)
NONE = (H, H, H)
IT_WRITES = (OK, OK, OK)


def _person(ctx):
    """The scope's person; the superuser has none: a new person in the scope's unit."""
    if ctx.person is not None:
        return ctx.person
    n = ctx.world.next_no()
    return Person.objects.create(employee_no=f"MX-c{n}", name=f"矩阵保管人{n}", department=ctx.unit)


def _other(ctx, label):
    """Another current person of the scope's unit (a change's new custodian)."""
    n = ctx.world.next_no()
    return Person.objects.create(employee_no=f"MX-{label}{n}", name=f"矩阵{label}{n}", department=ctx.unit)


def _held(ctx):
    return hold(AssetFactory(department=ctx.unit), _person(ctx))


def _in_stock(unit):
    return AssetFactory(department=unit)


def make_issue(ctx):
    return services.issue_assets(person=_person(ctx), assets=[_in_stock(ctx.world.root)], actor=None)


def make_letter(ctx):
    return make_issue(ctx).letter


def make_change(ctx):
    asset = _held(ctx)
    return services.request_custodian_change(asset=asset, to_person=_other(ctx, "接收"), reason="矩阵", actor=None)


def make_loan(ctx):
    return services.request_loan(asset=_in_stock(ctx.world.root), borrower=_person(ctx), purpose="矩阵",
                                 due_date=timezone.localdate() + datetime.timedelta(days=7), actor=None)


def make_reallocation(ctx):
    return services.reallocate(asset=_in_stock(ctx.unit), to_department=ctx.world.root, reason="矩阵", actor=None)


def make_incident(ctx):
    asset = _held(ctx)
    return services.record_incident(asset=asset, kind="damage", description="矩阵", actor=None,
                                    responsible_person=asset.custodian)


def _reads(list_url, api):
    return [
        Endpoint.ui_list(list_url),  # listed: the page links to the record
        Endpoint.ui_detail(lambda obj: obj.get_absolute_url()),
        Endpoint.api_list(f"/api/assets/{api}/"),
        Endpoint.api_detail(lambda obj: f"/api/assets/{api}/{obj.pk}/"),
    ]


# Records naming a person (issues, letters, changes, loans, incidents): the owner rule shows each
# employee their own; department heads their department; IT and auditors everything.
PERSON_RECORDS = {
    "employee": reads(*OWN),
    "dept_head": reads(*UNIT),
    "dept_it_officer": reads(*OWN),
    "it_staff": reads(*ALL, writes=IT_WRITES),
    "it_leader": reads(*OWN),
    "cfo": reads(*OWN),
    "auditor": reads(*ALL),
    "hr": reads(*OWN),
    "admin": reads(*ALL, writes=IT_WRITES),
}

ISSUE = Family(
    name="issue",
    make=make_issue,
    endpoints=[
        *_reads("/assets/custody/issues/", "issues"),
        Endpoint.export("/assets/custody/issues/", marker=lambda obj: obj.number),
        Endpoint.api_write(lambda obj: f"/api/assets/issues/{obj.pk}/cancel/", method="post", data={},
                           label="api_cancel"),
        Endpoint.ui_write(lambda obj: f"/assets/custody/issues/{obj.pk}/cancel/", data={}, label="ui_cancel"),
    ],
    expect=PERSON_RECORDS,
)

# Only the custodian signs their letter (AST-03): IT sees it but may not sign for them.
_sign = {"typed_name": "", "signature": png_data_url()}
LETTER = Family(
    name="letter",
    make=make_letter,
    endpoints=[
        *_reads("/assets/custody/letters/", "letters"),
        Endpoint.api_write(lambda obj: f"/api/assets/letters/{obj.pk}/sign/", method="post",
                           data=lambda obj: {**_sign, "typed_name": obj.person.name}, label="api_sign"),
    ],
    expect={
        **{role: reads(*OWN, writes=(OK, None, None)) for role in ("employee", "dept_it_officer", "it_leader",
                                                                    "cfo", "hr")},
        "dept_head": reads(*UNIT, writes=(OK, F, H)),
        "it_staff": reads(*ALL, writes=(OK, F, F)),
        "auditor": reads(*ALL, writes=(OK, F, F)),
        # The superuser passes every scope; the service still refuses a signature that is not the custodian's.
        "admin": reads(*ALL, writes=("status 400",) * 3),
    },
)

CHANGE = Family(
    name="custodianchange",
    make=make_change,
    endpoints=[
        *_reads("/assets/custody/changes/", "custodian-changes"),
        Endpoint.api_write(lambda obj: f"/api/assets/custodian-changes/{obj.pk}/execute/", method="post", data={},
                           label="api_execute"),
        Endpoint.ui_write(lambda obj: f"/assets/custody/changes/{obj.pk}/execute/", data={}, label="ui_execute"),
    ],
    expect=PERSON_RECORDS,
)

LOAN = Family(name="loan", make=make_loan, endpoints=_reads("/assets/custody/loans/", "loans"),
              expect=PERSON_RECORDS)

INCIDENT = Family(
    name="incident",
    make=make_incident,
    endpoints=[
        *_reads("/assets/custody/incidents/", "incidents"),
        Endpoint.api_write(lambda obj: f"/api/assets/incidents/{obj.pk}/submit/", method="post", data={},
                           label="api_submit"),
    ],
    expect=PERSON_RECORDS,
)

# Reallocations name departments only: no owner rule.
REALLOCATION = Family(
    name="reallocation",
    make=make_reallocation,
    endpoints=_reads("/assets/custody/reallocations/", "reallocations"),
    expect={
        "employee": reads(*NONE),
        "dept_head": reads(*UNIT),
        "dept_it_officer": reads(*NONE),
        "it_staff": reads(*ALL),
        "it_leader": reads(*NONE),
        "cfo": reads(*NONE),
        "auditor": reads(*ALL),
        "hr": reads(*NONE),
        "admin": reads(*ALL),
    },
)


# --------------------------------------------------------------------------- who may start an operation


def make_target(ctx):
    """The scope's person, as the recipient of an issue or the borrower of a loan."""
    return _person(ctx)


def _fresh_asset_id(obj):
    return _in_stock(obj.department).pk


# Issuing is IT's (AST-03): everyone else is refused whoever the recipient.
ISSUE_TO = Family(
    name="issue-to",
    make=make_target,
    endpoints=[Endpoint.api_write("/api/assets/issues/", method="post", label="api_issue",
                                  data=lambda obj: {"person_id": obj.pk, "asset_ids": [_fresh_asset_id(obj)]})],
    expect={role: reads(H, H, H, writes=IT_WRITES if role in ("it_staff", "admin") else (F, F, F))
            for role in MATRIX_ROLES},
)

# Anyone borrows for themselves (AST-19); only IT borrows on someone else's behalf.
LOAN_FOR = Family(
    name="loan-for",
    make=make_target,
    endpoints=[Endpoint.api_write("/api/assets/loans/", method="post", label="api_borrow",
                                  data=lambda obj: {"borrower_id": obj.pk, "asset_id": _fresh_asset_id(obj),
                                                    "purpose": "矩阵", "due_date": str(timezone.localdate()
                                                                                      + datetime.timedelta(days=5))})],
    expect={role: reads(H, H, H, writes=IT_WRITES if role in ("it_staff", "admin") else (OK, F, F))
            for role in MATRIX_ROLES},
)


def make_held(ctx):
    asset = _held(ctx)
    asset.mx_target = _other(ctx, "接手").pk
    return asset


# The custodian asks to hand over their own device; IT for any device (AST-10).
CHANGE_REQUEST = Family(
    name="change-request",
    make=make_held,
    endpoints=[Endpoint.api_write("/api/assets/custodian-changes/", method="post", label="api_request",
                                  data=lambda obj: {"asset_id": obj.pk, "to_person_id": obj.mx_target,
                                                    "reason": "矩阵"})],
    expect={role: reads(H, H, H, writes=IT_WRITES if role in ("it_staff", "admin") else (OK, F, F))
            for role in MATRIX_ROLES},
)

def add_approvers(world):
    """Approvers outside the matrix users: a head of the company (so every department's chain
    resolves), a deputy head of `inside` (the head's own loan goes to someone else), IT staff and
    the IT authority head (loan and compensation approvals)."""
    from zhidu.org.models import Role, RoleAssignment

    for code, unit in (("dept_head", world.root), ("dept_head", world.inside), ("it_staff", None), ("it_authority_head", None)):
        person = Person.objects.create(employee_no=f"MX-ap-{code}-{unit.pk if unit else 0}", name=f"矩阵审批{code}", department=world.root)
        RoleAssignment.objects.create(person=person, role=Role.objects.get(code=code), unit=unit,
                                      include_subtree=True)


FAMILIES = [ISSUE, LETTER, CHANGE, LOAN, INCIDENT, REALLOCATION, ISSUE_TO, LOAN_FOR, CHANGE_REQUEST]


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_custody_matrix(client, role):
    world = build_world()
    add_approvers(world)
    failures = []
    for family in FAMILIES:
        try:
            check_family(client, family, role, world=world)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_change_form_offers_own_devices_and_only_it_others(client, role):
    """The form follows the API (AST-10): a custodian asks to hand over their own device; only who
    may add changes (IT) asks for other people's devices — seeing a device (department heads,
    auditors) is not enough. Found by the matrix: the form used to offer every visible device."""
    from zhidu.assets.models import CustodianChange
    from zhidu.core.testing.matrix import context_for

    world = build_world()
    add_approvers(world)
    client.force_login(world.users[role])
    own, colleague = context_for(world, role, "own"), context_for(world, role, "in")
    theirs = _held(colleague)
    response = client.post("/assets/custody/changes/new/", {"asset": theirs.pk, "reason": "矩阵",
                                                            "to_person": _other(own, "接手").pk})
    it = role in ("it_staff", "admin")
    assert CustodianChange.objects.filter(asset=theirs).exists() == it, response.content.decode()[:300]
    if role != "admin":  # the superuser holds no device
        mine = _held(own)
        response = client.post("/assets/custody/changes/new/", {"asset": mine.pk, "reason": "矩阵",
                                                                "to_person": _other(own, "同部门").pk})
        assert response.status_code == 302, response.content.decode()[:300]
