"""Custody services and their guards (AST-03, AST-04, AST-06/07, AST-09/10, AST-15, AST-19)."""

from __future__ import annotations

import datetime

import pytest

from zhidu.assets import services
from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import (
    AssetIssue,
    AssetLoan,
    AssetReturn,
    CustodianChange,
    CustodyPeriod,
    PreparationTask,
    ResponsibilityLetter,
)
from zhidu.core.approvals import selectors as approval_selectors
from zhidu.core.approvals import services as approvals
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.org import services as org_services

from .test_custody_support import ACCESSORIES, World, png_data_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def issue_and_sign(world, person_user, assets, **kwargs):
    issue = services.issue_assets(person=person_user.person, assets=assets, actor=world.it, **kwargs)
    services.sign_letter(letter=issue.letter, actor=person_user, typed_name=person_user.person.name,
                         signature=png_data_url(), ip="10.0.0.8")
    issue.refresh_from_db()
    return issue


def return_complete(world, asset):
    ret = services.return_asset(asset=asset, actor=world.it, returned_accessories=ACCESSORIES)
    return services.check_return(ret=ret, actor=world.it)


# --- Issue (AST-03) -------------------------------------------------------------------------


def test_issue_waits_for_signature_then_hands_over(world):
    a1, a2 = world.asset(), world.asset()
    issue = services.issue_assets(person=world.alice.person, assets=[a1, a2], actor=world.it)
    assert issue.number.startswith("CK-") and len(issue.number.split("-")[-1]) == 6
    assert issue.status == AssetIssue.Status.AWAITING
    assert issue.letter.status == ResponsibilityLetter.Status.AWAITING
    a1.refresh_from_db()
    assert a1.status == AssetStatus.IN_STOCK and a1.custodian is None  # only once signed
    assert not CustodyPeriod.objects.filter(asset=a1).exists()

    services.sign_letter(letter=issue.letter, actor=world.alice, typed_name=" 李丽 ", signature=png_data_url(),
                         ip="10.0.0.8")
    issue.refresh_from_db()
    letter = issue.letter
    assert issue.status == AssetIssue.Status.COMPLETED
    assert letter.status == ResponsibilityLetter.Status.SIGNED and letter.signed_ip == "10.0.0.8"
    assert letter.signed_at is not None and "李丽" in letter.text and a1.number in letter.text and a2.number in letter.text
    for asset in (a1, a2):
        asset.refresh_from_db()
        assert asset.status == AssetStatus.IN_USE and asset.custodian == world.alice.person
        period = CustodyPeriod.objects.get(asset=asset, ended__isnull=True)
        assert period.letter == letter and period.custodian == world.alice.person
    assert TimelineEvent.objects.filter(verb="custody_issued").count() == 2


def test_issue_guards(world):
    asset = world.asset()
    with pytest.raises(RuleViolation):
        services.issue_assets(person=world.alice.person, assets=[], actor=world.it)
    services.issue_assets(person=world.alice.person, assets=[asset], actor=world.it)
    with pytest.raises(Conflict) as exc:  # reserved by the unsigned issue
        services.issue_assets(person=world.bob.person, assets=[asset], actor=world.it)
    assert exc.value.code == "reserved"
    used = world.asset(status=AssetStatus.IN_USE, custodian=world.bob.person)
    with pytest.raises(Conflict):
        services.issue_assets(person=world.alice.person, assets=[used], actor=world.it)
    org_services.change_status(person=world.bob.person, status="leaving", actor=world.it)
    with pytest.raises(RuleViolation) as exc:
        services.issue_assets(person=world.bob.person, assets=[world.asset()], actor=world.it)
    assert "篇1 第九条(5)" in str(exc.value)


def test_cancel_issue_releases_the_assets(world):
    asset = world.asset()
    issue = services.issue_assets(person=world.alice.person, assets=[asset], actor=world.it)
    services.cancel_issue(issue=issue, actor=world.it)
    issue.letter.refresh_from_db()
    assert issue.letter.status == ResponsibilityLetter.Status.VOID
    services.issue_assets(person=world.bob.person, assets=[asset], actor=world.it)
    with pytest.raises(Conflict):
        services.cancel_issue(issue=issue, actor=world.it)


# --- Replacement (AST-04) -------------------------------------------------------------------


def test_replacement_blocked_until_old_device_checked_complete(world):
    old, new = world.asset(), world.asset()
    issue_and_sign(world, world.alice, [old])
    with pytest.raises(RuleViolation) as exc:
        services.issue_assets(person=world.alice.person, assets=[new], actor=world.it, replaces={new.pk: old})
    assert "篇1 第九条(4)" in str(exc.value) and exc.value.code == "replacement_not_returned"

    ret = services.return_asset(asset=old, actor=world.it, returned_accessories=["电源适配器"])
    with pytest.raises(RuleViolation):  # returned but not yet checked
        services.issue_assets(person=world.alice.person, assets=[new], actor=world.it, replaces={new.pk: old})
    ret = services.check_return(ret=ret, actor=world.it)
    assert ret.status == AssetReturn.Status.INCOMPLETE and ret.missing_accessories == ["鼠标"]
    with pytest.raises(RuleViolation):  # checked incomplete: the mouse is missing
        services.issue_assets(person=world.alice.person, assets=[new], actor=world.it, replaces={new.pk: old})

    ret = services.check_return(ret=ret, actor=world.it, returned_accessories=ACCESSORIES)  # mouse handed in
    assert ret.status == AssetReturn.Status.COMPLETE
    issue = issue_and_sign(world, world.alice, [new], replaces={new.pk: old})
    assert issue.lines.get().replaces == old


# --- Return (交回) ---------------------------------------------------------------------------


def test_return_and_check(world):
    asset = world.asset()
    issue_and_sign(world, world.alice, [asset])
    with pytest.raises(RuleViolation):
        services.return_asset(asset=asset, actor=world.it, returned_accessories=["键盘"])
    ret = services.return_asset(asset=asset, actor=world.it, returned_accessories=ACCESSORIES,
                                condition=AssetReturn.Condition.WORN)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.RETURN_PENDING and asset.custodian == world.alice.person
    assert ret.expected_accessories == ACCESSORIES and ret.missing_accessories == []
    with pytest.raises(Conflict):
        services.return_asset(asset=asset, actor=world.it)
    services.check_return(ret=ret, actor=world.it)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_STOCK and asset.custodian is None
    assert not CustodyPeriod.objects.filter(asset=asset, ended__isnull=True).exists()
    with pytest.raises(Conflict):
        services.check_return(ret=ret, actor=world.it)
    with pytest.raises(Conflict):  # in stock: nothing to return
        services.return_asset(asset=asset, actor=world.it)


# --- Custodian change (AST-09/10) -----------------------------------------------------------


def test_custodian_change_a_to_b_with_new_letter(world):
    asset = world.asset()
    issue_and_sign(world, world.alice, [asset])
    with pytest.raises(RuleViolation):
        services.request_custodian_change(asset=asset, to_person=world.bob.person, reason="", actor=world.alice)
    with pytest.raises(RuleViolation):
        services.request_custodian_change(asset=asset, to_person=world.alice.person, reason="x", actor=world.alice)
    change = services.request_custodian_change(asset=asset, to_person=world.outsider.person, reason="岗位调整",
                                               actor=world.alice)
    with pytest.raises(Conflict):
        services.request_custodian_change(asset=asset, to_person=world.bob.person, reason="x", actor=world.alice)
    change = services.execute_custodian_change(change=change, actor=world.it)
    assert change.status == CustodianChange.Status.AWAITING and change.letter.person == world.outsider.person
    asset.refresh_from_db()
    assert asset.custodian == world.alice.person  # until B signs
    with pytest.raises(RuleViolation):  # A cannot sign B's letter
        services.sign_letter(letter=change.letter, actor=world.alice, typed_name="李丽", signature=png_data_url())
    services.sign_letter(letter=change.letter, actor=world.outsider, typed_name="陈晨", signature=png_data_url())
    asset.refresh_from_db()
    assert asset.custodian == world.outsider.person and asset.department == world.other_dept
    history = list(CustodyPeriod.objects.filter(asset=asset).order_by("started", "id"))
    assert [p.custodian for p in history] == [world.alice.person, world.outsider.person]
    assert history[0].ended is not None and history[1].ended is None and history[1].letter == change.letter
    change.refresh_from_db()
    assert change.status == CustodianChange.Status.COMPLETED
    with pytest.raises(Conflict):
        services.execute_custodian_change(change=change, actor=world.it)


def test_custodian_change_cancel(world):
    asset = world.asset()
    issue_and_sign(world, world.alice, [asset])
    change = services.request_custodian_change(asset=asset, to_person=world.bob.person, reason="x", actor=world.it)
    change = services.execute_custodian_change(change=change, actor=world.it)
    services.cancel_custodian_change(change=change, actor=world.it)
    change.letter.refresh_from_db()
    assert change.letter.status == ResponsibilityLetter.Status.VOID
    with pytest.raises(Conflict):
        services.cancel_custodian_change(change=change, actor=world.it)


# --- Reallocation (AST-15) ------------------------------------------------------------------


def test_reallocation(world):
    asset = world.asset()
    record = services.reallocate(asset=asset, to_department=world.dept, reason="部门调剂", actor=world.it)
    assert record.number.startswith("TJ-") and record.from_department == world.it_unit
    asset.refresh_from_db()
    assert asset.department == world.dept
    with pytest.raises(RuleViolation):
        services.reallocate(asset=asset, to_department=world.dept, reason="x", actor=world.it)
    with pytest.raises(RuleViolation):
        services.reallocate(asset=asset, to_department=world.other_dept, reason=" ", actor=world.it)
    issue_and_sign(world, world.alice, [asset])
    with pytest.raises(Conflict):  # in use: a custodian change, not a reallocation
        services.reallocate(asset=asset, to_department=world.other_dept, reason="x", actor=world.it)


# --- Loans (AST-19) -------------------------------------------------------------------------


def decide_all(subject, user_by_person):
    approval = approval_selectors.approval_for(subject)
    while approval.status == "pending":
        task = approval.tasks.filter(status="open").first()
        approvals.decide(task=task, actor=user_by_person[task.assignee_id], decision="approve", opinion="同意")
        approval.refresh_from_db()
    return approval


def test_loan_approved_lent_overdue_reminded_returned(world):
    asset = world.asset()
    today = datetime.date.today()
    with pytest.raises(RuleViolation):
        services.request_loan(asset=asset, borrower=world.alice.person, purpose="出差", due_date=today,
                              actor=world.alice)
    loan = services.request_loan(asset=asset, borrower=world.alice.person, purpose="出差",
                                 due_date=today + datetime.timedelta(days=3), actor=world.alice)
    assert loan.status == AssetLoan.Status.PENDING
    with pytest.raises(Conflict):
        services.request_loan(asset=asset, borrower=world.bob.person, purpose="x",
                              due_date=today + datetime.timedelta(days=3), actor=world.bob)
    with pytest.raises(Conflict):  # a loan in approval blocks an issue
        services.issue_assets(person=world.bob.person, assets=[asset], actor=world.it)
    approval = approval_selectors.approval_for(loan)
    assert [t.assignee for t in approval.tasks.all()] == [world.head.person]  # department head first
    decide_all(loan, {world.head.person.pk: world.head, world.it.person.pk: world.it})
    loan.refresh_from_db()
    asset.refresh_from_db()
    assert loan.status == AssetLoan.Status.ON_LOAN and asset.status == AssetStatus.ON_LOAN
    assert asset.custodian == world.alice.person

    assert services.remind_overdue_loans(today=today) == 0
    later = today + datetime.timedelta(days=5)
    assert services.remind_overdue_loans(today=later) == 1
    assert services.remind_overdue_loans(today=later) == 0  # once a day
    assert services.remind_overdue_loans(today=later + datetime.timedelta(days=1)) == 1

    return_complete(world, asset)
    loan.refresh_from_db()
    asset.refresh_from_db()
    assert loan.status == AssetLoan.Status.RETURNED and asset.status == AssetStatus.IN_STOCK
    assert services.remind_overdue_loans(today=later + datetime.timedelta(days=2)) == 0


def test_loan_rejected(world):
    asset = world.asset()
    loan = services.request_loan(asset=asset, borrower=world.alice.person, purpose="出差",
                                 due_date=datetime.date.today() + datetime.timedelta(days=3), actor=world.alice)
    task = approval_selectors.approval_for(loan).tasks.get()
    approvals.decide(task=task, actor=world.head, decision="reject", opinion="不同意")
    loan.refresh_from_db()
    asset.refresh_from_db()
    assert loan.status == AssetLoan.Status.REJECTED and asset.status == AssetStatus.IN_STOCK


# --- Hire and leave (AST-06/07) -------------------------------------------------------------


def test_hire_creates_preparation_task(world):
    person = org_services.create_person(employee_no="N0001", name="新员工", department=world.dept, actor=world.it,
                                        hire_date=datetime.date(2026, 12, 1))
    task = PreparationTask.objects.get(person=person)
    assert task.status == PreparationTask.Status.OPEN and task.due_date == datetime.date(2026, 12, 1)
    services.complete_preparation_task(task=task, actor=world.it, notes="已备好笔记本")
    with pytest.raises(Conflict):
        services.complete_preparation_task(task=task, actor=world.it)


def test_overdue_loan_job_registered_and_runs(world):
    from zhidu.assets import tasks
    from zhidu.core.jobs import REGISTRY, autodiscover

    autodiscover()
    assert "assets.remind_overdue_loans" in REGISTRY
    asset = world.asset()
    loan = services.request_loan(asset=asset, borrower=world.alice.person, purpose="出差",
                                 due_date=datetime.date.today() + datetime.timedelta(days=1), actor=world.alice)
    decide_all(loan, {world.head.person.pk: world.head, world.it.person.pk: world.it})
    assert tasks.remind_overdue_loans_now(today=datetime.date.today() + datetime.timedelta(days=3)) == 1
    from zhidu.core.models import Notification

    assert Notification.objects.filter(recipient=world.alice, verb="assets.loan_overdue").exists()
